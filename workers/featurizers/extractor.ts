import * as tf from '@tensorflow/tfjs-core';
// Types only: the packages themselves load on demand in loadFeatureExtractor, so a site without a feature
// extractor never downloads or parses tfjs-layers/tfjs-converter in its worker.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { FetchError, fetchModelJson, fetchWeights, message, modelKind, OriginError, originPolicy, resolveUrl } from './site-files.js';

/** RGBA pixels, row-major, already resized by the caller to inputSize × inputSize (an ImageData has this shape). */
export interface ImagePixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface FeatureExtractorOptions {
  /**
   * Origins other than this one the model (model.json and its weight files) may come from, e.g.
   * `['https://models.example.com']`. `'data:'` and `'blob:'` allow those URL schemes, which are refused otherwise:
   * their content is not something the site hosts.
   */
  allowedOrigins?: string[];
  /**
   * The values pixel bytes 0 and 255 map to, linearly. Default [0, 1]. MobileNet-style models (Teachable Machine's
   * included) were trained on [-1, 1]; a model fed the wrong range still runs but its features are poor.
   */
  inputRange?: [number, number];
  /**
   * What a relative `url` is resolved against; default `self.location.href`. In a worker that is the worker
   * script's URL, not the page's, so the page should resolve a site's relative URL against `document.baseURI`
   * and pass the result (or pass that base here).
   */
  baseUrl?: string;
  /**
   * A layers model only: the name of the layer whose output is the feature row (layers-cut.ts), so a whole
   * classifier can serve as the extractor, cut before its head. Default: the model's own output.
   */
  layer?: string;
}

/** A frozen image model that turns pixels into feature rows; nothing in it is ever trained. */
export interface FeatureExtractor {
  /** The absolute URL of the model.json it was loaded from. */
  url: string;
  kind: 'layers' | 'graph';
  /** The square side the model takes, read from its input shape: resize images to this before featurize(). */
  inputSize: number;
  /** 3 feeds R, G, B; 1 feeds luma (0.299 R + 0.587 G + 0.114 B, as tf.image.rgbToGrayscale). Alpha is ignored. */
  channels: 1 | 3;
  /** Length of every feature row. */
  dim: number;
  /** One L2-normalised row per image, in order. */
  featurize(images: ImagePixels[]): Promise<Float32Array[]>;
  /** Frees the model's weights; featurize() refuses to run afterwards. */
  dispose(): void;
}

/** Images per forward pass: enough to keep the kernels busy, while a MobileNet's activations stay ~100 MB. */
export const EXTRACTOR_BATCH = 64;

const LUMA = [0.299, 0.587, 0.114] as const;
/** Rows shorter than this are left at zero instead of being blown up into noise by the normalisation. */
const MIN_NORM = 1e-12;

/**
 * Loads a TensorFlow.js layers or graph model as a frozen feature extractor.
 *
 * The model must take one float image batch [batch, size, size, 1 | 3] (NHWC, height = width, fixed) and give
 * [batch, n] features, or a [batch, h, w, c] feature map, which is globally average-pooled to [batch, c] (as
 * Keras applications' `pooling: 'avg'` does): pooling keeps every channel, makes the row independent of where in
 * the image a pattern is, and keeps the row short enough for a linear head trained on a few hundred labels.
 *
 * Rejects with a TypeError when the URL's origin is not allowed, and with an Error that names the URL when the
 * file cannot be fetched, is not a TensorFlow.js model, or has the wrong input or output shape.
 */
export async function loadFeatureExtractor(url: string, options: FeatureExtractorOptions = {}): Promise<FeatureExtractor> {
  const [low, high] = options.inputRange ?? [0, 1];
  if (!Number.isFinite(low) || !Number.isFinite(high) || low >= high) {
    throw new RangeError(`inputRange must be two finite numbers [low, high] with low < high, got ${JSON.stringify(options.inputRange)}.`);
  }
  const policy = originPolicy(options.allowedOrigins ?? []);
  const modelUrl = resolveUrl(url, options.baseUrl);
  policy.check(modelUrl, 'model', url);

  const json = await fetchModelJson(modelUrl, policy);
  const kind = modelKind(json, modelUrl.href);
  const handler: tf.io.IOHandler = {
    load: () => tf.io.getModelArtifactsForJSON(json, (manifest) => fetchWeights(manifest, modelUrl, policy)),
  };

  if (options.layer !== undefined && kind !== 'layers') {
    throw new TypeError(
      `featureExtractor.layer cuts a layers model, but ${modelUrl.href} is a graph model, whose nodes have no layer names: ` +
        "convert the Keras model with tfjs-converter's tfjs_layers_model output, or leave layer out.",
    );
  }
  let model: LoadedModel;
  let loadedLayers: LayersModel | null = null;
  try {
    if (kind === 'layers') {
      const { loadLayersModel } = await import('@tensorflow/tfjs-layers');
      const layers = await loadLayersModel(handler);
      // Frozen: nothing may ever update these weights, even if someone compiles and fits the model.
      layers.trainable = false;
      loadedLayers = layers;
      model = layersModel(layers);
    } else {
      const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
      model = graphModel(await loadGraphModel(handler));
    }
  } catch (error) {
    if (error instanceof FetchError || error instanceof OriginError) throw error;
    throw new Error(`The feature extractor at ${modelUrl.href} is a ${kind} model that TensorFlow.js could not load: ${message(error)}`, {
      cause: error,
    });
  }

  if (loadedLayers && options.layer !== undefined) model = await cutModel(loadedLayers, options.layer, modelUrl.href);
  try {
    return await asExtractor(model, kind, modelUrl.href, low, high);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The layers model from its input to `layer`'s output; disposing it frees the whole model. */
async function cutModel(layers: LayersModel, layer: string, url: string): Promise<LoadedModel> {
  const { model: makeModel } = await import('@tensorflow/tfjs-layers');
  const { cutAtLayer } = await import('./layers-cut.js');
  try {
    const part = cutAtLayer(layers, layer, url, makeModel);
    return { ...layersModel(layers), run: async (x) => part(x) };
  } catch (error) {
    layers.dispose();
    throw error;
  }
}

/** What featurize needs from either kind of model. */
export interface LoadedModel {
  inputShape: (number | null)[];
  inputDtype: string;
  inputCount: number;
  outputCount: number;
  /** The raw output for one batch; the caller disposes it (and `x`). */
  run(x: tf.Tensor4D): Promise<tf.Tensor>;
  dispose(): void;
}

function layersModel(model: LayersModel): LoadedModel {
  const input = model.inputs[0];
  return {
    inputShape: input?.shape ?? [],
    inputDtype: input?.dtype ?? 'float32',
    inputCount: model.inputs.length,
    outputCount: model.outputs.length,
    run: async (x) => tf.tidy(() => model.predict(x) as tf.Tensor),
    dispose: () => model.dispose(),
  };
}

function graphModel(model: GraphModel): LoadedModel {
  const input = model.inputs[0];
  // Graphs with control flow or dynamic shapes only run through executeAsync; the synchronous path is faster
  // and works for plain convolutional networks, so it is tried first and the answer remembered.
  let needsAsync = false;
  return {
    inputShape: input?.shape?.map((d) => (d < 0 ? null : d)) ?? [],
    inputDtype: input?.dtype ?? 'float32',
    inputCount: model.inputs.length,
    outputCount: model.outputs.length,
    run: async (x) => {
      if (!needsAsync) {
        try {
          return tf.tidy(() => model.execute(x) as tf.Tensor);
        } catch (error) {
          if (!/executeAsync/.test(message(error))) throw error;
          needsAsync = true;
        }
      }
      return (await model.executeAsync(x)) as tf.Tensor;
    },
    dispose: () => model.dispose(),
  };
}

/** Checks the model's signature with one real forward pass and wraps it as a FeatureExtractor. */
export async function asExtractor(
  model: LoadedModel,
  kind: 'layers' | 'graph',
  url: string,
  low: number,
  high: number,
  /** 'raw' leaves rows as the model gives them, for a caller that feeds them to the model's own head first. */
  rows: 'unit' | 'raw' = 'unit',
): Promise<FeatureExtractor> {
  const shape = model.inputShape;
  const [batch, height, width, channels] = shape;
  const expectation = 'a feature extractor must take one float image batch [batch, size, size, channels] with channels 1 or 3';
  if (model.inputCount !== 1) throw new Error(`The feature extractor at ${url} takes ${model.inputCount} inputs; ${expectation}.`);
  if (shape.length !== 4 || !(channels === 1 || channels === 3) || height == null || height !== width) {
    const fixed =
      shape.length === 4 && (height == null || width == null)
        ? ' (its height and width must be fixed numbers, to know what size to resize images to)'
        : '';
    throw new Error(`The feature extractor at ${url} takes input ${shapeText(shape)}; ${expectation}${fixed}.`);
  }
  if (model.inputDtype !== 'float32') throw new Error(`The feature extractor at ${url} takes ${model.inputDtype} input; ${expectation}.`);
  if (model.outputCount !== 1)
    throw new Error(
      `The feature extractor at ${url} has ${model.outputCount} outputs; it must have one, [batch, features] or [batch, h, w, channels].`,
    );

  const size = height;
  // A model saved with a fixed batch (often 1 in converted graphs) only accepts exactly that many images.
  const fixedBatch = batch != null && batch > 0 ? batch : null;
  const chunk = fixedBatch ?? EXTRACTOR_BATCH;
  let disposed = false;

  /** One forward pass of up to `chunk` images (at least one row), output pooled to [rows, dim] and downloaded. */
  async function forward(images: ImagePixels[]): Promise<{ values: Float32Array; shape: number[] }> {
    const rows = fixedBatch ?? Math.max(images.length, 1);
    const x = toInput(images, rows, size, channels as 1 | 3, low, high);
    let raw: tf.Tensor;
    try {
      raw = await model.run(x);
    } finally {
      x.dispose();
    }
    const rawShape = raw.shape;
    let pooled = raw;
    try {
      if (raw.rank === 4) pooled = tf.mean(raw, [1, 2]);
    } finally {
      if (pooled !== raw) raw.dispose();
    }
    try {
      if (pooled.rank !== 2 || pooled.shape[0] !== rows) {
        throw new Error(
          `The feature extractor at ${url} outputs ${shapeText(rawShape)}; a feature extractor must output features [batch, n] ` +
            'or a feature map [batch, h, w, channels] (which is average-pooled to [batch, channels]).',
        );
      }
      return { values: Float32Array.from(await pooled.data()), shape: pooled.shape };
    } finally {
      pooled.dispose();
    }
  }

  // A probe of zeros (in the model's own range) finds the output shape for both kinds: graph models rarely
  // record the shapes of anything but their inputs.
  const probe = await forward([]);
  const dim = probe.shape[1]!;
  if (dim < 1) throw new Error(`The feature extractor at ${url} outputs ${shapeText(probe.shape)}: an empty feature row.`);

  return {
    url,
    kind,
    inputSize: size,
    channels: channels as 1 | 3,
    dim,
    async featurize(images) {
      if (disposed) throw new Error(`The feature extractor from ${url} was disposed.`);
      images.forEach((image, i) => {
        if (image.width !== size || image.height !== size || image.data.length !== size * size * 4) {
          throw new RangeError(
            `Image ${i} is ${image.width}×${image.height} with ${image.data.length} values; this feature extractor takes RGBA ` +
              `pixels resized to ${size}×${size} (${size * size * 4} values), e.g. decodeImage(wire, ${size}).`,
          );
        }
      });
      const out: Float32Array[] = [];
      for (let start = 0; start < images.length; start += chunk) {
        const part = images.slice(start, start + chunk);
        const { values } = await forward(part);
        for (let r = 0; r < part.length; r++) {
          const row = values.subarray(r * dim, (r + 1) * dim);
          out.push(rows === 'unit' ? normalised(row, url, start + r) : row.slice());
        }
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
 * Pixels → [rows, size, size, channels] floats, bytes 0…255 mapped linearly onto [low, high]. Rows past
 * `images.length` (padding for a fixed batch, or the load-time probe) are the value of a black pixel.
 */
function toInput(images: ImagePixels[], rows: number, size: number, channels: 1 | 3, low: number, high: number): tf.Tensor4D {
  const scale = (high - low) / 255;
  const plane = size * size;
  const values = new Float32Array(rows * plane * channels).fill(low);
  let o = 0;
  for (const { data } of images) {
    for (let p = 0; p < plane; p++) {
      const r = data[p * 4]!;
      const g = data[p * 4 + 1]!;
      const b = data[p * 4 + 2]!;
      if (channels === 3) {
        values[o++] = low + r * scale;
        values[o++] = low + g * scale;
        values[o++] = low + b * scale;
      } else {
        values[o++] = low + (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b) * scale;
      }
    }
  }
  return tf.tensor4d(values, [rows, size, size, channels]);
}

/**
 * Unit length per row. An extractor's raw scale is arbitrary (post-ReLU MobileNet activations run into the tens,
 * a small net's stay near 1); on the unit sphere the head's learning rate and regularisation, and the engine's
 * nearest-neighbour similarity, mean the same for every model, and dot products are cosine similarities.
 */
function normalised(row: Float32Array, url: string, index: number): Float32Array {
  let sum = 0;
  for (const v of row) sum += v * v;
  if (!Number.isFinite(sum)) throw new Error(`The feature extractor at ${url} gave a non-finite feature for image ${index} (NaN or ±Infinity).`);
  const norm = Math.sqrt(sum);
  const out = new Float32Array(row.length);
  if (norm < MIN_NORM) return out;
  for (let i = 0; i < row.length; i++) out[i] = row[i]! / norm;
  return out;
}

function shapeText(shape: readonly (number | null)[]): string {
  if (shape.length === 0) return 'of unknown shape';
  return `[${shape.map((d) => (d == null || d < 0 ? 'null' : String(d))).join(', ')}]`;
}
