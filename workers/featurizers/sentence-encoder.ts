import * as tf from '@tensorflow/tfjs-core';
// Types only: tfjs-converter loads on demand in loadSentenceEncoder, so a site without a text encoder never
// downloads or parses it in its worker.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { SentencePiece } from './sentencepiece.js';
import { MAX_TEXT_CHARS } from './text.js';
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

export const TEXT_ENCODER: ModelNoun = { one: 'text encoder', many: 'Text encoders' };

/** Texts per forward pass: Universal Sentence Encoder lite reaches its best time per text by 64 (4.6 ms vs 4.9 at 16). */
export const ENCODER_BATCH = 64;

/**
 * Rows an embedding table may have past the vocabulary: encoders keep a few for out-of-vocabulary buckets (USE lite:
 * 2 of 8,002). A vocabulary shorter than that is truncated or another model's, and its ids would point at the
 * wrong rows without any error.
 */
const MAX_EXTRA_ROWS = 16;

/** What the graph takes: a sparse batch of token ids, `indices` [n, 2] (row, position) and `values` [n]. */
const EXPECTED = "a text encoder must be a TensorFlow.js graph model taking 'indices' [n, 2] and 'values' [n] (int32 token ids)";

export interface SentenceEncoderOptions {
  /** The SentencePiece vocabulary (vocab.json, [piece, score] pairs); default `vocab.json` beside model.json. */
  vocabularyUrl?: string | undefined;
  /** Origins other than this one the files may come from; the feature extractor's rule (site-files.ts). */
  allowedOrigins?: string[] | undefined;
  /** What relative URLs resolve against; default this worker's location. */
  baseUrl?: string;
}

/** A frozen sentence encoder: texts in, unit-length rows out. Nothing in it is ever trained. */
export interface SentenceEncoder {
  /** Absolute URLs of the model.json and the vocabulary it was loaded from. */
  url: string;
  vocabularyUrl: string;
  /** Length of every row. */
  dim: number;
  /** One unit row per text, in order; a text with no tokens (blank) gets a row of zeros. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees the weights; embed() refuses to run afterwards. */
  dispose(): void;
}

/**
 * Loads a SentencePiece-tokenised graph model such as Universal Sentence Encoder lite from the site. Everything that
 * can be checked from model.json and the vocabulary is checked before the weights are fetched: that it is a graph
 * model with the `indices` and `values` inputs, and that its embedding table has a row for every piece of the
 * vocabulary and not many more. Then one forward pass checks the output is one row per text.
 *
 * Rejects with a TypeError when a URL's origin is not allowed, and with an Error that names the file and what was
 * expected when a file cannot be fetched or is not what it should be.
 */
export async function loadSentenceEncoder(url: string, options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
  const policy = originPolicy(options.allowedOrigins ?? [], TEXT_ENCODER);
  const modelUrl = resolveUrl(url, options.baseUrl, TEXT_ENCODER);
  policy.check(modelUrl, 'model', url);
  const vocabularyUrl = options.vocabularyUrl
    ? resolveUrl(options.vocabularyUrl, options.baseUrl, TEXT_ENCODER)
    : new URL('vocab.json', modelUrl.href);
  policy.check(vocabularyUrl, 'vocabulary', options.vocabularyUrl ?? vocabularyUrl.href);

  const vocabularyLabel = `The vocabulary ${short(vocabularyUrl.href)} of the text encoder`;
  // Fetched together, but a failure of model.json is reported first whichever fails first: the same error every time.
  const [modelFile, vocabularyFile] = await Promise.allSettled([
    fetchModelJson(modelUrl, policy, TEXT_ENCODER),
    fetchJson(vocabularyUrl, 'vocabulary', vocabularyLabel, 'a SentencePiece vocabulary of [piece, score] pairs', policy),
  ]);
  if (modelFile.status === 'rejected') throw modelFile.reason;
  if (vocabularyFile.status === 'rejected') throw vocabularyFile.reason;
  const json = modelFile.value;
  const vocabulary = vocabularyFile.value;
  const shown = short(modelUrl.href);
  if (modelKind(json, modelUrl.href, TEXT_ENCODER) !== 'graph') throw new Error(`The text encoder ${shown} is a layers model; ${EXPECTED}.`);
  const rows = embeddingRows(json, shown);

  let tokenizer: SentencePiece;
  try {
    tokenizer = new SentencePiece(vocabulary as unknown[]);
  } catch (error) {
    throw new Error(`${vocabularyLabel} is not a SentencePiece vocabulary: ${message(error)}`, { cause: error });
  }
  if (tokenizer.size > rows || rows - tokenizer.size > MAX_EXTRA_ROWS) {
    throw new Error(
      `${vocabularyLabel} has ${tokenizer.size} pieces, but the model's embedding table has ${rows} rows: expected the vocabulary the model ` +
        `was trained with (${rows - MAX_EXTRA_ROWS} to ${rows} pieces). Use the vocab.json that came with this model.json.`,
    );
  }

  let model: GraphModel;
  try {
    const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
    const handler: tf.io.IOHandler = {
      load: () => tf.io.getModelArtifactsForJSON(json, (manifest) => fetchWeights(manifest, modelUrl, policy, TEXT_ENCODER)),
    };
    model = await loadGraphModel(handler);
  } catch (error) {
    if (error instanceof FetchError || error instanceof OriginError) throw error;
    throw new Error(`The text encoder ${shown} is a graph model that TensorFlow.js could not load: ${message(error)}`, { cause: error });
  }
  try {
    return await asEncoder(model, tokenizer, modelUrl.href, vocabularyUrl.href);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { type?: unknown; shape?: { dim?: { size?: string | number }[] } }>;
}

/** Where an input name points: "node", "node:1" and "^node" (a control input) all name "node". */
function nodeName(input: string): string {
  return input.replace(/^\^/, '').replace(/:\d+$/, '');
}

/**
 * Checks the two inputs and finds the embedding table: the weight a Gather reads rows of, at indices computed from
 * `values`. Its row count is what the vocabulary must match.
 */
function embeddingRows(json: tf.io.ModelJSON, shown: string): number {
  const nodes = ((json.modelTopology as { node?: GraphNode[] }).node ?? []).filter((n) => typeof n?.name === 'string');
  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  const names = placeholders.map((n) => n.name);
  const indices = placeholders.find((n) => n.name === 'indices');
  const values = placeholders.find((n) => n.name === 'values');
  if (!indices || !values || placeholders.length !== 2) {
    throw new Error(`The text encoder ${shown} takes the inputs ${JSON.stringify(names)}; ${EXPECTED}.`);
  }
  for (const input of [indices, values]) {
    const type = input.attr?.['dtype']?.type;
    // GraphDef JSON spells types as enum numbers or names: DT_INT32 is 3, DT_INT64 is 9.
    if (!(type === 3 || type === 9 || type === 'DT_INT32' || type === 'DT_INT64')) {
      throw new Error(`The text encoder ${shown} takes '${input.name}' of type ${JSON.stringify(type)}; ${EXPECTED}.`);
    }
  }
  const indexDims = indices.attr?.['shape']?.shape?.dim;
  if (indexDims && (indexDims.length !== 2 || Number(indexDims[1]?.size) !== 2)) {
    throw new Error(`The text encoder ${shown} takes 'indices' of shape [${indexDims.map((d) => d.size).join(', ')}]; ${EXPECTED}.`);
  }

  const weights = new Map<string, number[]>();
  for (const group of json.weightsManifest ?? []) for (const w of group.weights ?? []) weights.set(w.name, w.shape);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const fromValues = new Map<string, boolean>();
  const readsValues = (name: string): boolean => {
    // Iterative, with a memo: converted graphs run to hundreds of nodes, and a recursion per input could overflow.
    const stack = [name];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (current === 'values' || fromValues.get(current)) return (fromValues.set(name, true), true);
      if (seen.has(current)) continue;
      seen.add(current);
      for (const input of byName.get(current)?.input ?? []) stack.push(nodeName(input));
    }
    fromValues.set(name, false);
    return false;
  };
  for (const node of nodes) {
    if (!/^(GatherV2|Gather|ResourceGather)$/.test(node.op) || !node.input || node.input.length < 2) continue;
    const shape = weights.get(nodeName(node.input[0]!));
    if (shape?.length === 2 && readsValues(nodeName(node.input[1]!))) return shape[0]!;
  }
  throw new Error(
    `The text encoder ${shown} has no embedding table to check the vocabulary against: no Gather reads rows of a weight [rows, width] at the token ids in 'values'. ${EXPECTED[0]!.toUpperCase()}${EXPECTED.slice(1)}, looking its tokens up in such a table.`,
  );
}

/** Wraps the loaded graph; one forward pass checks the output shape and gives the row length. */
async function asEncoder(model: GraphModel, tokenizer: SentencePiece, url: string, vocabularyUrl: string): Promise<SentenceEncoder> {
  if (model.outputs.length !== 1) {
    throw new Error(`The text encoder ${short(url)} has ${model.outputs.length} outputs; it must have one, a row [texts, width] per text.`);
  }
  let disposed = false;
  // Graphs with control flow or dynamic shapes only run through executeAsync; the synchronous path is faster where
  // it works, so it is tried first and the answer remembered.
  let needsAsync = false;
  const run = async (feeds: tf.NamedTensorMap): Promise<tf.Tensor> => {
    if (!needsAsync) {
      try {
        return tf.tidy(() => model.execute(feeds) as tf.Tensor);
      } catch (error) {
        if (!/executeAsync/.test(message(error))) throw error;
        needsAsync = true;
      }
    }
    return (await model.executeAsync(feeds)) as tf.Tensor;
  };

  /** Rows for texts that all have tokens, in one pass. */
  async function forward(tokens: number[][]): Promise<{ values: Float32Array; shape: number[] }> {
    let count = 0;
    for (const t of tokens) count += t.length;
    const indices = new Int32Array(count * 2);
    const ids = new Int32Array(count);
    let k = 0;
    tokens.forEach((row, r) => {
      row.forEach((id, position) => {
        indices[2 * k] = r;
        indices[2 * k + 1] = position;
        ids[k++] = id;
      });
    });
    const feeds = { indices: tf.tensor2d(indices, [count, 2], 'int32'), values: tf.tensor1d(ids, 'int32') };
    let output: tf.Tensor;
    try {
      output = await run(feeds);
    } finally {
      feeds.indices.dispose();
      feeds.values.dispose();
    }
    try {
      if (output.rank !== 2 || output.shape[0] !== tokens.length) {
        throw new Error(
          `The text encoder ${short(url)} gave an output of shape [${output.shape.join(', ')}] for ${tokens.length} texts; ` +
            'a text encoder must give one row per text, [texts, width].',
        );
      }
      return { values: Float32Array.from(await output.data()), shape: output.shape };
    } finally {
      output.dispose();
    }
  }

  let probe: { values: Float32Array; shape: number[] };
  try {
    probe = await forward([tokenizer.encode('a')]);
  } catch (error) {
    const backend = tf.getBackend();
    // tfjs-converter reads some of this graph's shapes back synchronously; on WebGPU that goes through canvases, and
    // on Chromium's software adapter it lost the device (seen with USE lite): say what to do instead of a GPU error.
    if (backend !== 'webgpu' || (error instanceof Error && /gives|gave|outputs/.test(error.message))) throw error;
    throw new Error(
      `The text encoder ${short(url)} could not run on the webgpu backend (${message(error)}). ` +
        "Open the model with backend: 'auto', which never picks a software WebGPU adapter, or 'wasm'.",
      { cause: error },
    );
  }
  const dim = probe.shape[1]!;
  if (dim < 1) throw new Error(`The text encoder ${short(url)} gives empty rows.`);

  return {
    url,
    vocabularyUrl,
    dim,
    async embed(texts) {
      if (disposed) throw new Error(`The text encoder from ${url} was disposed.`);
      const out = texts.map(() => new Float32Array(dim));
      // Blank texts have no tokens, so no row in the sparse batch: they keep their zeros and are not sent.
      const tokens = texts.map((text) => tokenizer.encode(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text));
      // Shortest first: the encoder pads every row of a pass to its longest, so passes of like lengths waste least.
      const sent = tokens.flatMap((t, i) => (t.length > 0 ? [i] : [])).sort((a, b) => tokens[a]!.length - tokens[b]!.length);
      for (let start = 0; start < sent.length; start += ENCODER_BATCH) {
        const part = sent.slice(start, start + ENCODER_BATCH);
        const { values } = await forward(part.map((i) => tokens[i]!));
        part.forEach((i, r) => unit(values.subarray(r * dim, (r + 1) * dim), out[i]!, url));
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}

/**
 * Writes `row` at unit length into `out`. USE already normalises its output; another encoder's scale is arbitrary,
 * and unit rows keep the share each part of a joined vector gets (text-encoder.ts) what it says.
 */
function unit(row: Float32Array, out: Float32Array, url: string): void {
  let sum = 0;
  for (const v of row) sum += v * v;
  if (!Number.isFinite(sum)) throw new Error(`The text encoder at ${url} gave a non-finite value (NaN or ±Infinity).`);
  if (sum === 0) return;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < row.length; i++) out[i] = row[i]! * scale;
}
