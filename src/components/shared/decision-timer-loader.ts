import type { ReactiveControllerHost } from 'lit';
import type { DecisionTimer, DecisionTimerOptions } from './decision-timer.js';

let loading: Promise<typeof import('./decision-timer.js')> | undefined;

/** The timer's module, loaded once and after the page's first load: it is no part of the main-thread budget. */
export const loadDecisionTimer = (): Promise<typeof import('./decision-timer.js')> => (loading ??= import('./decision-timer.js'));

/**
 * A DecisionTimer for an element of the page's first load: it loads on the host's first connect, long before the
 * first prediction (which waits for the engine worker); `take()` gives undefined until then, and no time is sent.
 */
export function lazyDecisionTimer(host: ReactiveControllerHost & Element, options: DecisionTimerOptions): { take(): number | undefined } {
  let timer: DecisionTimer | undefined;
  host.addController({
    hostConnected: () =>
      void loadDecisionTimer().then(({ DecisionTimer }) => {
        // Added to a connected host, it connects at once; the update reads what is shown now.
        timer ??= new DecisionTimer(host, options);
        host.requestUpdate();
      }),
  });
  return { take: () => timer?.take() };
}
