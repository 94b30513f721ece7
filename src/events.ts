import type { Prediction } from './protocol.js';

/** Fired by `<hitl-classifier>` each time it shows a new prediction. */
export class HitlPredictionEvent extends Event {
  constructor(readonly prediction: Prediction) {
    super('hitl-prediction', { bubbles: true, composed: true });
  }
}

/** Fired by `<hitl-classifier>` once a person's label is durably stored. */
export class HitlLabelEvent extends Event {
  constructor(
    readonly label: string,
    readonly prediction: Prediction | null,
    readonly annotator: string | undefined,
  ) {
    super('hitl-label', { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'hitl-prediction': HitlPredictionEvent;
    'hitl-label': HitlLabelEvent;
  }
}
