import * as tf from '@tensorflow/tfjs-core';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, BackendRequest } from '../src/protocol.js';

/** Order tried by `auto` after a real-GPU WebGPU: measured fastest first on a machine without a GPU (FACTS.md). */
const FALLBACK_ORDER: BackendName[] = ['wasm', 'webgl', 'cpu'];

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

export interface WebGpuAdapterReport {
  available: boolean;
  software: boolean;
  description: string;
}

/** Says whether WebGPU has an adapter here and whether it is a software one (SwiftShader), which auto never picks. */
export async function inspectWebGpu(): Promise<WebGpuAdapterReport> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return { available: false, software: false, description: 'navigator.gpu is missing: this browser or context has no WebGPU' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { available: false, software: false, description: `navigator.gpu.requestAdapter() failed: ${String(error)}` };
  }
  if (!adapter) {
    return { available: false, software: false, description: 'navigator.gpu.requestAdapter() returned no adapter (no usable GPU, or WebGPU is disabled)' };
  }
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const software =
    adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software|warp/i.test(text);
  return { available: true, software, description: text || 'unnamed adapter' };
}

const loaders: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Must happen before the backend initialises; the binaries ship next to this chunk (no CDN).
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
  },
};

/** Loads, selects and checks one backend with a tiny real computation; throws with the reason when it cannot run. */
async function start(name: BackendName): Promise<void> {
  if (name === 'webgpu') {
    const report = await inspectWebGpu();
    if (!report.available) throw new Error(report.description);
  }
  await loaders[name]();
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new Error(`tf.setBackend('${name}') threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!ok) throw new Error(`tf.setBackend('${name}') could not initialise the backend`);
  await tf.ready();
  const probe = tf.tidy(() => tf.softmax(tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]))));
  try {
    const values = await probe.data();
    const expected = [1 / (1 + Math.E), Math.E / (1 + Math.E)];
    if (values.length !== 2 || values.some((v, i) => Math.abs(v - expected[i]!) > 1e-3)) {
      throw new Error(`a test computation on '${name}' gave wrong results (${Array.from(values).join(', ')})`);
    }
  } finally {
    probe.dispose();
  }
}

let autoChoice: Promise<BackendName> | null = null;
let active: BackendName | null = null;
const started = new Map<BackendName, Promise<void>>();

async function startOnce(name: BackendName): Promise<void> {
  let promise = started.get(name);
  if (!promise) {
    promise = start(name);
    started.set(name, promise);
    // A failed start may succeed later (a GPU that comes back), so failures are not cached.
    promise.catch(() => started.delete(name));
    await promise;
  } else {
    await promise;
    // Switching back to a backend that already started is cheap: its kernels and memory are still there.
    if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  }
  active = name;
}

async function chooseAuto(): Promise<BackendName> {
  const gpu = await inspectWebGpu();
  const order: BackendName[] = gpu.available && !gpu.software ? ['webgpu', ...FALLBACK_ORDER] : FALLBACK_ORDER;
  const failures: string[] = [];
  for (const name of order) {
    try {
      await startOnce(name);
      return name;
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start in this browser. Tried ${failures.join('; ')}.`);
}

/**
 * Makes `request` the active backend of this worker and says which one that is.
 * One backend serves the whole worker: `auto` keeps whatever is active, a forced name switches to it.
 */
export async function useBackend(request: BackendRequest): Promise<BackendName> {
  if (request === 'auto') {
    const active = activeBackend();
    if (active) return active;
    autoChoice ??= chooseAuto();
    autoChoice.catch(() => (autoChoice = null));
    return autoChoice;
  }
  try {
    await startOnce(request);
  } catch (error) {
    throw new Error(
      `The '${request}' backend could not start: ${error instanceof Error ? error.message : String(error)}. ` +
        "Use backend: 'auto' to fall back to one that works here.",
      { cause: error },
    );
  }
  return request;
}

/** The backend currently serving, or null before any was chosen. */
export function activeBackend(): BackendName | null {
  return active;
}
