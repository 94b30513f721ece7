/**
 * What the performance pages measure with, shared by bench/perf.ts and bench/perf-distributions.ts: percentiles,
 * main-thread long tasks, timing, labelling at speed and the capped runs of training and pool-wide calls, all through
 * the public API.
 */
import type { Classifier, ClassifierInput } from '../src/index.js';

declare global {
  interface Window {
    benchProgress?: (message: string) => void;
  }
}

export interface Latency {
  p50: number;
  p95: number;
  n: number;
}

export interface LongTasks {
  count: number;
  totalMs: number;
  maxMs: number;
}

export function progress(message: string): void {
  const log = document.getElementById('log');
  if (log) log.textContent += `${message}\n`;
  window.benchProgress?.(message);
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: round(at(0.5)), p95: round(at(0.95)), n: samples.length };
}

/** Long tasks (> 50 ms) on this page's main thread while `work` runs. */
export async function watchLongTasks<T>(work: () => Promise<T>): Promise<{ value: T; longTasks: LongTasks }> {
  const seen: PerformanceEntry[] = [];
  const started = performance.now();
  // Only tasks that began while `work` ran: a long task just before (the page's own recall computation) is reported
  // after it ends, to an observer created by then.
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries().filter((e) => e.startTime >= started)));
  observer.observe({ type: 'longtask' });
  try {
    const value = await work();
    // Entries are delivered asynchronously: give the observer a frame to report the last ones.
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen.push(...observer.takeRecords().filter((e) => e.startTime >= started));
    return {
      value,
      longTasks: {
        count: seen.length,
        totalMs: Math.round(seen.reduce((s, e) => s + e.duration, 0)),
        maxMs: Math.round(Math.max(0, ...seen.map((e) => e.duration))),
      },
    };
  } finally {
    observer.disconnect();
  }
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Labels items in parallel chunks: the worker still takes them one at a time, but round trips overlap. */
export async function labelAll(clf: Classifier, items: { input: ClassifierInput; label: string }[]): Promise<void> {
  const CHUNK = 250;
  for (let start = 0; start < items.length; start += CHUNK) {
    await Promise.all(items.slice(start, start + CHUNK).map((item) => clf.label(item.input, item.label)));
  }
}

export async function warmLatency(clf: Classifier, inputs: ClassifierInput[], runs: number): Promise<Latency> {
  for (let i = 0; i < 5; i++) await clf.predict(inputs[i % inputs.length]!);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const input = inputs[(i + 5) % inputs.length]!;
    const started = performance.now();
    await clf.predict(input);
    samples.push(performance.now() - started);
  }
  return latency(samples);
}

/** Grace after the cap for a cancelled training to stop; past it the run moves on and leaves it running. */
const CANCEL_GRACE_MS = 5_000;

export async function trainCapped(clf: Classifier, capMs: number) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), capMs);
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  const started = performance.now();
  const empty = { count: 0, totalMs: 0, maxMs: 0 };
  try {
    const abandoned = new Promise<null>((resolve) => {
      giveUp = setTimeout(() => resolve(null), capMs + CANCEL_GRACE_MS);
    });
    const outcome = await Promise.race([watchLongTasks(() => clf.train({ signal: controller.signal })), abandoned]);
    if (outcome === null) return { ms: null, wallMs: null, over: capMs, longTasks: empty, stillRunning: true };
    return { ms: outcome.value.ms, wallMs: Math.round(performance.now() - started), start: outcome.value.start, longTasks: outcome.longTasks };
  } catch (error) {
    if (controller.signal.aborted) return { ms: null, wallMs: null, over: capMs, longTasks: empty };
    return { ms: null, wallMs: null, error: error instanceof Error ? error.message : String(error), longTasks: empty };
  } finally {
    clearTimeout(timer);
    clearTimeout(giveUp);
  }
}

/** Runs `work` on the whole pool when a 500-item sample projects it under the cap, else reports the sample's rate. */
export async function overPool<T>(pool: string[], capMs: number, work: (items: string[]) => Promise<T>) {
  const sample = pool.slice(0, 500);
  const first = await timed(() => work(sample));
  const projected = (first.ms * pool.length) / sample.length;
  if (projected > capMs) {
    return { items: sample.length, ms: Math.round(projected), projected: true, longTasks: { count: 0, totalMs: 0, maxMs: 0 } };
  }
  const { value, longTasks } = await watchLongTasks(() => timed(() => work(pool)));
  return { items: pool.length, ms: Math.round(value.ms), projected: false, longTasks };
}
