// Backend choice inside one realm (here the test page; the engine does the same in its worker).
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { activeBackend, calibrate, inspectWebGl, inspectWebGpu, lastCalibration, storedCalibration, useBackend } from './backend.js';

test('auto without a real GPU picks WASM with SIMD and keeps its (trivial) calibration per device', async () => {
  const gpu = await inspectWebGpu();
  const gl = inspectWebGl();
  // This project's browsers have no GPU: WebGPU is absent or SwiftShader, WebGL is SwiftShader (FACTS.md).
  expect(gpu.available && !gpu.software).toBe(false);
  expect(gl.available).toBe(true);
  expect(gl.software).toBe(true);
  expect(gl.description).toMatch(/swiftshader/i);

  expect(await useBackend('auto', { persist: true })).toBe('wasm');
  expect(activeBackend()).toBe('wasm');
  expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  const used = lastCalibration();
  expect(used?.order).toEqual(['wasm']);
  expect(used?.device).toContain(navigator.userAgent);
  // Stored for the next visit, so the next worker skips the WebGL probe and any measuring.
  expect(await storedCalibration(used!.device)).toEqual(used);
});

test('calibration times every candidate that starts and ranks them fastest first', async () => {
  const result = await calibrate(['cpu', 'wasm'], 'test device');
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

test('a backend that cannot start is left out of the calibration, not fatal', async () => {
  const gpu = await inspectWebGpu();
  const result = await calibrate(['webgpu', 'wasm'], 'test device');
  expect(result.order).toContain('wasm');
  if (!gpu.available) expect(result.order).toEqual(['wasm']);
  await useBackend('wasm');
});
