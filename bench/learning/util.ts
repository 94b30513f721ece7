/** Small helpers the benchmark page's modules share: progress lines, number formats and seeded orders. */
import { shuffled } from '../../scripts/seeded-random.mjs';

export { shuffled };

export function progress(message: string): void {
  const log = document.getElementById('log');
  if (log) log.textContent += `${message}\n`;
  window.benchProgress?.(message);
}

export function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A seeded random sample of at most `size` items, in pool order. */
export function sample(items: number[], size: number, random: () => number): number[] {
  if (items.length <= size) return items.slice();
  const order = shuffled(items.length, random)
    .slice(0, size)
    .sort((a, b) => a - b);
  return order.map((j) => items[j]!);
}

export function memo<T>(make: (i: number) => T): (i: number) => T {
  const cache = new Map<number, T>();
  return (i) => {
    let value = cache.get(i);
    if (value === undefined) {
      value = make(i);
      cache.set(i, value);
    }
    return value;
  };
}

/** The message of anything thrown, with the error's name. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One run's share of the dataset's time budget. */
export interface Deadline {
  /** performance.now() by which the run should be done. */
  at: number;
  /** Set when the run stopped early; says after how many labels. */
  stopped: string | null;
}

/**
 * Before going from `labels` to `next`: stops when the last step, scaled by (next / labels) ** growth, would end
 * past the deadline. The first checkpoint always runs.
 */
export function outOfTime(deadline: Deadline, lastStepMs: number, labels: number, next: number, growth = 1, what = 'the next step'): boolean {
  if (labels === 0 || lastStepMs === 0) return false;
  const estimate = lastStepMs * (next / labels) ** growth;
  if (performance.now() + estimate <= deadline.at) return false;
  deadline.stopped = `stopped after ${labels} labels: ${what} (~${Math.round(estimate / 1000)} s) would pass its share of the time budget`;
  return true;
}
