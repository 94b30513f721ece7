import type { Prediction } from '../../protocol.js';
import { notOneOf, type ConnectionMessage } from '../shared/model-connection.js';

export const DEFAULT_THRESHOLD = 0.8;

export const HITL_CLASSIFIER_MODES = ['suggest', 'review', 'silent'] as const;
export type HitlClassifierMode = (typeof HITL_CLASSIFIER_MODES)[number];

/** What the element shows; also reflected as the host's `state` attribute for styling. */
export type HitlClassifierState = 'error' | 'loading' | 'empty' | 'predicting' | 'no-model' | 'needs-review' | 'confident' | 'labelled';

export interface HumanLabel {
  label: string;
  annotator: string | undefined;
  /** The input it was given for: a label never carries over to edited text or another picture. */
  key: string;
}

/** What decides the state shown, read from the element on each call (the state is never stored apart from it). */
export interface StateInputs {
  /** Why the element has no handle (bad attributes, a failed open), or null. */
  connectionMessage: string | null;
  hasSource: boolean;
  human: HumanLabel | null;
  prediction: Prediction | null;
  error: string | null;
  connected: boolean;
  rejected: string | null;
}

export function stateOf({ connectionMessage, hasSource, human, prediction, error, connected, rejected }: StateInputs): HitlClassifierState {
  if (connectionMessage) return 'error';
  if (!hasSource) return 'empty';
  if (human) return 'labelled';
  if (prediction === null) {
    if (error) return 'error';
    return connected ? 'predicting' : 'loading';
  }
  if (prediction.label === null) return 'no-model';
  return prediction.needsReview || rejected !== null ? 'needs-review' : 'confident';
}

/** The classifier's own attributes (the connection checks the model, labels, backend and storage): the first problem. */
export function checkClassifierAttributes(threshold: unknown, thresholdAttribute: string | null, mode: unknown): ConnectionMessage | null {
  const value = threshold ?? DEFAULT_THRESHOLD;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    return { key: 'badThreshold', values: { value: thresholdAttribute ?? String(value) } };
  }
  return notOneOf('badMode', mode ?? 'suggest', HITL_CLASSIFIER_MODES);
}

/** The element's threshold decides `needsReview`: elements sharing a handle may disagree on it. */
export function withThreshold(prediction: Prediction, threshold: number): Prediction {
  const needsReview = prediction.label === null || prediction.confidence < threshold;
  return Object.freeze({ ...prediction, scores: Object.freeze({ ...prediction.scores }), needsReview });
}
