// Issue 21, item 1: what the elements can do without JavaScript: a row of numbers (from `.features` or a form), the
// model-wide options as attributes, and a clear error in every tag when two tags ask one model for different ones.
import { afterEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import '../src/components/hitl-classifier/hitl-classifier.js';
import '../src/components/hitl-review-queue/hitl-review-queue.js';
import '../src/components/hitl-model-panel/hitl-model-panel.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import type { HitlErrorEvent } from '../src/events.js';
import { onCleanup, runCleanups, stage, uniqueName } from './helpers.js';

afterEach(runCleanups);

function tag(attributes: Record<string, string>): HitlClassifier {
  const element = document.createElement('hitl-classifier');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

const shown = (element: HitlClassifier): string => (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');

describe('<hitl-classifier input="features">', () => {
  test('classifies .features, and a form whose number fields (named by columns, in that order) give the row', async () => {
    const name = uniqueName('features');
    const container = stage();
    const row = tag({ model: name, labels: 'setosa,virginica', input: 'features', storage: 'memory', 'auto-train': 'false' });
    container.append(row);
    await expect.poll(() => row.state).toBe('empty');
    expect(shown(row)).toContain('No numbers to classify');
    row.features = [5.1, 3.5, 1.4, 0.2];
    await expect.poll(() => row.state, { timeout: 30_000 }).toBe('no-model');
    expect(row.classifier?.input).toBe('features');
    await userEvent.click(page.getByRole('button', { name: 'setosa', exact: true }));
    await expect.poll(() => row.state, { timeout: 30_000 }).toBe('labelled');
    expect((await row.classifier!.getLabel([5.1, 3.5, 1.4, 0.2]))?.label).toBe('setosa');

    // A form: two number fields named in reverse order by `columns`; a text field that is not a column.
    const form = document.createElement('form');
    form.id = uniqueName('form');
    form.innerHTML =
      '<input name="a" type="number" aria-label="a"><input name="b" type="number" aria-label="b"><input name="note" aria-label="note">';
    // Another model: its rows have two columns, not four.
    const fromForm = tag({
      model: uniqueName('features'),
      labels: 'setosa,virginica',
      input: 'features',
      for: form.id,
      columns: 'b,a',
      storage: 'memory',
    });
    container.append(form, fromForm);
    await expect.poll(() => fromForm.state).toBe('empty');
    const [a, b] = [form.elements.namedItem('a'), form.elements.namedItem('b')] as HTMLInputElement[];
    await userEvent.fill(a!, '1.5');
    await expect.poll(() => fromForm.state).toBe('empty');
    await userEvent.fill(b!, '2.5');
    await expect.poll(() => fromForm.state, { timeout: 30_000 }).toBe('no-model');
    await userEvent.click(page.getByRole('button', { name: 'virginica', exact: true }).nth(1));
    await expect.poll(() => fromForm.state, { timeout: 30_000 }).toBe('labelled');
    expect((await fromForm.classifier!.getLabel([2.5, 1.5]))?.label).toBe('virginica');
  });
});

describe('model-wide attributes', () => {
  test('auto-train, keep-inputs, retention-days and keep-versions reach the model', async () => {
    const element = tag({
      model: uniqueName('wide'),
      labels: 'a,b',
      storage: 'memory',
      'auto-train': 'false',
      'keep-inputs': 'false',
      'retention-days': '30',
      'keep-versions': '2',
    });
    element.textContent = 'hello';
    stage().append(element);
    await expect.poll(() => element.classifier, { timeout: 30_000 }).not.toBeNull();
    expect([element.classifier?.keepInputs, element.classifier?.retentionDays, element.classifier?.keepVersions]).toEqual([false, 30, 2]);
    expect([element.autoTrain, element.keepInputs, element.retentionDays, element.keepVersions]).toEqual([false, false, 30, 2]);
  });

  test('the queue and the panel take the same model options when they open the model', async () => {
    const container = stage();
    const queue = document.createElement('hitl-review-queue');
    const panel = document.createElement('hitl-model-panel');
    for (const element of [queue, panel]) {
      const attributes = {
        model: uniqueName('wide'),
        labels: 'a,b',
        storage: 'memory',
        'keep-inputs': 'false',
        'retention-days': '14',
        'keep-versions': '3',
      };
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
      container.append(element);
    }
    await expect
      .poll(() => [queue.classifier?.keepInputs, panel.classifier?.retentionDays, queue.classifier?.keepVersions, panel.classifier?.keepVersions], {
        timeout: 30_000,
      })
      .toEqual([false, 14, 3, 3]);
  });

  test('a bad value is an error naming the option', async () => {
    const element = tag({ model: uniqueName('wide'), labels: 'a,b', storage: 'memory', 'auto-train': 'soon' });
    element.textContent = 'hello';
    stage().append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('error');
    expect(shown(element)).toContain('autoTrain must be a boolean or a delay in ms');
  });

  test('two tags asking one model for different model-wide settings: an error naming both values, in both tags', async () => {
    const name = uniqueName('conflict');
    const errors: HitlErrorEvent[] = [];
    const listener = (event: HitlErrorEvent) => errors.push(event);
    document.body.addEventListener('hitl-error', listener);
    onCleanup(() => document.body.removeEventListener('hitl-error', listener));
    const container = stage();
    const first = tag({ model: name, labels: 'a,b', storage: 'memory', 'retention-days': '30', threshold: '0.6' });
    first.textContent = 'one';
    container.append(first);
    await expect.poll(() => first.classifier, { timeout: 30_000 }).not.toBeNull();
    // threshold is each tag's own: no conflict.
    const same = tag({ model: name, labels: 'a,b', storage: 'memory', threshold: '0.9' });
    same.textContent = 'two';
    container.append(same);
    await expect.poll(() => same.classifier, { timeout: 30_000 }).not.toBeNull();
    expect(errors).toEqual([]);

    const second = tag({ model: name, labels: 'a,b', storage: 'memory', 'retention-days': '7' });
    second.textContent = 'three';
    container.append(second);
    await expect.poll(() => [first.state, second.state], { timeout: 30_000 }).toEqual(['error', 'error']);
    for (const element of [first, second]) expect(shown(element)).toContain('retentionDays 30, not 7');
    expect(same.state).not.toBe('error');
    await expect.poll(() => errors.map((event) => event.target)).toEqual(expect.arrayContaining([first, second]));
  });
});
