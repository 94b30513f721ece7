import * as tf from '@tensorflow/tfjs-core';
import { openDB } from 'idb';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, BackendRequest } from '../src/protocol.js';
import { useHeapSplit } from './wasm-split.js';

/**
 * Order tried by `auto` when the backend race has nothing to compare (no real GPU): measured fastest first on a
 * machine without one (FACTS.md). A software WebGL (SwiftShader) is still better than nothing when WASM cannot start.
 */
const FALLBACK_ORDER: BackendName[] = ['wasm', 'webgl', 'cpu'];
/** Where backend timings live, per device: one small database for the origin, shared by every model. */
const DEVICE_DB = 'hitl-classifier:device';
/**
 * Version 2 renamed the store (it was 'calibration', a word kept for confidence calibration): the upgrade drops
 * the old store, so timings taken before are measured again rather than read under a new name.
 */
const DEVICE_DB_VERSION = 2;
const TIMING_STORE = 'backend-timing';
/** Bump when the timing workload changes: older results were measured on something else. */
const TIMING_WORKLOAD_VERSION = 1;

export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Rasterisers that run on the CPU: as a WebGPU adapter or WebGL renderer they are slower than WASM (FACTS.md). */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe|software|warp|microsoft basic render/i;

/** Whether a WebGPU adapter is a software one, from its info and fallback flag: `auto` never races those. */
export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter === true || info.isFallbackAdapter === true) return true;
  return SOFTWARE_RENDERER.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

/** Whether a WebGL renderer string (the unmasked one where the browser gives it) names a software rasteriser. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
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
    return {
      available: false,
      software: false,
      description: 'navigator.gpu.requestAdapter() returned no adapter (no usable GPU, or WebGPU is disabled)',
    };
  }
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  return { available: true, software: isSoftwareAdapter(adapter), description: text || 'unnamed adapter' };
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
    // tfjs picks its threaded build whenever the page is cross-origin isolated, and that build starts its threads
    // from a Blob holding the source of a function the bundler renamed: every thread dies ("e is not defined",
    // seen here with COOP/COEP) and the backend never starts. Single-threaded SIMD is the build that works.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    // The backend's SplitV copies its whole input once per part; this one copies within the heap (wasm-split.ts).
    useHeapSplit();
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

/** A backend that has not started after this long never will (a WASM build whose threads all died hangs forever). */
const START_TIMEOUT_MS = 30_000;

function startWithin(name: BackendName, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not start within ${ms / 1000} s`)), ms);
  });
  return Promise.race([start(name), timeout]).finally(() => clearTimeout(timer));
}

let autoChoice: Promise<BackendName> | null = null;
let active: BackendName | null = null;
const started = new Map<BackendName, Promise<void>>();

async function startOnce(name: BackendName): Promise<void> {
  let promise = started.get(name);
  if (!promise) {
    promise = startWithin(name, START_TIMEOUT_MS);
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

export interface WebGlReport {
  available: boolean;
  software: boolean;
  description: string;
}

/** Says whether WebGL2 works here (in this worker, on an OffscreenCanvas) and whether its renderer is software. */
export function inspectWebGl(): WebGlReport {
  if (typeof OffscreenCanvas === 'undefined') return { available: false, software: false, description: 'no OffscreenCanvas' };
  let gl: WebGL2RenderingContext | null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch {
    gl = null;
  }
  if (!gl) return { available: false, software: false, description: 'no WebGL2 context' };
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return {
    available: true,
    software: isSoftwareRenderer(renderer),
    description: renderer || 'unnamed renderer',
  };
}

/** What `auto` measured on one device: milliseconds per backend for the timing workload, fastest first. */
export interface BackendTiming {
  device: string;
  version: number;
  order: BackendName[];
  ms: Partial<Record<BackendName, number>>;
  measuredAt: number;
}

/**
 * The work `auto` times: one block of head predictions and one training-style product (x · W, softmax, Xᵀ · G),
 * the shapes the engine sends a backend. The first run (shader compilation, warm-up) is not counted; the best of
 * three is, so a busy moment does not decide.
 */
async function timingWorkload(): Promise<number> {
  const [rows, dim, classes] = [128, 1024, 8];
  const x = tf.randomUniform([rows, dim], -1, 1, 'float32', 1);
  const xt = tf.transpose(x);
  const w = tf.randomUniform([dim, classes], -0.1, 0.1, 'float32', 2);
  try {
    const once = async () => {
      const out = tf.tidy(() => {
        const p = tf.softmax(tf.matMul(x, w));
        return tf.matMul(xt, p);
      });
      try {
        await out.data();
      } finally {
        out.dispose();
      }
    };
    await once();
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await once();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  } finally {
    tf.dispose([x, xt, w]);
  }
}

/**
 * Races the candidates: starts each and times the workload on it; the fastest comes first in `order`, the ones
 * that could not start are left out. Leaves the fastest backend active.
 */
export async function raceBackends(candidates: readonly BackendName[], device = 'unnamed device'): Promise<BackendTiming> {
  const ms: Partial<Record<BackendName, number>> = {};
  for (const name of candidates) {
    try {
      await startOnce(name);
      ms[name] = Math.round((await timingWorkload()) * 1000) / 1000;
    } catch {
      // Not available here: simply not a candidate.
    }
  }
  const order = (Object.keys(ms) as BackendName[]).sort((a, b) => ms[a]! - ms[b]! || candidates.indexOf(a) - candidates.indexOf(b));
  if (order[0]) await startOnce(order[0]);
  return { device, version: TIMING_WORKLOAD_VERSION, order, ms, measuredAt: Date.now() };
}

async function deviceDb() {
  return openDB(DEVICE_DB, DEVICE_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 2) {
        if (db.objectStoreNames.contains('calibration')) db.deleteObjectStore('calibration');
        db.createObjectStore(TIMING_STORE);
      }
    },
  });
}

/** The backend timing stored for this device, or null (none, another workload version, or no IndexedDB here). */
export async function storedBackendTiming(device: string): Promise<BackendTiming | null> {
  try {
    const db = await deviceDb();
    try {
      const found = (await db.get(TIMING_STORE, device)) as BackendTiming | undefined;
      return found?.version === TIMING_WORKLOAD_VERSION ? found : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

async function storeBackendTiming(timing: BackendTiming): Promise<void> {
  try {
    const db = await deviceDb();
    try {
      await db.put(TIMING_STORE, timing, timing.device);
    } finally {
      db.close();
    }
  } catch {
    // Private mode or a full disk: the next visit races again, nothing else changes.
  }
}

/**
 * Names the device for the cache: browser, cores, the WebGPU adapter and whether threads are possible. A new GPU,
 * browser version or isolation setting is a new device and gets measured again.
 */
function deviceName(gpu: WebGpuAdapterReport): string {
  const nav = navigator as Navigator & { hardwareConcurrency?: number };
  return [
    nav.userAgent,
    `cores ${nav.hardwareConcurrency ?? '?'}`,
    `webgpu ${gpu.available ? gpu.description : 'none'}`,
    `isolated ${self.crossOriginIsolated === true}`,
  ].join(' | ');
}

let sessionTiming: BackendTiming | null = null;

/** The backend timing `auto` used in this worker, if it ran or was read from the cache. */
export function lastBackendTiming(): BackendTiming | null {
  return sessionTiming;
}

/**
 * `auto`: the fastest backend this device really has. Only real GPUs (WebGPU, WebGL) are raced against WASM, once
 * per device, and the result is kept in IndexedDB when `persist` allows; a software adapter is never a candidate
 * (it is the slowest of all), and the CPU backend is only the last resort. Without a real GPU nothing needs
 * measuring: WASM (SIMD, and threads when the page is cross-origin isolated) is the choice.
 */
async function chooseAuto(persist: boolean): Promise<BackendName> {
  const gpu = await inspectWebGpu();
  const device = deviceName(gpu);
  let timing = sessionTiming?.device === device ? sessionTiming : persist ? await storedBackendTiming(device) : null;
  if (!timing) {
    const gl = inspectWebGl();
    const candidates: BackendName[] = [
      ...(gpu.available && !gpu.software ? (['webgpu'] as const) : []),
      ...(gl.available && !gl.software ? (['webgl'] as const) : []),
      'wasm',
    ];
    timing =
      candidates.length > 1
        ? await raceBackends(candidates, device)
        : { device, version: TIMING_WORKLOAD_VERSION, order: candidates, ms: {}, measuredAt: Date.now() };
    if (persist) await storeBackendTiming(timing);
  }
  sessionTiming = timing;
  const order = [...timing.order, ...FALLBACK_ORDER.filter((name) => !timing.order.includes(name))];
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
 * `persist`: `auto` may keep its backend timing in IndexedDB (not for pages that asked to store nothing).
 */
export async function useBackend(request: BackendRequest, options: { persist?: boolean } = {}): Promise<BackendName> {
  if (request === 'auto') {
    const active = activeBackend();
    if (active) return active;
    autoChoice ??= chooseAuto(options.persist ?? false);
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
