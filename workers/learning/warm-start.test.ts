import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import type { SparseVector } from '../featurizers/vector.js';
import { trainHeads } from './head.js';
import { fromZerosReason, trainWarm, WARM_MAX_GROWTH, WARM_MIN_EXAMPLES, type WarmCandidate } from './warm-start.js';

const DIM = 400;

/** Unit-norm sparse rows whose class shows in a few columns of its own, among columns every class uses. */
function dataset(n: number, classes: number, seed: number, marker?: number): { rows: SparseVector[]; targets: Int32Array } {
  const random = seededRandom(seed);
  const targets = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
  const rows = Array.from(targets, (t) => {
    // The last column is left to the marker.
    const columns = new Set<number>(marker === undefined ? [] : [marker]);
    while (columns.size < 14) columns.add(random() < 0.35 ? t * 10 + Math.floor(random() * 10) : 100 + Math.floor(random() * (DIM - 101)));
    const indices = Int32Array.from([...columns].sort((a, b) => a - b));
    const values = Float32Array.from(indices, () => 0.2 + random());
    const norm = Math.hypot(...values);
    return { indices, values: values.map((v) => v / norm) };
  });
  return { rows, targets };
}

function accuracy(head: { weights: Float32Array; bias: Float32Array }, rows: SparseVector[], targets: Int32Array, classes: number): number {
  let correct = 0;
  rows.forEach((row, r) => {
    const z = Array.from(head.bias);
    row.indices.forEach((a, j) => {
      for (let c = 0; c < classes; c++) z[c]! += head.weights[a * classes + c]! * row.values[j]!;
    });
    if (z.indexOf(Math.max(...z)) === targets[r]) correct += 1;
  });
  return correct / rows.length;
}

const breathe = async () => {};

describe('warm-start retraining', () => {
  test.each([2, 3])('from a trained head, two passes keep its accuracy and learn what new labels teach (%i classes)', async (classes) => {
    const old = dataset(600, classes, 11 + classes);
    const test_ = dataset(400, classes, 99 + classes);
    const [served] = await trainHeads({ ...old, classes, inputDim: DIM, subsets: [new Uint8Array(600).fill(1)] });
    // New labels: class 0, each carrying a column no earlier example had (an n-gram nobody labelled before).
    const marker = DIM - 1;
    const fresh = dataset(200, 1, 7, marker);
    const rows = [...old.rows, ...fresh.rows];
    const targets = Int32Array.from([...old.targets, ...fresh.targets]);
    const warm = await trainWarm({ rows, targets, classes, inputDim: DIM, start: served!, seed: 1, breathe });
    expect(accuracy(warm, test_.rows, test_.targets, classes)).toBeGreaterThanOrEqual(accuracy(served!, test_.rows, test_.targets, classes) - 0.02);
    // The served head never saw the marker; the warm one learned it for class 0.
    expect(served!.weights[marker * classes]).toBe(0);
    const markerWeights = Array.from({ length: classes }, (_, c) => warm.weights[marker * classes + c]!);
    expect(markerWeights.indexOf(Math.max(...markerWeights))).toBe(0);
    expect(Number.isFinite(warm.loss)).toBe(true);
  });

  test('is deterministic for a seed, and refuses a start of another shape', async () => {
    const { rows, targets } = dataset(300, 2, 3);
    const start = { weights: new Float32Array(DIM * 2), bias: new Float32Array(2) };
    const a = await trainWarm({ rows, targets, classes: 2, inputDim: DIM, start, seed: 5, breathe });
    const b = await trainWarm({ rows, targets, classes: 2, inputDim: DIM, start, seed: 5, breathe });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    await expect(trainWarm({ rows, targets, classes: 3, inputDim: DIM, start, seed: 5, breathe })).rejects.toThrow(/400 × 3 weights and 3 biases/);
  });

  test('trains with the L2 strength its head was chosen with: a strong one pulls the weights in', async () => {
    const { rows, targets } = dataset(600, 3, 8);
    const [served] = await trainHeads({ rows, targets, classes: 3, inputDim: DIM, subsets: [new Uint8Array(600).fill(1)] });
    const norm = (w: Float32Array) => Math.hypot(...w);
    const warm = (l2?: number) => trainWarm({ rows, targets, classes: 3, inputDim: DIM, start: served!, seed: 2, breathe, ...(l2 ? { l2 } : {}) });
    const [usual, strong] = [await warm(), await warm(1e-1)];
    // Two passes at a tenth of the from-zeros rate move the weights little: the default keeps their size, a strong
    // penalty pulls them in.
    const start = norm(served!.weights);
    expect(norm(usual.weights)).toBeGreaterThan(0.995 * start);
    expect(norm(strong.weights)).toBeLessThan(0.98 * start);
  });

  test('stops between batches when asked to', async () => {
    const { rows, targets } = dataset(1_000, 2, 4);
    const start = { weights: new Float32Array(DIM * 2), bias: new Float32Array(2) };
    let batches = 0;
    const stop = new Error('stopped');
    await expect(
      trainWarm({ rows, targets, classes: 2, inputDim: DIM, start, seed: 1, breathe, shouldStop: () => (++batches > 2 ? stop : null) }),
    ).rejects.toBe(stop);
  });

  test('starts from zeros unless a text head of the same labels and features serves, past the minimum and within the growth', () => {
    const served = { labels: ['a', 'b'], inputDim: DIM, fromZerosAt: WARM_MIN_EXAMPLES, temperature: 1.3 };
    const base: WarmCandidate = { served, labels: ['a', 'b'], inputDim: DIM, examples: WARM_MIN_EXAMPLES + 10, sparse: true, forced: false };
    expect(fromZerosReason(base)).toBeNull();
    expect(fromZerosReason({ ...base, forced: true })).toBe('asked for');
    expect(fromZerosReason({ ...base, sparse: false })).toMatch(/not a text head/);
    expect(fromZerosReason({ ...base, served: null })).toMatch(/no head/);
    expect(fromZerosReason({ ...base, served: { labels: ['a', 'b'], inputDim: DIM } })).toMatch(/does not say/);
    expect(fromZerosReason({ ...base, labels: ['a', 'b', 'c'] })).toMatch(/labels or the features/);
    expect(fromZerosReason({ ...base, inputDim: DIM + 1 })).toMatch(/labels or the features/);
    expect(fromZerosReason({ ...base, examples: WARM_MIN_EXAMPLES - 1 })).toMatch(/fewer than/);
    expect(fromZerosReason({ ...base, examples: Math.floor(WARM_MIN_EXAMPLES * (1 + WARM_MAX_GROWTH)) + 1 })).toMatch(/grew by more than half/);
  });
});
