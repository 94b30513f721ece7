import type { EngineEvent } from '../src/protocol.js';

/** The changes one tab tells the other tabs of a model about; the others then read them back from IndexedDB. */
export type TabChange = 'examples-changed' | 'model-updated' | 'labels-changed' | 'reset';

interface TabMessage {
  change: TabChange;
}

/** Engine events that mean the stored model changed, and what the other tabs should reload for each. */
const ANNOUNCED: Partial<Record<EngineEvent['type'], TabChange>> = {
  'examples-changed': 'examples-changed',
  'model-updated': 'model-updated',
  'labels-changed': 'labels-changed',
  imported: 'examples-changed',
  reset: 'reset',
};

export function lockName(model: string): string {
  return `hitl-classifier:${model}:train`;
}

export function channelName(model: string): string {
  return `hitl-classifier:${model}`;
}

/**
 * One stored model shared by every tab of the origin. Training (and importing) runs under a Web Lock per model, so
 * only one tab trains at a time and each starts from what the last one saved; a BroadcastChannel per model tells
 * the other tabs to reload what changed. Both work in a dedicated worker, and a lock is released when its tab dies.
 */
export class TabCoordination {
  private readonly channel: BroadcastChannel | null;
  /** Set while this tab replays another tab's change to its own pages: those events must not echo back. */
  private muted = false;

  constructor(
    private readonly model: string,
    onRemote: (change: TabChange) => void,
  ) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName(model)) : null;
    this.channel?.addEventListener('message', (event: MessageEvent<TabMessage>) => {
      const change = event.data?.change;
      if (change === 'examples-changed' || change === 'model-updated' || change === 'labels-changed' || change === 'reset') onRemote(change);
    });
  }

  /** Tells the other tabs about a change this tab stored. */
  announce(event: EngineEvent): void {
    const change = ANNOUNCED[event.type];
    if (this.muted || !change || !this.channel) return;
    this.channel.postMessage({ change } satisfies TabMessage);
  }

  /** Runs `emit` (synchronous) without announcing what it emits: for changes that came from another tab. */
  quietly(emit: () => void): void {
    this.muted = true;
    try {
      emit();
    } finally {
      this.muted = false;
    }
  }

  /**
   * Runs `work` holding this model's lock in every tab of the origin; without Web Locks, runs it at once. Aborting
   * `signal` while the lock is still awaited rejects with its reason and never runs `work`.
   */
  exclusive<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return work();
    return locks.request(lockName(this.model), { mode: 'exclusive', ...(signal ? { signal } : {}) }, work) as Promise<T>;
  }

  close(): void {
    this.channel?.close();
  }
}
