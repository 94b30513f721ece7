import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * After this long without pointer, key, focus, wheel, touch or scroll activity anywhere on the page, a person is taken
 * to be away and the time stops counting until they act again. 30 s: long enough to read an item of a few hundred
 * words (about 100 words at 240 a minute plus the decision) without touching anything, and short enough that a
 * person who walked away adds at most 30 s to one decision instead of the whole break. A longer item makes people
 * scroll, which is activity. The figures built on it use the median, which such a capped stretch barely moves.
 */
export const IDLE_CUTOFF_MS = 30_000;

/**
 * The clock every timer reads: monotonic ms. Tests replace `now` to drive timers deterministically; nothing else
 * should.
 */
export const decisionClock = { now: (): number => performance.now() };

/** Activity that shows a person is at the page; scroll is caught in the capture phase, as it does not bubble. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focusin', 'scroll'] as const;

/** Timers with a shown prediction waiting for a decision: the page's activity and visibility reach only these. */
const running = new Set<DecisionTimer>();
let pageVisible = typeof document === 'undefined' || document.visibilityState === 'visible';

/** The timers waiting for a decision now: for diagnostics and tests, which wait on their state instead of on time. */
export function runningTimers(): readonly DecisionTimer[] {
  return [...running];
}

function onActivity(): void {
  const now = decisionClock.now();
  for (const timer of running) timer.active(now);
}

function onVisibility(): void {
  const now = decisionClock.now();
  // Settled under the old state first: the time up to now was counted (or not) as it was.
  for (const timer of running) timer.settle(now);
  pageVisible = document.visibilityState === 'visible';
  // Coming back to the tab is something the person did.
  if (pageVisible) for (const timer of running) timer.active(now);
}

/** Listeners are on the page while any timer runs, and only then. */
function listen(on: boolean): void {
  const method = on ? 'addEventListener' : 'removeEventListener';
  for (const type of ACTIVITY_EVENTS) window[method](type, onActivity, { capture: true, passive: true } as AddEventListenerOptions);
  document[method]('visibilitychange', onVisibility);
  if (on) pageVisible = document.visibilityState === 'visible';
}

function track(timer: DecisionTimer, on: boolean): void {
  const before = running.size;
  if (on) running.add(timer);
  else running.delete(timer);
  if (before === 0 && running.size > 0) listen(true);
  if (before > 0 && running.size === 0) listen(false);
}

export interface DecisionTimerOptions {
  /**
   * What the host shows for a person to decide now (an input's key, a queue item's id), or null when nothing: a new
   * value starts the count again, null stops it. Read after every update of the host.
   */
  shown: () => string | null;
}

/**
 * Measures a person's time on one decision: from the moment the host shows a prediction to the decision, counting
 * only while the page is visible (visibilitychange), the host is in the viewport (IntersectionObserver) and the
 * person is active (no gap over IDLE_CUTOFF_MS without activity). A decision anywhere on the page starts every other
 * running timer again, so a page of many items does not charge each decision with the time spent on the others.
 */
export class DecisionTimer implements ReactiveController {
  #key: string | null = null;
  #elapsed = 0;
  /** When the time up to now was last added to #elapsed. */
  #settledAt = 0;
  /** The last activity plus the cut-off: time past it is idle. */
  #activeUntil = 0;
  #inView = false;
  #observer: IntersectionObserver | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & Element,
    private readonly options: DecisionTimerOptions,
  ) {
    host.addController(this);
  }

  /** Whether the host is in the viewport, as the IntersectionObserver last said. */
  get inView(): boolean {
    return this.#inView;
  }

  /** Visible, active ms counted for the decision now pending (0 when nothing is shown). */
  get elapsedMs(): number {
    if (this.#key !== null) this.settle(decisionClock.now());
    return this.#elapsed;
  }

  hostConnected(): void {
    this.#observer = new IntersectionObserver((entries) => {
      const now = decisionClock.now();
      this.settle(now);
      this.#inView = entries.at(-1)?.isIntersecting ?? this.#inView;
      if (this.#inView) this.active(now);
    });
    this.#observer.observe(this.host);
    if (this.#key !== null) track(this, true);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.settle(decisionClock.now());
    this.#inView = false;
    track(this, false);
  }

  hostUpdated(): void {
    const key = this.options.shown();
    if (key === this.#key) return;
    this.#key = key;
    this.#reset(decisionClock.now());
    track(this, key !== null);
  }

  /**
   * The person decided: the ms counted since the prediction was shown (or since the page's last decision), rounded.
   * The count starts again, here and in every other running timer, for the next decision.
   */
  take(): number {
    const now = decisionClock.now();
    this.settle(now);
    const ms = Math.round(this.#elapsed);
    for (const timer of running) timer.#reset(now);
    this.#reset(now);
    return ms;
  }

  /** The person did something: the time up to now counts (within the cut-off), and so will the next IDLE_CUTOFF_MS. */
  active(now: number): void {
    this.settle(now);
    this.#activeUntil = now + IDLE_CUTOFF_MS;
  }

  /** Adds the time since the last settle, as far as it was visible, in view and within the activity window. */
  settle(now: number): void {
    if (this.#key !== null && pageVisible && this.#inView) this.#elapsed += Math.max(0, Math.min(now, this.#activeUntil) - this.#settledAt);
    this.#settledAt = now;
  }

  #reset(now: number): void {
    this.#elapsed = 0;
    this.#settledAt = now;
    // Seeing a new prediction appear is the start of the person's attention to it.
    this.#activeUntil = now + IDLE_CUTOFF_MS;
  }
}
