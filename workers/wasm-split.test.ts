// Real Chromium, the wasm backend as the engine starts it (backend.ts installs the heap split).
import * as tf from '@tensorflow/tfjs-core';
import { expect, test, vi } from 'vitest';
import { useBackend } from './backend.js';
import { useHeapSplit } from './wasm-split.js';

/** `values` of `shape` (row-major) cut along `axis` into parts of `sizes`, in plain JavaScript. */
function reference<T>(values: readonly T[], shape: readonly number[], axis: number, sizes: readonly number[]): T[][] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const length = shape[axis]!;
  let begin = 0;
  return sizes.map((size) => {
    const part: T[] = [];
    for (let o = 0; o < outer; o++) part.push(...values.slice((o * length + begin) * inner, (o * length + begin + size) * inner));
    begin += size;
    return part;
  });
}

test('SplitV on wasm gives every part as the plain definition does, for each axis and dtype, without reading the heap out', async () => {
  expect(await useBackend('wasm')).toBe('wasm');
  // Installed as the backend started; installing again changes nothing.
  const installed = tf.getKernel('SplitV', 'wasm');
  useHeapSplit();
  expect(tf.getKernel('SplitV', 'wasm')).toBe(installed);
  const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown };
  const before = tf.memory().numTensors;
  const cases: { shape: number[]; axis: number; sizes: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
    { shape: [2, 3, 4], axis: 0, sizes: [1, 1], dtype: 'float32' },
    { shape: [2, 3, 4], axis: 1, sizes: [1, 2], dtype: 'float32' },
    { shape: [2, 3, 4], axis: 2, sizes: [1, 1, 2], dtype: 'float32' },
    { shape: [5], axis: 0, sizes: [2, 0, 3], dtype: 'int32' },
    { shape: [2, 6], axis: 1, sizes: [6], dtype: 'int32' },
    { shape: [2, 6], axis: 1, sizes: [2, 2, 2], dtype: 'bool' },
    // As USE lite splits its projections, large enough that the outputs grow the heap.
    { shape: [64, 40, 1536], axis: 2, sizes: [512, 512, 512], dtype: 'float32' },
  ];
  for (const { shape, axis, sizes, dtype } of cases) {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: count }, (_, i) => (dtype === 'bool' ? i % 3 === 0 : dtype === 'int32' ? i - 7 : i * 0.5 - 3.25));
    const x = tf.tensor(values as number[], shape, dtype);
    const reads = vi.spyOn(backend, 'readSync');
    const parts = tf.split(x, sizes, axis);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    const expected = reference(values, shape, axis, sizes);
    parts.forEach((part, i) => {
      const shapeOf = [...shape];
      shapeOf[axis] = sizes[i]!;
      expect(part.shape).toEqual(shapeOf);
      expect(part.dtype).toBe(dtype);
      const got = part.dataSync();
      const want = expected[i]!;
      // Counted rather than compared with toEqual, which takes seconds over the large case's 1.3 million values each.
      let wrong = got.length === want.length ? 0 : 1;
      for (let j = 0; j < want.length; j++) if ((dtype === 'bool' ? got[j] === 1 : got[j]) !== want[j]) wrong += 1;
      expect(wrong).toBe(0);
    });
    // A count of equal parts, and a size of -1 (the rest), mean what they mean to tfjs.
    if (shape.length === 3 && shape[0] === 2 && axis === 2) {
      expect(tf.tidy(() => tf.split(x, 2, axis).map((p) => Array.from(p.dataSync())))).toEqual(reference(values, shape, axis, [2, 2]));
      expect(tf.tidy(() => tf.split(x, [1, -1], axis).map((p) => Array.from(p.dataSync())))).toEqual(reference(values, shape, axis, [1, 3]));
    }
    tf.dispose([x, ...parts]);
  }
  // Strings live outside the heap: the backend's own kernel still splits them (tf.split refuses them; a kernel call not).
  const words = tf.tensor(['a', 'b', 'c', 'd', 'e', 'f'], [2, 3], 'string');
  const [left, right] = tf.engine().runKernel('SplitV', { x: words }, { numOrSizeSplits: [1, 2], axis: 1 }) as tf.Tensor[];
  expect(left!.arraySync()).toEqual([['a'], ['d']]);
  expect(right!.arraySync()).toEqual([
    ['b', 'c'],
    ['e', 'f'],
  ]);
  tf.dispose([words, left!, right!]);
  expect(tf.memory().numTensors).toBe(before);
});
