// Backend choice inside one realm (here the test page; the engine does the same in its worker). The assertions hold
// for whatever this machine has: no GPU, a software one (SwiftShader) or a real one. The test reads the adapter and
// the WebGL renderer itself and checks that `auto` followed the rule for what it found.
import * as tf from '@tensorflow/tfjs-core';
import { openDB } from 'idb';
import { expect, test } from 'vitest';
import type { BackendName } from '../src/protocol.js';
import {
  activeBackend,
  inspectWebGl,
  inspectWebGpu,
  isSoftwareAdapter,
  isSoftwareRenderer,
  lastBackendTiming,
  raceBackends,
  storedBackendTiming,
  useBackend,
} from './backend.js';
import { readAdapter, readRenderer } from '../test/gpu-probe.js';

test('software adapters and renderers are told apart from real ones by their names and fallback flag', () => {
  // As Chromium reports SwiftShader with --enable-unsafe-webgpu (FACTS.md), and as real GPUs report themselves.
  expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader', description: '' } })).toBe(true);
  expect(isSoftwareAdapter({ info: { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } })).toBe(true);
  expect(isSoftwareAdapter({ isFallbackAdapter: true, info: { vendor: 'nvidia', architecture: 'ampere' } })).toBe(true);
  expect(isSoftwareAdapter({ info: { vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: true } })).toBe(true);
  expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' } })).toBe(false);
  expect(isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'common-3' } })).toBe(false);
  expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true);
  expect(isSoftwareRenderer('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)')).toBe(true);
  expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
  expect(isSoftwareRenderer('Apple M2')).toBe(false);
});

test('auto races only the real GPUs it finds against WASM, keeps the result per device, and serves the winner', async () => {
  const adapter = await readAdapter();
  const renderer = readRenderer();
  const gpu = await inspectWebGpu();
  const gl = inspectWebGl();
  expect(gpu.available).toBe(adapter !== null);
  if (adapter) expect(gpu.software).toBe(isSoftwareAdapter(adapter));
  expect(gl.available).toBe(renderer !== null);
  if (renderer !== null) expect(gl.software).toBe(isSoftwareRenderer(renderer));

  const candidates: BackendName[] = [
    ...(adapter && !isSoftwareAdapter(adapter) ? (['webgpu'] as const) : []),
    ...(renderer !== null && !isSoftwareRenderer(renderer) ? (['webgl'] as const) : []),
    'wasm',
  ];
  const chosen = await useBackend('auto', { persist: true });
  expect(activeBackend()).toBe(chosen);
  const used = lastBackendTiming()!;
  expect(used.device).toContain(navigator.userAgent);
  if (candidates.length === 1) {
    // No real GPU: nothing to race, WASM with SIMD serves.
    expect(chosen).toBe('wasm');
    expect(used.order).toEqual(['wasm']);
    expect(used.ms).toEqual({});
    expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  } else {
    // Every backend raced is a real candidate, ranked by its measured time, and the fastest serves.
    expect(used.order.length).toBeGreaterThan(0);
    for (const name of used.order) expect(candidates).toContain(name);
    const times = used.order.map((name) => used.ms[name]!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(chosen).toBe(used.order[0]);
  }
  // Stored for the next visit, so the next worker skips the probes and any measuring.
  expect(await storedBackendTiming(used.device)).toEqual(used);
  // Timings from before the store was renamed (version 1, store 'calibration') are gone, not read under a new name.
  const db = await openDB('hitl-classifier:device');
  expect(db.version).toBe(2);
  expect(Array.from(db.objectStoreNames)).toEqual(['backend-timing']);
  db.close();
});

test('the race times every candidate that starts and ranks them fastest first', async () => {
  const result = await raceBackends(['cpu', 'wasm'], 'test device');
  expect(Object.keys(result.ms).sort()).toEqual(['cpu', 'wasm']);
  for (const ms of Object.values(result.ms)) expect(ms).toBeGreaterThan(0);
  expect(result.order).toHaveLength(2);
  expect(result.ms[result.order[0]!]!).toBeLessThanOrEqual(result.ms[result.order[1]!]!);
  // The winner is left serving, and it computes correctly after the race.
  expect(activeBackend()).toBe(result.order[0]);
  expect(tf.getBackend()).toBe(result.order[0]);
  const out = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1])));
  expect(Array.from(await out.data())).toEqual([11]);
  out.dispose();
  await useBackend('wasm');
});

test('a backend that cannot start is left out of the race, not fatal', async () => {
  const gpu = await inspectWebGpu();
  const result = await raceBackends(['webgpu', 'wasm'], 'test device');
  expect(result.order).toContain('wasm');
  if (!gpu.available) expect(result.order).toEqual(['wasm']);
  await useBackend('wasm');
});
