import type { ModelSession } from './model-session.js';

/** How often an open model with a retention period deletes what has expired since it opened. */
const RETENTION_SWEEP_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes labels, log entries and queue items older than the open handles' shortest retention period, for real. */
export class Retention {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly session: ModelSession) {}

  /** Sweeps now and every RETENTION_SWEEP_MS while a handle asks for a retention period. */
  async purgeExpired(): Promise<void> {
    const { session } = this;
    const days = session.handles.retentionDays;
    this.stop();
    if (days === null) return;
    this.timer = setInterval(() => void this.purgeExpired().catch(() => undefined), RETENTION_SWEEP_MS);
    await session.recorder.flush();
    const removed = await session.store.purgeBefore(Date.now() - days * DAY_MS);
    if (removed.examples === 0 && removed.queue === 0) return;
    await session.hydrate(await session.store.load());
    session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
    session.queue.emitSize();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
