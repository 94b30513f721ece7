import axe from 'axe-core';
import { afterEach, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { createClassifier, type Classifier } from '../../classifier.js';
import type { HitlLabelEvent } from '../../events.js';
import { HitlReviewQueue } from './hitl-review-queue.js';
import { onCleanup, runCleanups, stage, tickets, uniqueName, until } from '../../../test/helpers.js';

afterEach(runCleanups);

const LABELS = ['billing', 'bug', 'feature'];

/** Every WCAG 2.0–2.2 A and AA rule axe has, on the element and its shadow root. */
async function violations(context: Element): Promise<string[]> {
  const result = await axe.run(context, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(' | ')}`);
}

function queueFor(clf: Classifier, attributes: Record<string, string>): HitlReviewQueue {
  const element = document.createElement('hitl-review-queue');
  element.setAttribute('model', clf.name);
  element.setAttribute('storage', 'memory');
  element.setAttribute('labels', clf.labels.join(','));
  element.setAttribute('input', clf.input);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  stage().append(element);
  return element;
}

function text(element: Node): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim();
}

test('the conflicts view lists what annotators disagree on; an adjudicator settles one by click and one by keyboard', async () => {
  const clf = await createClassifier({ name: uniqueName('conflicts'), labels: LABELS, storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  const items = [tickets.billing[0], tickets.bug[0], tickets.feature[0]] as const;
  await clf.label(items[0], 'billing', { annotator: 'ana' });
  await clf.label(items[1], 'bug', { annotator: 'ana' });
  await clf.label(items[2], 'feature', { annotator: 'ana' });
  await clf.label(items[0], 'billing', { annotator: 'bo' });
  await clf.label(items[1], 'feature', { annotator: 'bo' });
  await clf.label(items[2], 'bug', { annotator: 'bo' });

  const element = queueFor(clf, { annotator: 'cy' });
  const labelled: HitlLabelEvent[] = [];
  element.addEventListener('hitl-label', (event) => labelled.push(event));
  await until(
    () => element.conflicts.length,
    (n) => n === 2,
  );
  await userEvent.click(page.getByRole('button', { name: 'Conflicts (2)' }));
  expect(element.view).toBe('conflicts');
  await element.updateComplete;

  const cards = () => [...element.shadowRoot!.querySelectorAll<HTMLLIElement>('[part~="conflict"]')];
  expect(cards().map((card) => text(card.querySelector('[part~="text"]')!))).toEqual([items[1], items[2]]);
  const given = text(cards()[0]!.querySelector('[part~="given"]')!);
  expect(given).toMatch(/^ana said bug \(.+\) bo said feature \(.+\)$/);
  // Settle with either label given, or with the label nobody gave.
  expect([...cards()[0]!.querySelectorAll('button')].map((b) => text(b))).toEqual(['Settle as bug', 'Settle as feature', 'billing']);
  expect(await violations(element)).toEqual([]);

  await userEvent.click(page.getByRole('button', { name: 'Settle as feature' }).first());
  await until(
    () => labelled.length,
    (n) => n === 1,
  );
  expect(labelled[0]).toMatchObject({ label: 'feature', action: 'adjudicate', annotator: 'cy' });
  await until(
    () => cards().length,
    (n) => n === 1,
  );
  // Focus stays in the list, on the conflict that moved up: the keyboard goes on from there.
  await until(
    () => element.shadowRoot!.activeElement,
    (active) => active === cards()[0],
  );
  expect(text(cards()[0]!.querySelector('[part~="text"]')!)).toBe(items[2]);
  expect(text(element.shadowRoot!.querySelector('[part~="views"]')!)).toContain('Conflicts (1)');

  await userEvent.keyboard('{Tab}');
  expect(text(element.shadowRoot!.activeElement!)).toBe('Settle as feature');
  await userEvent.keyboard('{Enter}');
  await until(
    () => labelled.length,
    (n) => n === 2,
  );
  expect(labelled[1]).toMatchObject({ label: 'feature', action: 'adjudicate', annotator: 'cy' });
  await until(
    () => text(element.shadowRoot!),
    (all) => all.includes('No conflict to settle') && all.includes('Conflicts (0)'),
  );
  expect(await violations(element)).toEqual([]);

  const report = await clf.agreement();
  expect(report.conflicts).toEqual([]);
  expect(report.settled.map((s) => [s.adjudication.annotator, s.adjudication.label])).toEqual([
    ['cy', 'feature'],
    ['cy', 'feature'],
  ]);
  expect((await clf.getLabel(items[1]))?.label).toBe('feature');
  // The annotators' decisions are still there, each adjudication after them.
  const log = (await clf.auditLog()).filter((e) => e.kind === 'decision');
  expect(log.map((e) => e.annotator)).toEqual(['ana', 'ana', 'ana', 'bo', 'bo', 'bo', 'cy', 'cy']);
});

test('a conflict on numbers a model does not keep shows its hash and says the input is not stored', async () => {
  const clf = await createClassifier({
    name: uniqueName('conflicts-hash'),
    labels: ['low', 'high'],
    input: 'features',
    storage: 'memory',
    autoTrain: false,
    keepInputs: false,
  });
  onCleanup(() => clf.close());
  await clf.label([1, 2], 'low', { annotator: 'ana' });
  await clf.label([1, 2], 'high', { annotator: 'bo' });
  const [conflict] = (await clf.agreement()).conflicts;
  expect(conflict!.input).toBeUndefined();

  const element = queueFor(clf, { view: 'conflicts' });
  const shown = await until(
    () => element.shadowRoot!.querySelector('[part~="conflict"] [part~="text"]'),
    (found) => found !== null,
  );
  expect(text(shown!)).toBe(`The input is not stored (the model keeps no inputs); its hash is ${conflict!.inputHash}.`);
  expect(await violations(element)).toEqual([]);
  // The dark theme too, on a dark page, as test/a11y.test.ts checks the other views.
  element.style.colorScheme = 'dark';
  element.parentElement!.style.background = '#111318';
  expect(await violations(element.parentElement!)).toEqual([]);
  element.style.colorScheme = '';
  // Without an annotator attribute the adjudication names nobody.
  await userEvent.click(page.getByRole('button', { name: 'Settle as high' }));
  await until(
    async () => (await clf.agreement()).settled.length,
    (n) => n === 1,
  );
  expect((await clf.agreement()).settled[0]!.adjudication).toMatchObject({ annotator: '', label: 'high' });
});

test('conflicts on pictures draw each picture from its stored pixels', async () => {
  const clf = await createClassifier({
    name: uniqueName('conflicts-image'),
    labels: ['red', 'blue'],
    input: 'image',
    storage: 'memory',
    autoTrain: false,
  });
  onCleanup(() => clf.close());
  const picture = (rgb: [number, number, number]) => {
    const pixels = new ImageData(16, 16);
    for (let i = 0; i < pixels.data.length; i += 4) pixels.data.set([...rgb, 255], i);
    return pixels;
  };
  const red = picture([220, 20, 20]);
  const blue = picture([20, 20, 220]);
  for (const [pixels, first, second] of [
    [red, 'red', 'blue'],
    [blue, 'blue', 'red'],
  ] as const) {
    await clf.label(pixels, first, { annotator: 'ana' });
    await clf.label(pixels, second, { annotator: 'bo' });
  }
  const element = queueFor(clf, { view: 'conflicts' });
  const canvases = await until(
    () => [...element.shadowRoot!.querySelectorAll<HTMLCanvasElement>('[part~="conflict"] canvas[part~="image"]')],
    (found) => found.length === 2,
  );
  const corner = (canvas: HTMLCanvasElement) => [...canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data];
  const [first, second] = await until(
    () => canvases.map(corner),
    (rgba) => rgba.every((p) => p[3] === 255),
  );
  // In log order: the red picture's conflict first.
  expect(first![0]).toBeGreaterThan(150);
  expect(first![2]).toBeLessThan(100);
  expect(second![2]).toBeGreaterThan(150);
  expect(second![0]).toBeLessThan(100);
  expect(await violations(element)).toEqual([]);
});
