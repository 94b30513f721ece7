import { describe, expect, test } from 'vitest';
import { COLD_START_SAMPLE, coldStartSample, typicalFirst } from './cold-start.js';
import { Similarity } from './memory/similarity.js';

const cosine = new Similarity(
  'cosine',
  () => 3,
  () => null,
);
const v = (...xs: number[]) => Float32Array.from(xs);

/** Points around `centre`, the first at its centre, the others pushed off it (a seeded wobble). */
function blob(centre: number[], count: number, spread: number, seed: number): Float32Array[] {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 2 * spread;
  return Array.from({ length: count }, (_, i) => Float32Array.from(centre, (x) => (i === 0 ? x : x + next())));
}

describe('typicalFirst', () => {
  test('takes one item from each cluster before a second from any, the typical one rather than the outlier', () => {
    const clusters = [blob([1, 0, 0], 12, 0.15, 7), blob([0, 1, 0], 8, 0.15, 11), blob([0, 0, 1], 5, 0.15, 13)];
    // An outlier between the clusters: far from everything, so never typical.
    const pool = [...clusters.flat(), v(1, 1, 1)];
    const cluster = (i: number) => (i < 12 ? 0 : i < 20 ? 1 : i < 25 ? 2 : 3);
    const picked = typicalFirst(pool, [], 6, cosine);
    expect(picked).toHaveLength(6);
    expect(new Set(picked).size).toBe(6);
    expect(new Set(picked.slice(0, 3).map(cluster))).toEqual(new Set([0, 1, 2]));
    expect(picked).not.toContain(25);
  });

  test('goes to the clusters no label covers first', () => {
    const pool = [...blob([1, 0, 0], 10, 0.1, 3), ...blob([0, 1, 0], 10, 0.1, 5)];
    const labelled = blob([1, 0, 0], 3, 0.1, 9);
    const [first] = typicalFirst(pool, labelled, 1, cosine);
    expect(first).toBeGreaterThanOrEqual(10);
  });

  test('picks typical points: in a spread and a tight group, the tight group centre comes before its edge', () => {
    const pool = [v(1, 0, 0), v(0.99, 0.1, 0), v(0.99, -0.1, 0), v(0.99, 0, 0.1), v(0.99, 0, -0.1), v(0.7, 0.7, 0.1)];
    const ranked = typicalFirst(pool, [], 1, cosine);
    expect(ranked[0]).toBe(0);
  });

  test('works on sparse text vectors and on Gaussian rows, and returns no more than the pool', () => {
    const sparse = (i: number[], x: number[]) => ({ indices: Int32Array.from(i), values: Float32Array.from(x) });
    const text = new Similarity(
      'cosine',
      () => 8,
      () => null,
    );
    const pool = [sparse([0, 1], [0.6, 0.8]), sparse([0, 1], [0.8, 0.6]), sparse([5, 6], [0.6, 0.8]), sparse([5, 6], [0.8, 0.6])];
    const picked = typicalFirst(pool, [], 2, text);
    expect(new Set(picked.map((i) => i >> 1))).toEqual(new Set([0, 1]));
    expect(typicalFirst(pool, [], 10, text)).toHaveLength(4);
    expect(typicalFirst(pool, [], 0, text)).toEqual([]);

    const rows = new Similarity(
      'gaussian',
      () => 2,
      () => Float32Array.from([1, 1]),
    );
    const numeric = [...blob([0, 0], 6, 0.2, 17), ...blob([8, 8], 6, 0.2, 19)];
    expect(new Set(typicalFirst(numeric, [], 2, rows).map((i) => (i < 6 ? 0 : 1)))).toEqual(new Set([0, 1]));
  });

  test('is deterministic', () => {
    const pool = [...blob([1, 0, 0], 30, 0.3, 21), ...blob([0, 1, 0], 30, 0.3, 23)];
    expect(typicalFirst(pool, [], 7, cosine)).toEqual(typicalFirst(pool, [], 7, cosine));
  });
});

test('a large pool, many labels and a large k stay within the clustering caps and give k distinct picks', () => {
  const wide = new Similarity(
    'cosine',
    () => 16,
    () => null,
  );
  let s = 5;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const row = () => Float32Array.from({ length: 16 }, next);
  const pool = Array.from({ length: COLD_START_SAMPLE }, row);
  const labelled = Array.from({ length: 700 }, row);
  const picked = typicalFirst(pool, labelled, 150, wide);
  expect(new Set(picked).size).toBe(150);
  expect(picked.every((i) => Number.isInteger(i) && i >= 0 && i < pool.length)).toBe(true);
});

describe('coldStartSample', () => {
  test('keeps a small pool whole and samples a large one to a bounded size, in pool order', () => {
    expect(coldStartSample(5)).toEqual([0, 1, 2, 3, 4]);
    const sample = coldStartSample(10_000);
    expect(sample).toHaveLength(COLD_START_SAMPLE);
    expect(new Set(sample).size).toBe(COLD_START_SAMPLE);
    expect([...sample].sort((a, b) => a - b)).toEqual(sample);
    expect(sample.at(-1)!).toBeGreaterThan(COLD_START_SAMPLE);
  });
});
