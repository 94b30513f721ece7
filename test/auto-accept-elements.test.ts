import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Classifier } from '../src/classifier.js';
import { acquireClassifier, releaseClassifier } from '../src/registry.js';
import '../src/components/hitl-review-queue/hitl-review-queue.js';
import '../src/components/hitl-model-panel/hitl-model-panel.js';
import { render } from 'lit';
import { HitlClassifier, HITL_CLASSIFIER_STRINGS } from '../src/components/hitl-classifier/hitl-classifier.js';
import { renderPrediction, type ViewInputs } from '../src/components/hitl-classifier/classifier-view.js';
import { DEFAULT_KEYS } from '../src/components/shared/decision-keys.js';
import type { Prediction } from '../src/protocol.js';
import { runCleanups, stage, uniqueName, until } from './helpers.js';

// Elements for auto-accept (issue 19): the queue marks spot checks, the panel draws the guarantee and its curve.
// One model for both, opened through the page's registry as an element would, with loose settings so that a few
// dozen checks are enough (each threshold tested at 0.2 / 10: 18 right checks).
const name = uniqueName('aa-elements');
let clf: Classifier;

function row(i: number): { x: number[]; label: 'left' | 'right' } {
  const label = i % 2 === 0 ? 'left' : 'right';
  const c = label === 'left' ? -2 : 2;
  return { x: [c + ((i * 7919) % 97) / 97 - 0.5, c + ((i * 104729) % 89) / 89 - 0.5, 0, 0], label };
}

beforeAll(async () => {
  clf = await acquireClassifier({
    name,
    labels: ['left', 'right'],
    input: 'features',
    storage: 'memory',
    autoTrain: false,
    autoAccept: { maxError: 0.2, confidence: 0.8 },
    spotCheckRate: 1,
  });
  for (let i = 0; i < 30; i++) await clf.label(row(i).x, row(i).label);
  await clf.train();
  for (let i = 30; i < 60; i++) {
    const p = await clf.predict(row(i).x, { shown: true, queue: false });
    await clf.label(row(i).x, row(i).label, { predictionId: p.id });
  }
  // Queued: a spot check (every prediction is one at spotCheckRate 1).
  await clf.predict(row(61).x, { shown: true });
});

afterEach(runCleanups);
afterAll(() => releaseClassifier(clf));

test('the review queue marks a spot check', async () => {
  const queue = document.createElement('hitl-review-queue');
  queue.setAttribute('model', name);
  queue.setAttribute('storage', 'memory');
  stage().append(queue);
  const mark = await until(
    () => queue.shadowRoot?.querySelector('[part~="spot-check"]'),
    (found) => !!found,
  );
  expect(mark!.textContent).toBe('Spot check');
  expect(mark!.getAttribute('title')).toMatch(/at random/);
});

test('the model panel draws the guarantee and the risk-coverage curve with its operating point', async () => {
  const { autoAccept } = await clf.stats();
  expect(autoAccept!.threshold).not.toBeNull();
  const panel = document.createElement('hitl-model-panel');
  panel.setAttribute('model', name);
  panel.setAttribute('storage', 'memory');
  stage().append(panel);
  const block = await until(
    () => panel.shadowRoot?.querySelector('[part~="auto-accept"]'),
    (found) => !!found?.querySelector('[part~="risk-coverage"]'),
  );
  expect(block!.textContent).toContain('At most 20% wrong');
  expect(block!.querySelector('[data-stat="auto-accept-status"]')!.textContent).toContain('30 spot checks');
  const operating = block!.querySelector('circle.operating')!;
  expect(Number(operating.getAttribute('data-threshold'))).toBe(autoAccept!.threshold);
  expect(block!.querySelector('[part~="risk-coverage"]')!.getAttribute('aria-label')).toMatch(/^Risk against coverage, by threshold: /);
});

test('<hitl-classifier max-error confidence> opens its model with autoAccept, and the engine decides what needs review', async () => {
  const element = document.createElement('hitl-classifier') as HitlClassifier;
  element.setAttribute('model', uniqueName('aa-element'));
  element.setAttribute('labels', 'billing,bug,feature');
  element.setAttribute('storage', 'memory');
  element.setAttribute('max-error', '0.05');
  element.setAttribute('confidence', '0.8');
  // A threshold the element would apply without auto-accept: it must not overrule the engine.
  element.setAttribute('threshold', '0.01');
  element.textContent = 'The app crashes when I press save';
  stage().append(element);
  const opened = await until(
    () => element.classifier,
    (c) => c !== null,
  );
  expect(opened!.autoAccept).toEqual({ maxError: 0.05, confidence: 0.8, perClass: false, spotCheckRate: 0.05 });
  await opened!.label('The app crashes when I press play', 'bug');
  await opened!.label('I was charged twice for my invoice', 'billing');
  await opened!.label('Please add a dark mode to the settings', 'feature');
  // No trained model, no evidence: the engine sends everything to review, whatever the element's threshold says.
  const prediction = await until(
    () => element.prediction,
    (p) => p?.label === 'bug',
  );
  expect(prediction!.confidence).toBeGreaterThan(0.01);
  expect(prediction!.needsReview).toBe(true);
  expect(element.state).toBe('needs-review');
});

test('in review, a prediction set of some labels asks "bug or feature?" instead of one guess', () => {
  const prediction: Prediction = {
    id: 'p',
    label: 'bug',
    confidence: 0.55,
    scores: { billing: 0.05, bug: 0.55, feature: 0.4 },
    needsReview: true,
    modelVersion: 3,
    set: ['bug', 'feature'],
  };
  const view = (p: Prediction): string => {
    const inputs = {
      strings: HITL_CLASSIFIER_STRINGS,
      mode: 'suggest',
      prediction: p,
      human: null,
      rejected: null,
      error: null,
      source: { kind: 'text', text: 'x', key: 'x' },
      labels: ['billing', 'bug', 'feature'],
      unavailable: false,
      undoable: false,
      keys: DEFAULT_KEYS,
    } as unknown as ViewInputs;
    const box = stage();
    render(renderPrediction('needs-review', inputs), box);
    return box.textContent!.replace(/\s+/g, ' ').trim();
  };
  expect(view(prediction)).toMatch(/^Is this bug or feature\?/);
  // One label, or every label (the model cannot rule any out): the single guess as before.
  expect(view({ ...prediction, set: ['bug'] })).toMatch(/^Is this bug\?/);
  expect(view({ ...prediction, set: ['bug', 'feature', 'billing'] })).toMatch(/^Is this bug\?/);
});
