// `hitl-classifier/react`: React components for the elements, made with @lit/react. Props become element properties
// (so `labels` takes an array and `strings` an object), and the elements' events become typed `on…` props.
// `react` and `@lit/react` are the app's own (optional peer dependencies of the package).
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import {
  HitlClassifier as HitlClassifierElement,
  defineHitlTools,
  type HitlCompareEvent,
  type HitlDriftEvent,
  type HitlErrorEvent,
  type HitlLabelEvent,
  type HitlPredictionEvent,
  type HitlReviewNeededEvent,
  type HitlUndoEvent,
} from '../index.js';

const onError = 'hitl-error' as EventName<HitlErrorEvent>;

/** `<hitl-classifier>`: `onPrediction`, `onReviewNeeded`, `onLabel`, `onUndo` and `onError`. */
export const HitlClassifier = createComponent({
  tagName: 'hitl-classifier',
  elementClass: HitlClassifierElement,
  react: React,
  events: {
    onPrediction: 'hitl-prediction' as EventName<HitlPredictionEvent>,
    onReviewNeeded: 'hitl-review-needed' as EventName<HitlReviewNeededEvent>,
    onLabel: 'hitl-label' as EventName<HitlLabelEvent>,
    onUndo: 'hitl-undo' as EventName<HitlUndoEvent>,
    onError,
  },
});

type Tools = Awaited<ReturnType<typeof defineHitlTools>>;
let tools: Promise<Tools> | null = null;

/** The tool elements load on first use, as in the main entry; a failed load may be retried by the next render. */
function loadTools(): Promise<Tools> {
  tools ??= defineHitlTools().catch((error: unknown) => {
    tools = null;
    throw error;
  });
  return tools;
}

function queueComponent(tool: Tools) {
  return createComponent({
    tagName: 'hitl-review-queue',
    elementClass: tool.HitlReviewQueue,
    react: React,
    events: { onLabel: 'hitl-label' as EventName<HitlLabelEvent>, onUndo: 'hitl-undo' as EventName<HitlUndoEvent>, onError },
  });
}

function panelComponent(tool: Tools) {
  return createComponent({
    tagName: 'hitl-model-panel',
    elementClass: tool.HitlModelPanel,
    react: React,
    events: { onDrift: 'hitl-drift' as EventName<HitlDriftEvent>, onError },
  });
}

function compareComponent(tool: Tools) {
  return createComponent({
    tagName: 'hitl-compare',
    elementClass: tool.HitlCompare,
    react: React,
    events: { onCompare: 'hitl-compare' as EventName<HitlCompareEvent>, onError },
  });
}

/**
 * `<hitl-review-queue>` (`onLabel`, `onUndo`, `onError`), `<hitl-model-panel>` (`onDrift`, `onError`) and
 * `<hitl-compare>` (`onCompare`, `onError`): their code loads the first time one renders, so they are lazy components,
 * rendered inside a `<Suspense>`.
 */
export const HitlReviewQueue = React.lazy(async () => ({ default: queueComponent(await loadTools()) }));
export const HitlModelPanel = React.lazy(async () => ({ default: panelComponent(await loadTools()) }));
export const HitlCompare = React.lazy(async () => ({ default: compareComponent(await loadTools()) }));
