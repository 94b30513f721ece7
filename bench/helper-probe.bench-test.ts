// predictBatch over 10,000 texts with 10,000 stored, through the engine (in the page) and its lookup helper:
// how the batch divides between them and how long it takes (issue 7: ≥ 5,000 texts/s).
//   BENCH_FILE=bench/helper-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test, vi } from 'vitest';
import { Engine } from '../workers/engine.js';
import { LookupHelper } from '../workers/lookup-helper.js';

type Item = { text: string; label: string };

test('shared predictBatch', async () => {
  const texts = (await (await fetch(new URL('./data/perf-texts.json', import.meta.url))).json()) as Item[];
  const engine = new Engine();
  const { key } = await engine.open(
    { name: `helper-probe-${Date.now()}`, labels: ['ham', 'spam'], input: 'text', storage: 'memory' },
    { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
  );
  for (const item of texts.slice(0, 10_000)) await engine.label(key, item.text, item.label, {});
  await engine.train(key, 'probe');
  const pool = texts.slice(10_000, 20_000).map((t) => t.text);
  const lookup = vi.spyOn(LookupHelper.prototype, 'lookup');
  for (let r = 0; r < 4; r++) {
    const calls = lookup.mock.calls.length;
    const t = performance.now();
    for (let start = 0; start < pool.length; start += 1000) await engine.predict(key, pool.slice(start, start + 1000));
    const ms = performance.now() - t;
    const shared = lookup.mock.calls.slice(calls).reduce((sum, [block]) => sum + block.length, 0);
    console.log(`10k in ${ms.toFixed(0)} ms (${((10_000 / ms) * 1000).toFixed(0)}/s), helper took ${shared}`);
  }
  // The same batches on this thread alone (the probe reaches into the engine to switch the helper off).
  const model = (engine as unknown as { models: Map<string, { lookups: unknown }> }).models.get(key)!;
  model.lookups = null;
  for (let r = 0; r < 2; r++) {
    const t = performance.now();
    for (let start = 0; start < pool.length; start += 1000) await engine.predict(key, pool.slice(start, start + 1000));
    const ms = performance.now() - t;
    console.log(`alone: 10k in ${ms.toFixed(0)} ms (${((10_000 / ms) * 1000).toFixed(0)}/s)`);
  }
});
