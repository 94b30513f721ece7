/** The channel the tabs of an origin share for one ranker: apart from the classifier's of the same name. */
export function rankerChannel(name: string): string {
  return `hitl-ranker:${name}`;
}

/**
 * Tells the other tabs of the origin that this ranker's stored comparisons changed, and hears when they changed
 * theirs: each tab then reads the comparisons back from IndexedDB and refits its own model (nothing but the
 * comparisons is stored, so there are no weights to race over).
 */
export class RankerTabs {
  private readonly channel: BroadcastChannel | null;

  constructor(name: string, onRemote: () => void) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(rankerChannel(name)) : null;
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      if ((event.data as { changed?: unknown } | null)?.changed === true) onRemote();
    });
  }

  announce(): void {
    this.channel?.postMessage({ changed: true });
  }

  close(): void {
    this.channel?.close();
  }
}
