import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  util,
  type KernelFunc,
  type SplitVAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * SplitV on the wasm backend without copying its input out of the wasm heap. tfjs-backend-wasm 4.22 splits as
 * slices, and each slice first copies the whole input into a new JavaScript array (readSync): three parts of a
 * tensor are three copies of all of it, each a fresh allocation the size of the tensor. Universal Sentence Encoder
 * lite splits its [texts, tokens, 1536] and [texts, tokens, 768] projections so: measured in the engine's Chromium,
 * ~140 ms of a ~600 ms pass of 32 texts (tf.profile), 5–55 ms in Node depending on how dear fresh pages are. This
 * copies each part straight from the input's place in the heap to the output's, a block per outer index; the values
 * are the same, only the copies are gone. Strings (never in the heap) keep the backend's own kernel.
 */
export function useHeapSplit(): void {
  const own = getKernel('SplitV', 'wasm');
  // No wasm backend loaded, or this one in place already (the backend started again): nothing to replace.
  if (!own || ours.has(own.kernelFunc)) return;
  const fallback = own.kernelFunc;
  const kernelFunc: KernelFunc = (args) => (args.inputs['x']!.dtype === 'string' ? fallback(args) : splitV(args));
  ours.add(kernelFunc);
  unregisterKernel('SplitV', 'wasm');
  registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc });
}

const ours = new WeakSet<KernelFunc>();
/** Values per block below which a plain loop copies faster than a view and `set`. */
const SMALL_BLOCK = 16;

function splitV({ inputs, attrs, backend: wasm }: Parameters<KernelFunc>[0]): TensorInfo[] {
  const x = inputs['x']!;
  const backend = wasm as BackendWasm;
  const { numOrSizeSplits, axis: axes } = attrs as unknown as SplitVAttrs;
  const axis = util.parseAxisParam(axes, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, axis);
  const outer = util.sizeFromShape(x.shape.slice(0, axis));
  const inner = util.sizeFromShape(x.shape.slice(axis + 1));
  const row = x.shape[axis]! * inner;
  let begin = 0;
  return sizes.map((size) => {
    const shape = [...x.shape];
    shape[axis] = size;
    const out = backend.makeOutput(shape, x.dtype);
    // Views taken after the output is allocated: an allocation may grow the heap, which detaches older views.
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const block = size * inner;
    const offset = begin * inner;
    // One block when the parts do not interleave (a split of the first axis, or into one part).
    if (outer === 1 || block === row) to.set(from.subarray(offset, offset + outer * block));
    else if (block >= SMALL_BLOCK) for (let o = 0; o < outer; o++) to.set(from.subarray(o * row + offset, o * row + offset + block), o * block);
    // Blocks of a few values (the channels of an image's pixels): a view per block would cost more than its copy.
    else for (let o = 0; o < outer; o++) for (let j = 0; j < block; j++) to[o * block + j] = from[o * row + offset + j]!;
    begin += size;
    return out;
  });
}
