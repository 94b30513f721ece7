import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ExportedModelMetadata } from '../../src/protocol.js';
import type { HeadParams } from './head.js';

/** The names the manifest gives the two files: `tf.io.browserFiles` matches weights by file name. */
export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface ExportHeadOptions {
  /** The served head: inputDim × classes weights, temperature already divided in. */
  head: HeadParams;
  /** Per-column statistics the head's inputs were standardised with (numeric rows), folded into the layer. */
  standardization?: { mean: Float32Array; std: Float32Array } | null;
  metadata: ExportedModelMetadata;
}

/**
 * The head as a standard tfjs-layers model: one Dense layer with softmax over [inputDim] inputs, so
 * `tf.loadLayersModel` (and tensorflowjs_converter, to Keras) take it. Standardisation is folded into the layer —
 * ((x − μ) / σ)·W + b = x·(W / σ) + (b − (μ / σ)·W) — so the exported model takes raw rows. Every tensor made here
 * is disposed before it returns or throws.
 */
export async function exportHead({ head, standardization, metadata }: ExportHeadOptions): Promise<{ modelJson: File; weights: File }> {
  const { inputDim, labels } = head;
  const classes = labels.length;
  const { weights, bias } = standardization ? fold(head, standardization.mean, standardization.std) : head;
  const model = tfl.sequential({
    name: 'hitl_classifier',
    // Zeros: the initializer's values are overwritten at once, and a random 16,384 × classes kernel is wasted work.
    layers: [
      tfl.layers.dense({
        name: 'head',
        inputShape: [inputDim],
        units: classes,
        activation: 'softmax',
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      }),
    ],
  });
  let artifacts: tf.io.ModelArtifacts | null = null;
  try {
    const values = [tf.tensor2d(weights, [inputDim, classes]), tf.tensor1d(bias)];
    try {
      model.layers[0]!.setWeights(values);
    } finally {
      tf.dispose(values);
    }
    model.setUserDefinedMetadata(metadata as unknown as Record<string, unknown>);
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } finally {
    model.dispose();
  }
  const saved = artifacts as tf.io.ModelArtifacts | null;
  if (!saved?.weightSpecs || saved.weightData === undefined) throw new Error('TensorFlow.js saved the model without its weights.');
  // The model.json tfjs writes (browserDownloads, tensorflowjs_converter): topology, manifest, and our metadata.
  const modelJson: tf.io.ModelJSON = {
    modelTopology: saved.modelTopology as object,
    format: saved.format ?? 'layers-model',
    generatedBy: saved.generatedBy ?? 'TensorFlow.js tfjs-layers',
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: saved.weightSpecs }],
    userDefinedMetadata: saved.userDefinedMetadata ?? {},
  };
  const buffers = Array.isArray(saved.weightData) ? saved.weightData : [saved.weightData];
  return {
    modelJson: new File([JSON.stringify(modelJson)], MODEL_JSON_FILE, { type: 'application/json' }),
    weights: new File(buffers, WEIGHTS_FILE, { type: 'application/octet-stream' }),
  };
}

/** Weights and bias that take raw rows: the standardisation's division and shift moved into the layer, in float64. */
function fold(head: HeadParams, mean: Float32Array, std: Float32Array): { weights: Float32Array; bias: Float32Array } {
  const { inputDim, labels } = head;
  const classes = labels.length;
  if (mean.length !== inputDim || std.length !== inputDim) {
    throw new RangeError(`The stored standardisation has ${mean.length} means and ${std.length} deviations for a head of ${inputDim} inputs.`);
  }
  const weights = new Float32Array(inputDim * classes);
  const shift = Float64Array.from(head.bias);
  for (let i = 0; i < inputDim; i++) {
    for (let c = 0; c < classes; c++) {
      const w = head.weights[i * classes + c]! / std[i]!;
      weights[i * classes + c] = w;
      shift[c]! -= mean[i]! * w;
    }
  }
  return { weights, bias: Float32Array.from(shift) };
}
