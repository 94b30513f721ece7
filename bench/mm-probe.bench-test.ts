// Which matMul orientations one head-training step should use on wasm (workers/head.ts): per step the logits and
// the weight gradient each read the whole batch, in one of two layouts. Interleaved, so load on the machine hits
// both alike.   BENCH_FILE=bench/mm-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'vitest';
import { useBackend } from '../workers/backend.js';

test('one step of products at 800 rows × 16,384 columns', async () => {
  await useBackend('wasm');
  for (const c of [2, 4, 10]) {
    const t = tf.tidy(() => {
      const x = tf.randomNormal([800, 16384]) as tf.Tensor2D;
      const w = tf.randomNormal([16384, c]) as tf.Tensor2D;
      const g = tf.randomNormal([800, c]) as tf.Tensor2D;
      return { x, xt: tf.transpose(x), w, wt: tf.transpose(w), g, gt: tf.transpose(g) };
    });
    const layouts: Record<string, () => tf.Tensor[]> = {
      'x·w, xᵀ·g (w is dim × c)': () => [tf.matMul(t.x, t.w), tf.matMul(t.xt, t.g)],
      'w·xᵀ, g·x (w is c × dim)': () => [tf.matMul(t.wt, t.xt), tf.matMul(t.gt, t.x)],
    };
    const total: Record<string, number> = {};
    for (let round = 0; round < 11; round++) {
      for (const [name, run] of Object.entries(layouts)) {
        const start = performance.now();
        const out = run();
        await Promise.all(out.map((o) => o.data()));
        tf.dispose(out);
        if (round > 0) total[name] = (total[name] ?? 0) + (performance.now() - start) / 10;
      }
    }
    for (const [name, ms] of Object.entries(total)) console.log(`c=${c} ${name}: ${ms.toFixed(1)} ms`);
    tf.dispose(Object.values(t));
  }
});
