import type { DecisionAction, DriftReport, Prediction } from './protocol.js';

/** Fired by `<hitl-classifier>` each time it shows a new prediction (also in `mode="silent"`). */
export class HitlPredictionEvent extends Event {
  constructor(readonly prediction: Prediction) {
    super('hitl-prediction', { bubbles: true, composed: true });
  }
}

/**
 * Fired by `<hitl-classifier>` and `<hitl-review-queue>` once a person's label is durably stored.
 * `action`: `accept` (the predicted label), `correct` (another label picked directly), `reject` (the prediction
 * was rejected first, then another label picked). `decisionId` identifies the decision for `classifier.undo()`.
 */
export class HitlLabelEvent extends Event {
  readonly action: DecisionAction;
  readonly decisionId: string | undefined;

  constructor(
    readonly label: string,
    readonly prediction: Prediction | null,
    readonly annotator: string | undefined,
    detail: { action?: DecisionAction; decisionId?: string } = {},
  ) {
    super('hitl-label', { bubbles: true, composed: true });
    this.action = detail.action ?? (prediction?.label === label ? 'accept' : 'correct');
    this.decisionId = detail.decisionId;
  }
}

/**
 * Fired by `<hitl-classifier>` when a prediction it shows (or, in `mode="silent"`, makes) is below the threshold
 * and no person has labelled the input yet. Not fired while the model has no labelled example at all.
 */
export class HitlReviewNeededEvent extends Event {
  constructor(readonly prediction: Prediction) {
    super('hitl-review-needed', { bubbles: true, composed: true });
  }
}

/** Fired by `<hitl-classifier>` and `<hitl-review-queue>` once a person's last decision was undone. */
export class HitlUndoEvent extends Event {
  constructor(
    readonly decisionId: string,
    /** The label the input has again, or null when it has none any more. */
    readonly restoredLabel: string | null,
  ) {
    super('hitl-undo', { bubbles: true, composed: true });
  }
}

/** Where a failure happened: opening the model, predicting, storing a decision, training, reading or writing storage, or the engine itself. */
export type HitlErrorPhase = 'open' | 'predict' | 'label' | 'train' | 'storage' | 'engine';

/**
 * Fired by every element when something fails, as well as shown inside it: `error` (its `name` and `message`) and
 * the `phase` it failed in. The element keeps working; the next success clears what it shows.
 */
export class HitlErrorEvent extends Event {
  readonly error: Error;

  constructor(
    readonly phase: HitlErrorPhase,
    error: unknown,
  ) {
    super('hitl-error', { bubbles: true, composed: true });
    this.error = error instanceof Error ? error : new Error(String(error));
  }
}

declare global {
  interface HTMLElementEventMap {
    'hitl-error': HitlErrorEvent;
    'hitl-prediction': HitlPredictionEvent;
    'hitl-label': HitlLabelEvent;
    'hitl-review-needed': HitlReviewNeededEvent;
    'hitl-undo': HitlUndoEvent;
  }
}

/**
 * Fired by `<hitl-model-panel>` when the model's drift report turns from not drifted to drifted
 * (`detail`: the `DriftReport`, with its `reasons`).
 */
export class HitlDriftEvent extends Event {
  constructor(readonly detail: DriftReport) {
    super('hitl-drift', { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'hitl-drift': HitlDriftEvent;
  }
}
