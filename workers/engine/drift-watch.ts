import type { ModelSession } from './model-session.js';
import { DRIFT_WINDOW } from './policy.js';

/** Checks run at most this often: a burst of predictions and labels is one check, after it settles. */
const CHECK_AFTER_MS = 1_000;

/**
 * Watches the audit log for drift and tells every page when it starts and when it ends, so pages need not poll.
 * A check reads the log as `quality()` does; it runs after what drift depends on changed (predictions people saw,
 * their decisions), coalesced.
 */
export class DriftWatch {
  private drifted = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly session: ModelSession) {}

  /** Something drift depends on changed: check again once things settle. */
  poke(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, CHECK_AFTER_MS);
  }

  /** Checks now; emits a `drift` change when the answer differs from the last one told. */
  check(): Promise<void> {
    const { session } = this;
    this.checking = this.checking
      .then(async () => {
        const generation = session.generation;
        const { drift } = await session.quality(DRIFT_WINDOW, 1);
        if (session.generation !== generation || drift.drifted === this.drifted) return;
        this.drifted = drift.drifted;
        session.autoAccept.driftChanged(drift.drifted);
        session.emit({ type: 'drift', key: session.key, drifted: drift.drifted, report: drift });
      })
      .catch((error: unknown) => console.warn('hitl-classifier: could not check the log for drift', error));
    return this.checking;
  }

  /** After a reset the log is new: no drift until it shows some. */
  forget(): void {
    this.drifted = false;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
