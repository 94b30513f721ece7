import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TeachableMachineSpec, WireInput } from '../../src/protocol.js';
import { priorColumns, REPLAY_LIMIT, type ShippedHead } from '../learning/prior.js';
import type { StoredInput } from '../storage/index.js';
import { asExtractor, type FeatureExtractor } from './extractor.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import { decodeImage, type SquarePixels } from './image-decode.js';
import { splitAtEmbedding, type LayersRun } from './layers-cut.js';
import { pictureOf } from './scattering.js';
import {
  FetchError,
  fetchJson,
  fetchModelJson,
  fetchWeights,
  message,
  modelKind,
  OriginError,
  originPolicy,
  resolveUrl,
  short,
  type ModelNoun,
} from './site-files.js';
import type { Vector } from './vector.js';

const NOUN: ModelNoun = { one: 'Teachable Machine model', many: 'Teachable Machine models' };

/**
 * Teachable Machine's image library feeds pixels as byte / 127 − 1 (utils/tf.ts, `capture`): 0 → −1, 255 → 128/127.
 * The same mapping here, so the backbone sees exactly what the export saw.
 */
const TM_INPUT_RANGE: [number, number] = [-1, 255 / 127 - 1];

/**
 * A Teachable Machine image export (model.json, weights.bin, metadata.json), or any layers classifier of that shape,
 * opened as a featurizer: its backbone, up to the embedding, featurizes; its own head answers first. A vector is the
 * embedding (unit length) followed by the head's log-probabilities (prior.ts), so the engine's ordinary dense head
 * can start from the export's answer and learn from corrections on top of it.
 */
export class TeachableMachine implements Featurizer {
  readonly id: string;
  readonly input = 'image';
  readonly shipped: ShippedHead;
  /** Newest last; at most REPLAY_LIMIT. */
  private readonly recent: Float32Array[] = [];

  constructor(
    private readonly extractor: FeatureExtractor,
    private readonly head: LayersRun,
    readonly labels: readonly string[],
  ) {
    this.id = `teachable-machine:${extractor.url}`;
    const recent = this.recent;
    this.shipped = { labels, embeddingDim: extractor.dim, seen: () => [...recent] };
  }

  dim(): number {
    return this.extractor.dim + this.labels.length;
  }

  async canonical(input: WireInput): Promise<StoredInput> {
    return decodeImage(pictureOf(input), this.extractor.inputSize);
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    if (inputs.length === 0) return [];
    const raw = await this.extractor.featurize(inputs as SquarePixels[]);
    const dim = this.extractor.dim;
    const classes = this.labels.length;
    const flat = new Float32Array(raw.length * dim);
    raw.forEach((row, r) => flat.set(row, r * dim));
    const probs = tf.tidy(() => this.head(tf.tensor2d(flat, [raw.length, dim])));
    let values: Float32Array;
    try {
      values = (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
    const vectors = raw.map((row, r) => {
      const vector = new Float32Array(dim + classes);
      let norm = 0;
      for (const v of row) norm += v * v;
      norm = Math.sqrt(norm);
      // Unit length, as the plain extractor's rows: the memory's similarity and the head's step size mean the same.
      if (norm > 1e-12) for (let i = 0; i < dim; i++) vector[i] = row[i]! / norm;
      vector.set(priorColumns(values.subarray(r * classes, (r + 1) * classes)), dim);
      return vector;
    });
    this.recent.push(...vectors);
    if (this.recent.length > REPLAY_LIMIT) this.recent.splice(0, this.recent.length - REPLAY_LIMIT);
    return vectors;
  }

  describe(): FeaturizerDescription {
    return {
      id: this.id,
      input: this.input,
      imageSize: this.extractor.inputSize,
      expects: (inputDim) =>
        `${inputDim} values for an image: the ${this.extractor.dim} outputs (L2-normalised) of the backbone of ${this.extractor.url}, ` +
        `then its own head's ${this.labels.length} log-probabilities divided by 100, not pixels: run that model first.`,
    };
  }

  async forget(): Promise<void> {
    this.recent.length = 0;
  }

  dispose(): void {
    this.recent.length = 0;
    this.extractor.dispose();
  }
}

/** model.json and metadata.json of an export, from its folder's URL or its model.json's. */
export function exportFiles(url: URL): { model: URL; metadata: URL } {
  if (/\.json$/i.test(url.pathname)) return { model: url, metadata: new URL('metadata.json', url) };
  const folder = url.pathname.endsWith('/') ? url : new URL(`${url.pathname}/${url.search}`, url);
  return { model: new URL(`model.json${folder.search}`, folder), metadata: new URL(`metadata.json${folder.search}`, folder) };
}

/**
 * Loads a Teachable Machine image export the site hosts. Rejects with a TypeError for a URL of another origin, and
 * with an Error naming the file for a missing file, a model that is not a layers classifier ending in a softmax, or
 * metadata whose labels do not match the model's outputs.
 */
export async function loadTeachableMachine(spec: TeachableMachineSpec): Promise<TeachableMachine> {
  const policy = originPolicy(spec.allowedOrigins ?? [], NOUN);
  const files = exportFiles(resolveUrl(spec.url, undefined, NOUN));
  policy.check(files.model, 'model', spec.url);
  policy.check(files.metadata, 'metadata', files.metadata.href);
  const modelHref = files.model.href;
  const [metadata, json] = await Promise.all([
    fetchJson(
      files.metadata,
      'metadata',
      `The metadata ${short(files.metadata.href)} of the ${NOUN.one}`,
      'a Teachable Machine metadata.json',
      policy,
    ),
    fetchModelJson(files.model, policy, NOUN),
  ]);
  const labels = metadataLabels(metadata, files.metadata.href);
  if (modelKind(json, modelHref, NOUN) !== 'layers') {
    throw new Error(
      `The ${NOUN.one} ${short(modelHref)} is a graph model; a Teachable Machine export is a layers model (model.json with a Keras ` +
        'modelTopology), whose head can be found and kept. Use the model.json Teachable Machine exported, or featureExtractor for a graph model.',
    );
  }
  let model: LayersModel;
  try {
    const { loadLayersModel } = await import('@tensorflow/tfjs-layers');
    model = await loadLayersModel({
      load: () => tf.io.getModelArtifactsForJSON(json, (manifest) => fetchWeights(manifest, files.model, policy, NOUN)),
    });
  } catch (error) {
    if (error instanceof FetchError || error instanceof OriginError) throw error;
    throw new Error(`The ${NOUN.one} ${short(modelHref)} is a layers model that TensorFlow.js could not load: ${message(error)}`, { cause: error });
  }
  try {
    model.trainable = false;
    const outputs = model.outputs[0]?.shape ?? [];
    const classes = outputs[outputs.length - 1];
    if (model.outputs.length !== 1 || outputs.length !== 2 || classes !== labels.length) {
      throw new Error(
        `The metadata ${short(files.metadata.href)} lists ${labels.length} labels (${labels.map((l) => JSON.stringify(l)).join(', ')}) but the ` +
          `${NOUN.one} ${short(modelHref)} outputs ${model.outputs.map((o) => `[${o.shape.map((d) => d ?? 'null').join(', ')}]`).join(' and ')}: ` +
          'they must come from the same export (one probability per label).',
      );
    }
    const split = splitAtEmbedding(model, modelHref);
    const input = model.inputs[0];
    const backbone = {
      inputShape: input?.shape ?? [],
      inputDtype: input?.dtype ?? 'float32',
      inputCount: model.inputs.length,
      outputCount: 1,
      run: async (x: tf.Tensor4D) => split.backbone(x),
      dispose: () => model.dispose(),
    };
    const extractor = await asExtractor(backbone, 'layers', modelHref, TM_INPUT_RANGE[0], TM_INPUT_RANGE[1], 'raw');
    const { imageSize } = metadata as { imageSize?: unknown };
    if (typeof imageSize === 'number' && imageSize !== extractor.inputSize) {
      throw new Error(
        `The metadata ${short(files.metadata.href)} says imageSize ${imageSize}, but the ${NOUN.one} ${short(modelHref)} takes ${extractor.inputSize}×${extractor.inputSize} images.`,
      );
    }
    return new TeachableMachine(extractor, split.head, labels);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** metadata.json's `labels`: at least two distinct, non-empty strings, as Teachable Machine writes them. */
function metadataLabels(metadata: unknown, url: string): string[] {
  const labels = typeof metadata === 'object' && metadata !== null ? (metadata as { labels?: unknown }).labels : undefined;
  const bad = (why: string) =>
    new Error(`The metadata ${short(url)} ${why}; a Teachable Machine metadata.json has "labels": the class names, in the model's output order.`);
  if (!Array.isArray(labels)) throw bad('has no "labels" array');
  if (labels.length < 2) throw bad(`lists ${labels.length} label${labels.length === 1 ? '' : 's'}, and a classifier needs at least 2`);
  labels.forEach((label: unknown, i) => {
    if (typeof label !== 'string' || label.trim() === '') throw bad(`has labels[${i}] = ${JSON.stringify(label)}, not a non-empty string`);
  });
  const duplicate = (labels as string[]).find((label, i) => labels.indexOf(label) !== i);
  if (duplicate !== undefined) throw bad(`lists ${JSON.stringify(duplicate)} twice`);
  return [...(labels as string[])];
}
