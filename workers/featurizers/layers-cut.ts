import * as tf from '@tensorflow/tfjs-core';
// Types only: callers have already loaded tfjs-layers on demand (extractor.ts), and pass its `model` function.
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';

type Layer = LayersModel['layers'][number];

/** tfjs-layers' `tf.model`, passed in so this module never loads the package itself. */
export type ModelFactory = (args: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[] }) => LayersModel;

/** A part of a layers model run on concrete tensors; the caller disposes what it returns. */
export type LayersRun = (x: tf.Tensor) => tf.Tensor;

/** Layers a classification block is made of: what follows the embedding in a Teachable Machine export (Dense 100, ReLU, Dense n, softmax). */
const HEAD_LAYERS = new Set(['Dense', 'Dropout', 'Activation', 'Softmax', 'ReLU']);

/** Names listed in an error before the rest are counted: a MobileNet has ~90 layers. */
const LISTED = 40;

function isModel(layer: Layer): layer is Layer & LayersModel {
  return Array.isArray((layer as Partial<LayersModel>).layers) && (layer as Partial<LayersModel>).inputs !== undefined;
}

/** A Sequential's layers, with nested Sequentials opened up (Teachable Machine nests two: the backbone and the head). */
function chainOf(model: LayersModel): Layer[] {
  if (model.getClassName() !== 'Sequential') return [model];
  return model.layers.flatMap((layer) => (isModel(layer) && layer.getClassName() === 'Sequential' ? chainOf(layer) : [layer]));
}

/** Every layer name cutAtLayer can cut at, in order: the chain's, and those of the functional models in it. */
export function layerNames(model: LayersModel): string[] {
  return chainOf(model).flatMap((unit) => (isModel(unit) ? [unit.name, ...unit.layers.map((layer) => layer.name)] : [unit.name]));
}

function run(units: readonly Layer[]): LayersRun {
  return (x) => tf.tidy(() => units.reduce<tf.Tensor>((input, unit) => unit.apply(input) as tf.Tensor, x));
}

/**
 * The model from its input to the output of the layer called `name`: a layer of the model itself, or of a model
 * nested in it (a Teachable Machine export nests the MobileNet, whose layers keep their Keras names). Throws an Error
 * listing the layers there are when there is none by that name.
 */
export function cutAtLayer(model: LayersModel, name: string, url: string, makeModel: ModelFactory): LayersRun {
  const chain = chainOf(model);
  for (let i = 0; i < chain.length; i++) {
    const unit = chain[i]!;
    if (unit.name === name) return run(chain.slice(0, i + 1));
    if (!isModel(unit)) continue;
    const inner = findLayer(unit, name);
    if (!inner) continue;
    // A functional model (the whole model, or one nested in a Sequential): its graph gives the layer's output.
    const cut = makeModel({ inputs: unit.inputs, outputs: inner.output as SymbolicTensor });
    return run([...chain.slice(0, i), cut]);
  }
  const names = layerNames(model);
  const listed = names.slice(0, LISTED).map((n) => JSON.stringify(n));
  const more = names.length > LISTED ? `, … and ${names.length - LISTED} more` : '';
  throw new Error(`The model ${url} has no layer named ${JSON.stringify(name)}. Its layers are: ${listed.join(', ')}${more}.`);
}

function findLayer(model: LayersModel, name: string): Layer | null {
  try {
    return model.getLayer(name);
  } catch {
    // getLayer throws for a name it does not have.
    return null;
  }
}

/** A classifier split at its embedding: the layers up to it, and the classification block after it. */
export interface SplitClassifier {
  backbone: LayersRun;
  head: LayersRun;
  /** The name of the last backbone layer, whose output is the embedding. */
  embeddingLayer: string;
  /** The classification block's layers, for messages. */
  headLayers: string[];
}

/**
 * Finds the embedding from the model's structure: the input of the trailing classification block (Dense, Dropout,
 * Activation and Softmax layers at the end of a Sequential chain, nested Sequentials opened up), which must end in a
 * softmax so that its output is probabilities. Throws an Error naming what it found otherwise.
 */
export function splitAtEmbedding(model: LayersModel, url: string): SplitClassifier {
  const chain = chainOf(model);
  let start = chain.length;
  while (start > 0 && HEAD_LAYERS.has(chain[start - 1]!.getClassName())) start--;
  const head = chain.slice(start);
  const described = chain.map((layer) => `${layer.name} (${layer.getClassName()})`).join(' → ');
  if (start === 0 || !head.some((layer) => layer.getClassName() === 'Dense')) {
    throw new Error(
      `The model ${url} is not a backbone followed by a dense classification block: it is ${described}. ` +
        'Expected a Sequential model whose last layers are Dense (with Dropout, Activation or Softmax), as Teachable Machine exports.',
    );
  }
  const last = head[head.length - 1]!;
  const config = last.getConfig() as { activation?: string };
  const softmax = last.getClassName() === 'Softmax' || config.activation === 'softmax';
  if (!softmax) {
    throw new Error(
      `The model ${url} ends in ${last.name} (${last.getClassName()}, activation ${JSON.stringify(config.activation ?? null)}), not a softmax: ` +
        'its outputs are not class probabilities.',
    );
  }
  return {
    backbone: run(chain.slice(0, start)),
    head: run(head),
    embeddingLayer: chain[start - 1]!.name,
    headLayers: head.map((layer) => layer.name),
  };
}
