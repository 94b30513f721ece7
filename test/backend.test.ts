// Runs twice: in the 'chromium' project (here: no WebGPU adapter) and in 'chromium-webgpu' (Chromium's
// --enable-unsafe-webgpu, here a software SwiftShader adapter; FACTS.md). The test reads the adapter and the WebGL
// renderer itself and asserts what the backend choice must do for them, so it holds on a machine with a real GPU too.
import { afterEach, describe, expect, test } from 'vitest';
import { createClassifier } from '../src/classifier.js';
import { engine } from '../src/engine-client.js';
import type { BackendName } from '../src/protocol.js';
import { isSoftwareAdapter, isSoftwareRenderer } from '../workers/backend.js';
import { readAdapter, readRenderer } from './gpu-probe.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName } from './helpers.js';

const adapter = await readAdapter();
const renderer = readRenderer();
/** What `auto` may choose: WASM, or a GPU backend whose device is real hardware (a software one is never raced). */
const autoMayChoose: BackendName[] = [
  ...(adapter && !isSoftwareAdapter(adapter) ? (['webgpu'] as const) : []),
  ...(renderer !== null && !isSoftwareRenderer(renderer) ? (['webgl'] as const) : []),
  'wasm',
];

afterEach(async () => {
  await closeAll();
  // Each test starts a fresh worker, so one test's forced backend never decides the next one's `auto`.
  expect(engine.running).toBe(false);
});

test(`auto picks WASM or a real GPU, never a software adapter nor the CPU (here: ${autoMayChoose.join(', ')})`, async () => {
  const clf = await classifier({ storage: 'memory' });
  expect(autoMayChoose).toContain(clf.backend);
  // Without a real GPU nothing is raced and WASM serves.
  if (autoMayChoose.length === 1) expect(clf.backend).toBe('wasm');
  await labelTickets(clf, 2);
  await clf.train();
  expect((await clf.predict(tickets.bug[0])).label).toBe('bug');
  expect((await clf.stats()).backend).toBe(clf.backend);
});

test.each(['wasm', 'cpu'] as const)('a forced %s backend runs predict, label and train', async (backend) => {
  const clf = await classifier({ storage: 'memory', backend });
  expect(clf.backend).toBe(backend);
  await labelTickets(clf, 2);
  await clf.train();
  expect((await clf.predict(tickets.feature[0])).label).toBe('feature');
  expect((await clf.stats()).backend).toBe(backend);
});

describe.runIf(renderer !== null)('with WebGL2', () => {
  test('a forced webgl backend runs predict, label and train', async () => {
    const clf = await classifier({ storage: 'memory', backend: 'webgl' });
    expect(clf.backend).toBe('webgl');
    await labelTickets(clf, 2);
    await clf.train();
    expect((await clf.predict(tickets.feature[0])).label).toBe('feature');
    expect((await clf.stats()).backend).toBe('webgl');
  });
});

describe.runIf(adapter === null)('without a WebGPU adapter', () => {
  test('a forced webgpu backend rejects createClassifier and says why', async () => {
    const attempt = createClassifier({ name: uniqueName('gpu'), labels: ['a', 'b'], backend: 'webgpu', storage: 'memory' });
    await expect(attempt).rejects.toThrow(/The 'webgpu' backend could not start: .*(no adapter|navigator\.gpu is missing)/);
    expect(engine.running).toBe(false);
  });
});

describe.runIf(adapter !== null)('with a WebGPU adapter (software or real)', () => {
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
