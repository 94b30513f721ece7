import { afterEach, expect, test } from 'vitest';
import { createClassifier } from '../../classifier.js';
import type { HitlLabelEvent } from '../../events.js';
import '../hitl-model-panel/hitl-model-panel.js';
import { HitlReviewQueue } from './hitl-review-queue.js';
import { onCleanup, runCleanups, stage, uniqueName, until } from '../../../test/helpers.js';

afterEach(runCleanups);

const LABELS = ['north', 'east', 'west'];
const CENTRES = [
  [0, 6],
  [6, 0],
  [-6, 0],
];

/** 15 separable points per label; rows 0 (north) and 1 (east) labelled wrongly, as 'east' and 'west'. */
function points(): { row: number[]; given: string; truth: string }[] {
  const out: { row: number[]; given: string; truth: string }[] = [];
  for (let i = 0; i < 15; i++) {
    LABELS.forEach((label, c) => {
      const [x, y] = CENTRES[c]!;
      out.push({ row: [x! + Math.sin(i * 1.7 + c), y! + Math.cos(i * 2.3 + c)], given: label, truth: label });
    });
  }
  out[0]!.given = 'east';
  out[1]!.given = 'west';
  return out;
}

function button(element: HitlReviewQueue, text: string): HTMLButtonElement {
  const found = [...element.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (!found) throw new Error(`No button "${text}" in: ${element.shadowRoot!.textContent}`);
  return found;
}

test('the second look lists doubted labels with the suggestion; a person keeps one and changes another', async () => {
  const name = uniqueName('second-look');
  const clf = await createClassifier({ name, labels: LABELS, input: 'features', storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  const data = points();
  for (const { row, given } of data) await clf.label(row, given, { annotator: 'ana' });
  await clf.train();

  const element = document.createElement('hitl-review-queue');
  element.setAttribute('model', name);
  element.setAttribute('storage', 'memory');
  element.setAttribute('labels', LABELS.join(','));
  element.setAttribute('input', 'features');
  element.setAttribute('annotator', 'bo');
  stage().append(element);
  const labelled: HitlLabelEvent[] = [];
  element.addEventListener('hitl-label', (event) => labelled.push(event));

  // The queue view first; the second look is one button away and counts what it lists.
  expect(element.view).toBe('queue');
  await until(
    () => element.suspicious.length,
    (n) => n === 2,
  );
  button(element, 'Second look (2)').click();
  await element.updateComplete;
  expect(element.view).toBe('second-look');
  expect(element.getAttribute('view')).toBe('second-look');

  const first = element.suspicious[0]!;
  const shown = data.find((d) => d.given === first.label && d.truth === first.suggested)!;
  expect(element.shadowRoot!.querySelector('[part~="prediction"]')!.textContent!.replace(/\s+/g, ' ')).toContain(
    `Labelled ${first.label} by ana; a model trained without it says ${first.suggested}.`,
  );
  expect(element.shadowRoot!.querySelector('[part~="text"]')!.textContent).toBe(
    shown.row.map((v) => (Number.isInteger(v) ? String(v) : Math.fround(v).toPrecision(4))).join(', '),
  );

  button(element, `Keep ${first.label}`).click();
  await until(
    () => labelled.length,
    (n) => n === 1,
  );
  expect(labelled[0]).toMatchObject({ label: first.label, action: 'confirm', annotator: 'bo' });
  expect((await clf.getLabel(shown.row))?.label).toBe(first.label);

  await until(
    () => element.suspicious.map((s) => s.id),
    (ids) => ids.length === 1 && ids[0] !== first.id,
  );
  const second = element.suspicious[0]!;
  await element.updateComplete;
  button(element, `Change to ${second.suggested}`).click();
  await until(
    () => labelled.length,
    (n) => n === 2,
  );
  expect(labelled[1]).toMatchObject({ label: second.suggested, action: 'correct', annotator: 'bo' });
  const changed = data.find((d) => d.given === second.label && d.truth === second.suggested)!;
  expect(await clf.getLabel(changed.row)).toMatchObject({ label: second.suggested, annotator: 'bo' });

  await until(
    () => element.shadowRoot!.textContent ?? '',
    (text) => text.includes('No label to look at again') && text.includes('Second look (0)'),
  );
  const decisions = (await clf.auditLog()).filter((e) => e.annotator === 'bo');
  expect(decisions.map((e) => e.action)).toEqual(['confirm', 'correct']);
});

test('with the second look shown, decision keys do nothing to the queue', async () => {
  const name = uniqueName('second-look-keys');
  const clf = await createClassifier({ name, labels: LABELS, input: 'features', storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  await clf.label([0, 6], 'north');
  await clf.enqueue([[0, 5.5]]);
  const element = document.createElement('hitl-review-queue');
  element.setAttribute('model', name);
  element.setAttribute('storage', 'memory');
  element.setAttribute('labels', LABELS.join(','));
  element.setAttribute('input', 'features');
  element.setAttribute('view', 'second-look');
  stage().append(element);
  await until(
    () => element.shadowRoot!.textContent ?? '',
    (text) => text.includes('No label to look at again'),
  );
  element.focus();
  element.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
  element.dispatchEvent(new KeyboardEvent('keydown', { key: '1', bubbles: true, composed: true }));
  expect(element.reviewed).toBe(0);
  expect((await clf.queue()).length).toBe(1);
  expect(element).toBeInstanceOf(HitlReviewQueue);
});

test('the model panel counts the labels to look at again and shows the out-of-fold per-label figures', async () => {
  const name = uniqueName('second-look-panel');
  const clf = await createClassifier({ name, labels: LABELS, input: 'features', storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  for (const { row, given } of points()) await clf.label(row, given);
  const panel = document.createElement('hitl-model-panel');
  panel.setAttribute('model', name);
  panel.setAttribute('storage', 'memory');
  panel.setAttribute('labels', LABELS.join(','));
  panel.setAttribute('input', 'features');
  stage().append(panel);
  // No check before a training: no count.
  await until(
    () => panel.stats,
    (stats) => stats !== null,
  );
  expect(panel.shadowRoot!.querySelector('[data-stat="suspicious"]')).toBeNull();
  await clf.train();
  const count = await until(
    () => panel.shadowRoot!.querySelector('[data-stat="suspicious"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    (text) => text !== '',
  );
  expect(count).toBe('2 of 45 labels to look at again (the review queue’s second look)');
  const rows = [...panel.shadowRoot!.querySelectorAll<HTMLTableRowElement>('[part~="out-of-fold"] tbody tr')];
  expect(rows.map((row) => [row.dataset.label, Number(row.cells[1]!.textContent)])).toEqual([
    ['north', 14],
    ['east', 15],
    ['west', 16],
  ]);
});
