// The image featurizer experiment (bench/image-experiment.ts) as a browser test, so it runs in real Chromium on the
// wasm backend, as the engine worker does. Not part of `npm test`: the suite's globs match *.test.ts only.
//   npx vitest run --config bench/vitest.image.config.ts                         # the shipped design, 5 seeds
//   IMAGE_EXPERIMENT=full npx vitest run --config bench/vitest.image.config.ts   # plus ablations and head variants
// Ablations use the pre-transposed trainer (the same model as trainHead, 5× faster on wasm) to keep the run short.
import { expect, inject, test } from 'vitest';
import { useBackend } from '../workers/backend.js';
import { DEFAULT_IMAGE_FEATURES as D } from '../workers/featurizers/image.js';
import { distanceProfile, runImageExperiment, type ExperimentOptions, type ExperimentResult } from './image-experiment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    imageExperiment: string;
  }
}

const SEEDS = [1, 2, 3, 4, 5];

const variants: (Omit<ExperimentOptions, 'seed'> & { name: string; seeds?: number[] })[] = [
  { name: 'shipped: trainHead + calibrate, as train() does', config: D, head: 'linear', withCalibration: true },
];
if (inject('imageExperiment') === 'full') {
  const fast = 'linear-pretransposed' as const;
  variants.push(
    { name: 'same model, pre-transposed trainer (proposed head.ts change)', config: D, head: fast },
    { name: '+ second order (4×4)', config: { ...D, secondOrder: true }, head: fast },
    { name: '6 orientations', config: { ...D, orientations: 6 }, head: fast },
    { name: '12 orientations', config: { ...D, orientations: 12 }, head: fast },
    { name: 'scale ×1', config: { ...D, scale: 1 }, head: fast },
    { name: 'scale ×4', config: { ...D, scale: 4 }, head: fast },
    { name: 'columns standardised (as the engine does for features inputs)', config: D, head: fast, standardizeColumns: true },
    { name: '+ 4 one-pixel shifts of each label', config: D, head: fast, augment: true },
    { name: 'one hidden layer of 64 (local trainer)', config: D, head: 'hidden', seeds: [1, 2] },
  );
}

const round = (ms: number) => Math.round(ms);

test('image featurizer on MNIST: 800 labels, 2,000 test images, wasm', async () => {
  expect(await useBackend('wasm')).toBe('wasm');
  const table: Record<string, unknown>[] = [];
  for (const { name, seeds = SEEDS, ...options } of variants) {
    const results: ExperimentResult[] = [];
    for (const seed of seeds) results.push(await runImageExperiment({ ...options, seed }));
    const mean = (pick: (r: ExperimentResult) => number) => results.reduce((s, r) => s + pick(r), 0) / results.length;
    const max = (pick: (r: ExperimentResult) => number) => Math.max(...results.map(pick));
    const row = {
      variant: name,
      dim: results[0]!.featureDim,
      'accuracy %': (100 * mean((r) => r.accuracy)).toFixed(2),
      'per seed %': results.map((r) => (100 * r.accuracy).toFixed(1)).join(' '),
      'featurize 800 ms': round(mean((r) => r.featurizeTrainMs)),
      'featurize 2000 ms': round(mean((r) => r.featurizeTestMs)),
      'augment ms': round(mean((r) => r.augmentMs)),
      'calibrate ms': round(mean((r) => r.calibrateMs)),
      'train ms (incl. calibrate)': round(mean((r) => r.trainMs)),
      'train max ms': round(max((r) => r.trainMs)),
      'predict 2000 ms': round(mean((r) => r.predictMs)),
    };
    table.push(row);
    console.log(JSON.stringify(row));
    for (const r of results) expect(r.tensorsLeaked).toBe(0);
  }
  // console.table does not reach the terminal from browser mode: a Markdown table instead.
  const columns = Object.keys(table[0]!);
  console.log(
    [
      `| ${columns.join(' | ')} |`,
      `|${columns.map(() => ' --- |').join('')}`,
      ...table.map((row) => `| ${columns.map((c) => String(row[c])).join(' | ')} |`),
    ].join('\n'),
  );
  const profile = await distanceProfile();
  console.log(
    `feature distances (median d²/dim; cosine): ${JSON.stringify(profile, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(3)) : v))}`,
  );
});
