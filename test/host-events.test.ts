import { afterEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import '../src/components/hitl-classifier/hitl-classifier.js';
import '../src/components/hitl-review-queue/hitl-review-queue.js';
import '../src/components/hitl-model-panel/hitl-model-panel.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import { HitlErrorEvent } from '../src/events.js';
import { onCleanup, runCleanups, stage, uniqueName } from './helpers.js';

afterEach(runCleanups);

/** hitl-error as the host page hears it: on the body, so it must bubble out of every shadow root. */
function errorsOnDocument(): HitlErrorEvent[] {
  const seen: HitlErrorEvent[] = [];
  const listener = (event: HitlErrorEvent) => seen.push(event);
  document.body.addEventListener('hitl-error', listener);
  onCleanup(() => document.body.removeEventListener('hitl-error', listener));
  return seen;
}

function element<K extends 'hitl-classifier' | 'hitl-review-queue' | 'hitl-model-panel'>(
  tag: K,
  attributes: Record<string, string>,
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  return made;
}

describe('hitl-error', () => {
  test('every element fires it, bubbling and composed, for attributes it cannot open a model with', async () => {
    const errors = errorsOnDocument();
    const container = stage();
    const classifier = element('hitl-classifier', { model: uniqueName('events'), labels: 'a,b', threshold: '2', storage: 'memory' });
    classifier.textContent = 'some text';
    const queue = element('hitl-review-queue', { model: uniqueName('events'), storage: 'disk' });
    const panel = element('hitl-model-panel', { model: uniqueName('events'), storage: 'disk' });
    container.append(classifier, queue, panel);
    await expect.poll(() => errors.length).toBe(3);
    expect(errors.map((event) => event.target)).toEqual([classifier, queue, panel]);
    for (const event of errors) {
      expect(event).toBeInstanceOf(HitlErrorEvent);
      expect([event.bubbles, event.composed, event.phase, event.error.name]).toEqual([true, true, 'open', 'TypeError']);
    }
    expect(errors[0]?.error.message).toContain('threshold');
    expect(errors[1]?.error.message).toContain('disk');
    // The message is the one the element shows.
    expect(classifier.shadowRoot?.textContent).toContain(errors[0]?.error.message);
  });

  test('<hitl-classifier> fires it with phase predict and label when its handle fails, and shows the same failure', async () => {
    const errors = errorsOnDocument();
    const tag = element('hitl-classifier', { model: uniqueName('events'), labels: 'bug,billing', storage: 'memory' }) as HitlClassifier;
    tag.textContent = 'The app crashes on save';
    stage().append(tag);
    await expect.poll(() => tag.prediction, { timeout: 30_000 }).not.toBeNull();
    // A closed handle rejects every call: the element's next predict and label fail as a dead engine's would.
    await tag.classifier?.close();
    tag.refresh();
    await expect.poll(() => errors.map((event) => event.phase)).toEqual(['predict']);
    expect(errors[0]?.error.message).toMatch(/is closed/);
    await userEvent.click(page.getByRole('button', { name: 'bug', exact: true }));
    await expect.poll(() => errors.map((event) => event.phase)).toEqual(['predict', 'label']);
    await expect.poll(() => tag.shadowRoot?.querySelector('[role="alert"], .message.error')?.textContent ?? '').toMatch(/is closed/);
  });
});
