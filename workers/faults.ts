/**
 * Fault-injection hooks for tests: they make the engine worker fail in the ways the page must survive, on purpose
 * and at a known moment, instead of relying on some workload being slow enough. engine.worker.ts exposes them only
 * in Vitest's build (mode 'test'); the package never contains them.
 */
export interface EngineFaults {
  /** Keeps this worker's thread busy for `ms` (60 s at most) without yielding: to the page it stops answering. */
  blockThread(ms: number): void;
  /** Throws, from the worker, an error of this class and name, as the engine's own code would. */
  throwError(kind: 'Error' | 'TypeError' | 'RangeError' | 'DOMException', name: string, message: string): void;
}

/** A hook that blocks past this is a mistake in a test, not a longer hang to simulate. */
const MAX_BLOCK_MS = 60_000;

export const faults: EngineFaults = {
  blockThread(ms) {
    const end = performance.now() + Math.min(Math.max(0, ms), MAX_BLOCK_MS);
    while (performance.now() < end) {
      // Spinning on purpose: neither messages nor timers run on this thread until it returns.
    }
  },
  throwError(kind, name, message) {
    if (kind === 'DOMException') throw new DOMException(message, name);
    const error = kind === 'TypeError' ? new TypeError(message) : kind === 'RangeError' ? new RangeError(message) : new Error(message);
    if (kind === 'Error') error.name = name;
    throw error;
  },
};
