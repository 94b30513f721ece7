import { afterEach, expect, test } from 'vitest';
// The package entry, as a page imports it: it must not load the queue and panel up front.
import { createRanker, defineHitlTools } from '../index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('the entry defines <hitl-classifier> at once, and <hitl-model-panel> / <hitl-review-queue> on first use', async () => {
  expect(customElements.get('hitl-classifier')).toBeDefined();
  expect(customElements.get('hitl-model-panel')).toBeUndefined();
  expect(customElements.get('hitl-review-queue')).toBeUndefined();

  // Added deep inside other markup, as a page or framework would.
  const container = document.createElement('section');
  container.innerHTML = '<div><hitl-model-panel model="on-demand-test" storage="memory" refresh-interval="0"></hitl-model-panel></div>';
  document.body.append(container);
  cleanups.push(() => container.remove());
  await customElements.whenDefined('hitl-model-panel');
  const panel = container.querySelector('hitl-model-panel');
  expect(panel?.shadowRoot).not.toBeNull();
  // Nobody opened that model and the panel has no labels: it says it is waiting, in its own shadow DOM.
  await expect.poll(() => panel?.shadowRoot?.textContent ?? '').toContain('Waiting for the model "on-demand-test" to open');
  expect(customElements.get('hitl-review-queue')).toBeUndefined();

  expect(customElements.get('hitl-compare')).toBeUndefined();

  const { HitlReviewQueue, HitlModelPanel, HitlCompare, HITL_REVIEW_QUEUE_STRINGS, HITL_COMPARE_STRINGS } = await defineHitlTools();
  expect(customElements.get('hitl-review-queue')).toBe(HitlReviewQueue);
  expect(customElements.get('hitl-compare')).toBe(HitlCompare);
  expect(panel).toBeInstanceOf(HitlModelPanel);
  // The default strings come with the elements, not in the entry.
  expect(HITL_REVIEW_QUEUE_STRINGS.skip).toBe('Skip');
  expect(Object.keys(HITL_COMPARE_STRINGS).length).toBeGreaterThan(5);
});

test("the entry's createRanker loads the ranker's code on its first call and opens a ranker", async () => {
  const ranker = await createRanker({ name: `on-demand-ranker-${Date.now()}`, storage: 'memory' });
  cleanups.push(() => ranker.close());
  const { decisionId } = await ranker.compare('a helpful, specific answer', 'not our problem', 'a');
  expect(decisionId).toEqual(expect.any(String));
  expect(await ranker.stats()).toMatchObject({ comparisons: 1 });
});
