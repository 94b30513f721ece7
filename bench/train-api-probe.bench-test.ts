// train() at 800 e-mails through the engine as the worker runs it (issue 3: ≤ 3 s), with the engine in the page
// (no worker or messages in between), so a profile or added timing marks can see its phases.
//   BENCH_FILE=bench/train-api-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test } from 'vitest';
import { Engine } from '../workers/engine.js';

type Item = { text: string; label: string };

test('train() at 800 e-mails', async () => {
  const data = (await (await fetch(new URL('./data/spam.json', import.meta.url))).json()) as { train: Item[] };
  const engine = new Engine();
  const name = `probe-${Date.now()}`;
  const { key } = await engine.open(
    { name, labels: ['ham', 'spam'], input: 'text', storage: 'memory' },
    { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
  );
  for (const item of data.train.slice(0, 800)) await engine.label(key, item.text, item.label, {});
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const result = await engine.train(key, `run-${r}`);
    console.log(`train() ${(performance.now() - t).toFixed(0)} ms (reported ${result.ms})`);
  }
});
