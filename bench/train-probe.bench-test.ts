// Where a full train() at 800 e-mails spends its time (issue 3: ≤ 3 s for text at 800 labels): the served head
// alone, and the served head with the held-out calibration head trained in the same passes, as train() does.
//   BENCH_FILE=bench/train-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'vitest';
import { useBackend } from '../workers/backend.js';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { ServingHead, trainHead, type HeadParams } from '../workers/head.js';
import { trainCalibrated } from '../workers/calibrate.js';

type Item = { text: string; label: string };

async function accuracy(params: HeadParams, rows: ReturnType<typeof featurizeText>[], targets: Int32Array): Promise<string> {
  const head = new ServingHead({ weights: params.weights, bias: params.bias, inputDim: TEXT_DIM, labels: ['ham', 'spam'] });
  const probs = await head.predict(rows);
  head.dispose();
  let right = 0;
  targets.forEach((t, i) => (right += Number((probs[2 * i + 1]! > probs[2 * i]! ? 1 : 0) === t)));
  return ((100 * right) / targets.length).toFixed(1);
}

test('train 800 e-mails', async () => {
  await useBackend('wasm');
  // Read at run time: bench/data/ is made by `npm run data` and is not in git.
  const data = (await (await fetch(new URL('./data/spam.json', import.meta.url))).json()) as { train: Item[]; test: Item[] };
  const items = data.train.slice(0, 800);
  const rows = items.map((i) => featurizeText(i.text));
  const targets = Int32Array.from(items, (i) => (i.label === 'spam' ? 1 : 0));
  const testRows = data.test.map((i) => featurizeText(i.text));
  const testTargets = Int32Array.from(data.test, (i) => (i.label === 'spam' ? 1 : 0));
  for (let r = 0; r < 2; r++) {
    let t = performance.now();
    const single = await trainHead({ rows, targets, classes: 2, inputDim: TEXT_DIM });
    const singleMs = performance.now() - t;
    t = performance.now();
    const { head, calibration } = await trainCalibrated(rows, targets, 2, TEXT_DIM);
    const both = performance.now() - t;
    console.log(
      `one head ${singleMs.toFixed(0)} ms ${await accuracy(single, testRows, testTargets)} % | ` +
        `served + held-out heads ${both.toFixed(0)} ms ${await accuracy(head, testRows, testTargets)} %, T ${calibration?.temperature.toFixed(2)} | tensors ${tf.memory().numTensors}`,
    );
  }
});
