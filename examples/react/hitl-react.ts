// React components for the hitl-classifier elements, made with @lit/react: props become element properties (so
// `labels` takes an array and `strings` an object), and the element events become typed `on…` props.
// In an application, import from 'hitl-classifier' instead of '../../src/index.js'.
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import {
  HitlClassifier as HitlClassifierElement,
  defineHitlTools,
  type HitlDriftEvent,
  type HitlLabelEvent,
  type HitlPredictionEvent,
  type HitlReviewNeededEvent,
  type HitlUndoEvent,
} from '../../src/index.js';

export const HitlClassifier = createComponent({
  tagName: 'hitl-classifier',
  elementClass: HitlClassifierElement,
  react: React,
  events: {
    onPrediction: 'hitl-prediction' as EventName<HitlPredictionEvent>,
    onReviewNeeded: 'hitl-review-needed' as EventName<HitlReviewNeededEvent>,
    onLabel: 'hitl-label' as EventName<HitlLabelEvent>,
    onUndo: 'hitl-undo' as EventName<HitlUndoEvent>,
  },
});

/**
 * The review queue and model panel load on first use (they are for the people overseeing a model), so their React
 * components come from a promise: use them with React.lazy and <Suspense>.
 */
export const hitlTools = defineHitlTools().then(({ HitlReviewQueue, HitlModelPanel }) => ({
  HitlReviewQueue: createComponent({
    tagName: 'hitl-review-queue',
    elementClass: HitlReviewQueue,
    react: React,
    events: {
      onLabel: 'hitl-label' as EventName<HitlLabelEvent>,
      onUndo: 'hitl-undo' as EventName<HitlUndoEvent>,
    },
  }),
  HitlModelPanel: createComponent({
    tagName: 'hitl-model-panel',
    elementClass: HitlModelPanel,
    react: React,
    events: { onDrift: 'hitl-drift' as EventName<HitlDriftEvent> },
  }),
}));
