import * as tf from '@tensorflow/tfjs-core';

/**
 * Side length every image is resized to before it is featurised. 28 is MNIST's own size, so digits reach the
 * filters without resampling; a photo keeps its coarse shape and colour layout, which is what a linear head can
 * learn from a few hundred labels anyway.
 */
export const IMAGE_SIZE = 28;

/** RGBA pixels, row-major, already resized to IMAGE_SIZE × IMAGE_SIZE (an ImageData has this shape). */
export interface ImagePixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * A fixed (untrained) convolutional feature extractor: the first layer of a scattering network (Bruna & Mallat 2013)
 * — Morlet wavelets at 2 scales × L orientations, complex modulus, Gaussian pooling — next to a coarse low-pass of
 * luminance and colour. Nothing is learned or downloaded and every filter comes from a formula, so the features are the same on every
 * load; the only trained part is the engine's dense head, which wasm can train, while it cannot train a convolution
 * (FACTS.md). Configurable so variants can be compared; the engine uses DEFAULT_IMAGE_FEATURES.
 */
export interface ImageFeatureConfig {
  /** Wavelet orientations in [0, π). */
  orientations: number;
  /** Add second-order paths ||x ∗ ψ| ∗ ψ'| pooled on 4 × 4 (L² more maps). They do not pay off here: see below. */
  secondOrder: boolean;
  /** Multiplier on every coefficient. */
  scale: number;
}

/**
 * Measured on MNIST, 800 labels, 2,000 test images, 5 seeds, the head trained as workers/learning/head.ts does
 * (an experiment since retired from bench/): this design, 832 features, 95.4 %. Second order on top (1,856 features): 95.3 %, 1.8× the
 * training time. 6 or 12 orientations: within 0.1 point. The scale sets the size of a coefficient, and so how far
 * the head's fixed recipe (Adam 0.1, 80 steps from zero) moves the logits: ×1, ×2, ×4 gave 94.9, 95.3, 95.2 %.
 */
export const DEFAULT_IMAGE_FEATURES: ImageFeatureConfig = { orientations: 8, secondOrder: false, scale: 2 };

/** Grid the first-order maps are pooled on: 4-pixel cells, about a stroke's width. */
const GRID = 7;

/**
 * Grid of the low-pass (luminance and colour). Coarse on purpose: raw intensities on 7 × 7 cost 0.3 points on
 * MNIST and on 14 × 14 three points (the head fits pixel noise); 4 × 4 keeps the colour layout of a photo.
 */
const LOW_GRID = 4;

/** Luminance contrast is stretched to [0, 1] per image, but never by more than 1 / MIN_RANGE (a flat image stays flat). */
const MIN_RANGE = 0.2;

/** Images per tfjs batch: large enough to keep the kernels busy, small enough that intermediates stay a few MB. */
const CHUNK = 128;

/** Floats per image for a configuration. */
export function imageFeatureDim(config: ImageFeatureConfig): number {
  const l = config.orientations;
  // Luminance and two colour-opponent low-passes, two first-order scales, then any second-order paths.
  return 3 * LOW_GRID * LOW_GRID + 2 * l * GRID * GRID + (config.secondOrder ? l * l * 4 * 4 : 0);
}

export const IMAGE_FEATURE_DIM = imageFeatureDim(DEFAULT_IMAGE_FEATURES);

/**
 * A Morlet wavelet (Gabor minus a Gaussian so it has zero mean) as a size × size kernel, real and imaginary
 * parts, L1-normalised so responses at every scale and orientation are comparable. Parameters follow the
 * scattering transform (Bruna & Mallat; kymatio): σ = 0.8, ξ = 3π/4 at the finest scale, slant 4/L.
 */
function morlet(size: number, sigma: number, xi: number, theta: number, slant: number): { re: Float64Array; im: Float64Array } {
  const half = (size - 1) / 2;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const env = new Float64Array(size * size);
  const re = new Float64Array(size * size);
  const im = new Float64Array(size * size);
  let envSum = 0;
  let reSum = 0;
  let imSum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - half;
      const dy = y - half;
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      const e = Math.exp(-(u * u + slant * slant * v * v) / (2 * sigma * sigma));
      const i = y * size + x;
      env[i] = e;
      re[i] = e * Math.cos(xi * u);
      im[i] = e * Math.sin(xi * u);
      envSum += e;
      reSum += re[i]!;
      imSum += im[i]!;
    }
  }
  let l1 = 0;
  for (let i = 0; i < size * size; i++) {
    re[i] = re[i]! - (reSum / envSum) * env[i]!;
    im[i] = im[i]! - (imSum / envSum) * env[i]!;
    l1 += Math.hypot(re[i]!, im[i]!);
  }
  for (let i = 0; i < size * size; i++) {
    re[i] = re[i]! / l1;
    im[i] = im[i]! / l1;
  }
  return { re, im };
}

/** Filter bank laid out as [size, size, 1, 2L]: the L real parts, then the L imaginary parts. */
function waveletBank(size: number, orientations: number): Float32Array {
  const out = new Float32Array(size * size * 2 * orientations);
  for (let o = 0; o < orientations; o++) {
    const { re, im } = morlet(size, 0.8, (3 * Math.PI) / 4, (o * Math.PI) / orientations, 4 / orientations);
    for (let i = 0; i < size * size; i++) {
      out[i * 2 * orientations + o] = re[i]!;
      out[i * 2 * orientations + orientations + o] = im[i]!;
    }
  }
  return out;
}

function gaussian(size: number, sigma: number): Float32Array {
  const half = (size - 1) / 2;
  const out = new Float32Array(size * size);
  let sum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = Math.exp(-((x - half) ** 2 + (y - half) ** 2) / (2 * sigma * sigma));
      out[y * size + x] = v;
      sum += v;
    }
  }
  return out.map((v) => v / sum);
}

interface Filters {
  config: ImageFeatureConfig;
  wavelet: Float32Array;
  waveletSize: number;
}

const filterCache = new Map<string, Filters>();

/** Plain arrays only: tensors are made per batch inside tidy, so nothing outlives a call on any backend. */
function filtersFor(config: ImageFeatureConfig): Filters {
  const key = JSON.stringify(config);
  let filters = filterCache.get(key);
  if (!filters) {
    const waveletSize = 7;
    filters = { config, wavelet: waveletBank(waveletSize, config.orientations), waveletSize };
    filterCache.set(key, filters);
  }
  return filters;
}

const blurCache = new Map<number, Float32Array>();

/**
 * Gaussian low-pass and subsampling of every channel of a side × side map down to grid × grid. The Gaussian's σ is
 * half the stride, so each cell is averaged with a soft border, like overlapping HOG blocks.
 */
function pool(x: tf.Tensor4D, grid: number): tf.Tensor4D {
  const [, side, , c] = x.shape;
  const stride = Math.ceil(side / grid);
  const sigma = stride / 2;
  const size = 2 * Math.ceil(2 * sigma) + 1;
  let kernel = blurCache.get(sigma);
  if (!kernel) {
    kernel = gaussian(size, sigma);
    blurCache.set(sigma, kernel);
  }
  const k = tf.tile(tf.tensor4d(kernel, [size, size, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
  return tf.depthwiseConv2d(x, k, stride, 'same');
}

/** |x ∗ ψ| for every orientation: x is [B, H, W, C], the result [B, H, W, C·L]. */
function modulus(x: tf.Tensor4D, filters: Filters): tf.Tensor4D {
  const l = filters.config.orientations;
  const [b, h, w, c] = x.shape;
  const k = filters.waveletSize;
  const responses =
    c === 1
      ? tf.conv2d(x, tf.tensor4d(filters.wavelet, [k, k, 1, 2 * l]), 1, 'same')
      : tf.depthwiseConv2d(x, tf.tile(tf.tensor4d(filters.wavelet, [k, k, 1, 2 * l]), [1, 1, c, 1]) as tf.Tensor4D, 1, 'same');
  const pairs = tf.reshape(responses, [b * h * w * c, 2, l]);
  return tf.reshape(tf.sqrt(tf.sum(tf.square(pairs), 1)), [b, h, w, c * l]);
}

function featurizeChunk(images: readonly ImagePixels[], filters: Filters): tf.Tensor2D {
  const { config } = filters;
  const n = images.length;
  const side = IMAGE_SIZE;
  const rgba = new Float32Array(n * side * side * 4);
  images.forEach((image, i) => {
    if (image.width !== side || image.height !== side || image.data.length !== side * side * 4) {
      throw new RangeError(`Expected ${side}×${side} RGBA pixels, got ${image.width}×${image.height} (${image.data.length} values).`);
    }
    rgba.set(image.data, i * side * side * 4);
  });
  return tf.tidy(() => {
    const pixels = tf.div(tf.tensor4d(rgba, [n, side, side, 4]), 255);
    // Alpha is ignored: the engine draws images onto an opaque canvas before they get here.
    const [r, g, bl] = tf.split(tf.slice(pixels, [0, 0, 0, 0], [n, side, side, 3]), 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    // Shape lives in luminance; colour adds two opponent channels at the coarsest level only: cheap, and where colour
    // helps a small-data classifier (a red blob versus a green one). Grey images, MNIST's, give zeros there.
    const rawLum = tf.addN([tf.mul(r, 0.299), tf.mul(g, 0.587), tf.mul(bl, 0.114)]) as tf.Tensor4D;
    // Contrast stretch, so a dim or washed-out photo gives the features a well-lit one does; MNIST already spans [0, 1].
    const min = tf.min(rawLum, [1, 2, 3], true);
    const range = tf.maximum(tf.sub(tf.max(rawLum, [1, 2, 3], true), min), MIN_RANGE);
    const lum = tf.div(tf.sub(rawLum, min), range) as tf.Tensor4D;
    const redGreen = tf.sub(r, g) as tf.Tensor4D;
    const blueYellow = tf.sub(bl, tf.div(tf.add(r, g), 2)) as tf.Tensor4D;

    const fine = modulus(lum, filters);
    // Coarser scale: the same wavelets on a half-resolution image (a dilated wavelet, as in the scattering cascade).
    const coarse = modulus(tf.avgPool(lum, 2, 2, 'valid') as tf.Tensor4D, filters);
    const blocks = [pool(tf.concat([lum, redGreen, blueYellow], 3), LOW_GRID), pool(fine, GRID), pool(coarse, GRID)];
    if (config.secondOrder) blocks.push(pool(modulus(tf.avgPool(fine, 2, 2, 'valid') as tf.Tensor4D, filters), 4));
    // No per-image normalisation of the features: scaling each image's vector to unit length cost about a point on
    // MNIST (it makes a thin "1" as loud as a bold "8"), and standardising columns cost more (noisy border cells).
    const flat = blocks.map((block) => tf.reshape(block, [n, -1]));
    return tf.mul(tf.concat(flat, 1), config.scale) as tf.Tensor2D;
  });
}

/** Features of a batch with a chosen configuration; the engine calls featurizeImages. */
export async function featurizeImagesWith(images: readonly ImagePixels[], config: ImageFeatureConfig): Promise<Float32Array[]> {
  const filters = filtersFor(config);
  const dim = imageFeatureDim(config);
  const out: Float32Array[] = [];
  for (let start = 0; start < images.length; start += CHUNK) {
    const part = images.slice(start, start + CHUNK);
    const features = featurizeChunk(part, filters);
    let values: Float32Array;
    try {
      values = (await features.data()) as Float32Array;
    } finally {
      features.dispose();
    }
    if (values.length !== part.length * dim) throw new Error(`Image features: expected ${part.length * dim} values, got ${values.length}.`);
    // Separate buffers, so each row can be stored or transferred on its own.
    for (let i = 0; i < part.length; i++) out.push(values.slice(i * dim, (i + 1) * dim));
  }
  return out;
}

/** Fixed scattering features of IMAGE_FEATURE_DIM floats per image, computed on the active tfjs backend. */
export function featurizeImages(images: readonly ImagePixels[]): Promise<Float32Array[]> {
  return featurizeImagesWith(images, DEFAULT_IMAGE_FEATURES);
}
