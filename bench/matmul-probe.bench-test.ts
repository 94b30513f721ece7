// Why workers/head.ts trains slowly on wasm: the weight gradient of x·w is matMul(x, g, transposeA = true), which the
// wasm backend runs ~5× slower than the same product on a batch transposed once up front.
//   BENCH_FILE=bench/matmul-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'vitest';
import { useBackend } from '../workers/backend.js';

test('matMul shapes of one head training step, 800 rows × 10 classes', async () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    await useBackend(backend);
    for (const dim of [1000, 4000]) {
      const [x, w, g, xt] = tf.tidy(() => {
        const x = tf.randomNormal([800, dim]) as tf.Tensor2D;
        return [x, tf.randomNormal([dim, 10]) as tf.Tensor2D, tf.randomNormal([800, 10]) as tf.Tensor2D, tf.transpose(x)];
      });
      const time = async (name: string, f: () => tf.Tensor) => {
        const warm = f();
        await warm.data();
        warm.dispose();
        const start = performance.now();
        for (let i = 0; i < 20; i++) {
          const r = f();
          await r.data();
          r.dispose();
        }
        console.log(`${backend} dim ${dim} ${name}: ${((performance.now() - start) / 20).toFixed(1)} ms`);
      };
      await time('forward x·w', () => tf.matMul(x, w));
      await time('gradient matMul(x, g, transposeA)', () => tf.matMul(x, g, true, false));
      await time('gradient matMul(xT, g), xT made once', () => tf.matMul(xt, g));
      tf.dispose([x, w, g, xt]);
    }
  }
});
