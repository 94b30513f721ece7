import { nextTask } from './learning/head.js';

/**
 * Work the page did not wait for (the out-of-fold label check after a training) gives way to work it does wait for.
 * Training yields every ~20 ms so pings and predictions get through; background work sharing the worker that way
 * put a prediction behind a 20 ms slice of it: right after a training at 10,000 e-mails, while the check trained its
 * five fold heads, a single prediction took 25–33 ms at the median instead of 1–2 ms. A background task therefore
 * runs in short slices and waits while the page is asking for things: a request in progress, or one in the last QUIET_MS.
 */

/** When the page last sent this worker a request (engine.worker.ts tells). */
let lastRequest = -Infinity;
/** Requests from the page being worked on now: a batch sends no messages while it runs, and must not share the worker. */
let inFlight = 0;

/** A request from the page arrived: background work waits until the worker has been quiet a moment. */
export function noteRequest(): void {
  lastRequest = performance.now();
}

/** Runs a request from the page (engine.worker.ts wraps every engine call): background work waits until it ends. */
export async function foreground<T>(work: () => Promise<T>): Promise<T> {
  inFlight += 1;
  try {
    return await work();
  } finally {
    inFlight -= 1;
    lastRequest = performance.now();
  }
}

/**
 * A page request that waits for background work to end (suspiciousLabels waits for the label check): while it waits
 * it does not count as in progress, or the background work would wait for it in turn, 250 ms at every yield.
 */
export async function awaitBackground<T>(wait: () => Promise<T>): Promise<T> {
  inFlight -= 1;
  try {
    return await wait();
  } finally {
    inFlight += 1;
  }
}

const busy = () => inFlight > 0 || performance.now() - lastRequest < QUIET_MS;

/** Background work between yields. */
const SLICE_MS = 4;
/** How long without requests before background work goes on. */
const QUIET_MS = 50;
/**
 * The longest a background task waits for quiet at one yield: a page that polls without pause still lets it finish,
 * slowly, rather than never.
 */
const MAX_WAIT_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A `breathe` for background work (trainHeads' option): short slices, and none while the page is busy. */
export function backgroundBreather(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < SLICE_MS) return;
    await nextTask();
    const waitingSince = performance.now();
    while (busy() && performance.now() - waitingSince < MAX_WAIT_MS) await sleep(QUIET_MS / 5);
    last = performance.now();
  };
}
