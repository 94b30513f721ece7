// Runs twice: in the 'chromium' project (no WebGPU adapter) and in 'chromium-webgpu'
// (Chromium's --enable-unsafe-webgpu, which exposes a software SwiftShader adapter). See FACTS.md.
import { afterEach, describe, expect, test } from 'vitest';
import { createClassifier } from '../src/classifier.js';
import { engine } from '../src/engine-client.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName } from './helpers.js';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
}

async function pageAdapter(): Promise<AdapterInfo | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } }).gpu;
  const adapter = await gpu?.requestAdapter();
  return adapter ? (adapter.info ?? {}) : null;
}

const adapter = await pageAdapter();

afterEach(async () => {
  await closeAll();
  // Each test starts a fresh worker, so one test's forced backend never decides the next one's `auto`.
  expect(engine.running).toBe(false);
});

describe.runIf(adapter === null)('without WebGPU', () => {
  test('auto falls back to WASM and runs the whole loop', async () => {
    const clf = await classifier({ storage: 'memory' });
    expect(clf.backend).toBe('wasm');
    await labelTickets(clf, 2);
    await clf.train();
    expect((await clf.predict(tickets.bug[0])).label).toBe('bug');
    expect((await clf.stats()).backend).toBe('wasm');
  });

  test('a forced webgpu backend rejects createClassifier and says why', async () => {
    const attempt = createClassifier({ name: uniqueName('gpu'), labels: ['a', 'b'], backend: 'webgpu', storage: 'memory' });
    await expect(attempt).rejects.toThrow(/The 'webgpu' backend could not start: .*(no adapter|navigator\.gpu is missing)/);
    expect(engine.running).toBe(false);
  });

  test.each(['wasm', 'webgl', 'cpu'] as const)('a forced %s backend runs predict, label and train', async (backend) => {
    const clf = await classifier({ storage: 'memory', backend });
    expect(clf.backend).toBe(backend);
    await labelTickets(clf, 2);
    await clf.train();
    expect((await clf.predict(tickets.feature[0])).label).toBe('feature');
    expect((await clf.stats()).backend).toBe(backend);
  });
});

describe.runIf(adapter !== null)('with a software WebGPU adapter', () => {
  test('the adapter really is software (SwiftShader), as FACTS.md says', () => {
    expect(`${adapter?.vendor} ${adapter?.architecture} ${adapter?.description}`).toMatch(/swiftshader|google/i);
  });

  test('auto does not pick the software adapter', async () => {
    const clf = await classifier({ storage: 'memory' });
    expect(clf.backend).not.toBe('webgpu');
    expect(clf.backend).toBe('wasm');
  });

  test('forced webgpu runs the whole loop: predict, label, train, persist, reload', async () => {
    const name = uniqueName('webgpu');
    const clf = await classifier({ name, backend: 'webgpu' });
    expect(clf.backend).toBe('webgpu');
    expect((await clf.predict(tickets.bug[0])).label).toBeNull();
    await labelTickets(clf, 3);
    expect((await clf.predict(tickets.bug[0])).label).toBe('bug');
    const trained = await clf.train();
    expect(trained.modelVersion).toBe(1);
    const stats = await clf.stats();
    expect(stats).toMatchObject({ backend: 'webgpu', examples: 9, modelVersion: 1 });
    const held = await clf.predict(tickets.feature[5]);
    expect(held.label).toBe('feature');
    const stored = await readDatabase(name);
    expect(stored.weights).toMatchObject({ version: 1, backend: 'webgpu' });

    // A fresh worker (as after a reload) loads the saved model and predicts the same on WebGPU.
    engine.crash();
    const again = await clf.predict(tickets.feature[5]);
    expect(again.label).toBe(held.label);
    expect(again.confidence).toBeCloseTo(held.confidence, 4);
    expect(again.modelVersion).toBe(1);
    expect(clf.backend).toBe('webgpu');
  });
});
