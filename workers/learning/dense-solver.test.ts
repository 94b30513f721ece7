import { expect, test } from 'vitest';
import { gaussian, seededRandom } from '../../scripts/seeded-random.mjs';
import { solveDenseHead, type DenseSolveOptions } from './dense-solver.js';

const DIM = 4;
const CLASSES = 3;

/** Three overlapping classes in four columns, one column far wider than the others. */
function problem(n: number, seed: number): Pick<DenseSolveOptions, 'rows' | 'targets' | 'sampleWeights'> {
  const random = seededRandom(seed);
  const targets = Int32Array.from({ length: n }, () => Math.floor(random() * CLASSES));
  const rows = Array.from(targets, (t) => Float32Array.from({ length: DIM }, (_, a) => (a === t ? 1 : 0) + gaussian(random) * (a === 3 ? 5 : 0.8)));
  return { rows, targets, sampleWeights: new Float32Array(n).fill(1 / n) };
}

/** The objective the solver minimises, written out again: weighted cross-entropy + λ‖W − start‖². */
function objective(p: ReturnType<typeof problem>, w: Float32Array, b: Float32Array, l2: number, start?: Float32Array): number {
  let loss = 0;
  p.rows.forEach((x, i) => {
    const z = Array.from({ length: CLASSES }, (_, c) => b[c]! + x.reduce((s, v, a) => s + v * w[c * DIM + a]!, 0));
    const max = Math.max(...z);
    const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    loss += p.sampleWeights[i]! * (logSum - z[p.targets[i]!]!);
  });
  return loss + l2 * w.reduce((s, v, k) => s + (v - (start?.[k] ?? 0)) ** 2, 0);
}

const options = (p: ReturnType<typeof problem>, l2: number): DenseSolveOptions => ({
  ...p,
  dim: DIM,
  classes: CLASSES,
  l2,
  breathe: async () => {},
});

test('the head it returns is the minimum: every small step away from it costs', async () => {
  const p = problem(300, 4);
  for (const l2 of [1e-2, 1e-6]) {
    const { w, b, loss } = await solveDenseHead(options(p, l2));
    const at = objective(p, w, b, l2);
    expect(loss).toBeCloseTo(at, 5);
    const random = seededRandom(9);
    for (let tries = 0; tries < 20; tries++) {
      const moved = w.map((v) => v + (random() - 0.5) * 0.02);
      expect(objective(p, moved, b, l2)).toBeGreaterThan(at - 1e-7);
    }
  }
});

test('a weaker penalty lets the weights grow, and the same problem gives the same head', async () => {
  const p = problem(300, 5);
  const strong = await solveDenseHead(options(p, 1e-2));
  const weak = await solveDenseHead(options(p, 1e-6));
  const norm = (w: Float32Array) => Math.hypot(...w);
  expect(norm(weak.w)).toBeGreaterThan(1.1 * norm(strong.w));
  const again = await solveDenseHead(options(p, 1e-6));
  expect(Array.from(again.w)).toEqual(Array.from(weak.w));
});

test('a start head is where it begins and what it is pulled toward; rows weighted 0 are not learnt from', async () => {
  const p = problem(200, 6);
  const start = { w: Float32Array.from({ length: CLASSES * DIM }, (_, k) => (k % 5) - 2), b: new Float32Array(CLASSES) };
  const held = await solveDenseHead({ ...options(p, 1e4), start });
  held.w.forEach((v, k) => expect(v).toBeCloseTo(start.w[k]!, 2));
  const half = Float32Array.from(p.sampleWeights, (_, i) => (i < 100 ? 1 / 100 : 0));
  const first = await solveDenseHead({ ...options({ ...p, sampleWeights: half }, 1e-4) });
  const only = await solveDenseHead({
    ...options({ rows: p.rows.slice(0, 100), targets: p.targets.slice(0, 100), sampleWeights: new Float32Array(100).fill(1 / 100) }, 1e-4),
  });
  first.w.forEach((v, k) => expect(v).toBeCloseTo(only.w[k]!, 4));
});

test('it stops between iterations when asked to', async () => {
  const stop = new Error('stop');
  let calls = 0;
  await expect(solveDenseHead({ ...options(problem(300, 7), 1e-6), shouldStop: () => (++calls > 2 ? stop : null) })).rejects.toBe(stop);
});
