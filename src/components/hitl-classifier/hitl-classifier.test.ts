import { afterEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { createClassifier, type Classifier } from '../../classifier.js';
import { HitlLabelEvent, HitlPredictionEvent } from '../../events.js';
import { HitlClassifier } from './hitl-classifier.js';

const LABELS = 'billing, bug ,feature';
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A container in the page; removed (with every element in it) after the test. */
function stage(): HTMLDivElement {
  const container = document.createElement('div');
  document.body.append(container);
  cleanups.push(() => container.remove());
  return container;
}

function uniqueModel(): string {
  return `hitl-classifier-test-${crypto.randomUUID()}`;
}

function tag(attributes: Record<string, string>, text: string): HitlClassifier {
  const element = document.createElement('hitl-classifier');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.textContent = text;
  return element;
}

/** Events as the page sees them: caught on the container, so they must bubble. */
function record<K extends 'hitl-prediction' | 'hitl-label'>(target: EventTarget, type: K): HTMLElementEventMap[K][] {
  const seen: HTMLElementEventMap[K][] = [];
  const listener = (event: Event) => seen.push(event as HTMLElementEventMap[K]);
  target.addEventListener(type, listener);
  cleanups.push(() => target.removeEventListener(type, listener));
  return seen;
}

/** A second handle on the same model, to check what the element stored through the public API. */
async function openSameModel(name: string): Promise<Classifier> {
  const classifier = await createClassifier({ name, labels: ['billing', 'bug', 'feature'], storage: 'memory', autoTrain: false });
  cleanups.push(() => classifier.close());
  return classifier;
}

function shadowText(element: HitlClassifier): string {
  return (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

function buttons(element: HitlClassifier): HTMLButtonElement[] {
  return [...(element.shadowRoot?.querySelectorAll('button') ?? [])];
}

async function connected(element: HitlClassifier): Promise<Classifier> {
  await expect.poll(() => element.classifier, { timeout: 30_000 }).not.toBeNull();
  return element.classifier as Classifier;
}

describe('<hitl-classifier>', () => {
  test('is defined by importing it, with attributes read into typed properties', async () => {
    expect(customElements.get('hitl-classifier')).toBe(HitlClassifier);
    const element = tag({ model: uniqueModel(), labels: LABELS, threshold: '0.5', storage: 'memory', annotator: 'ana' }, 'x');
    stage().append(element);
    await element.updateComplete;
    expect(element.threshold).toBe(0.5);
    expect(element.labels).toEqual(['billing', 'bug', 'feature']);
    expect(element.storage).toBe('memory');
    expect(element.annotator).toBe('ana');
  });

  test('offers one button per label, named by the label, in a labelled group', async () => {
    const element = tag({ model: uniqueModel(), labels: LABELS, storage: 'memory' }, 'My invoice is charged twice');
    stage().append(element);
    const group = page.getByRole('group', { name: 'Choose the correct label' });
    await expect.element(group).toBeVisible();
    for (const label of ['billing', 'bug', 'feature']) {
      await expect.element(group.getByRole('button', { name: label, exact: true })).toHaveAttribute('aria-pressed', 'false');
    }
    expect(buttons(element).map((button) => button.textContent?.trim())).toEqual(['billing', 'bug', 'feature']);
    expect(element.shadowRoot?.querySelector('[aria-live="polite"]')?.getAttribute('part')).toBe('prediction');
  });

  test('shows a first prediction, with no label before any example, and fires hitl-prediction', async () => {
    const container = stage();
    const predictions = record(container, 'hitl-prediction');
    const element = tag({ model: uniqueModel(), labels: LABELS, storage: 'memory' }, '  My invoice is charged twice  ');
    container.append(element);

    await expect.poll(() => predictions.length, { timeout: 30_000 }).toBe(1);
    const [event] = predictions;
    expect(event).toBeInstanceOf(HitlPredictionEvent);
    expect(event?.target).toBe(element);
    expect(event?.prediction).toEqual(element.prediction);
    expect(element.prediction).toMatchObject({ label: null, confidence: 0, needsReview: true });
    expect(element.value).toBeNull();
    expect(element.text).toBe('My invoice is charged twice');
    await expect.poll(() => shadowText(element)).toContain('No prediction yet — pick a label');
  });

  test('a click on a label stores it, fires hitl-label and shows it as the human label', async () => {
    const name = uniqueModel();
    const text = 'The app crashes when I press save';
    const container = stage();
    const labelled = record(container, 'hitl-label');
    const element = tag({ model: name, labels: LABELS, storage: 'memory', annotator: 'ana' }, text);
    container.append(element);
    await connected(element);
    await expect.poll(() => element.prediction).not.toBeNull();
    const shown = element.prediction;

    await userEvent.click(page.getByRole('button', { name: 'bug', exact: true }));

    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(1);
    const [event] = labelled;
    expect(event).toBeInstanceOf(HitlLabelEvent);
    expect(event?.label).toBe('bug');
    expect(event?.annotator).toBe('ana');
    expect(event?.prediction?.id).toBe(shown?.id);
    expect(element.value).toBe('bug');
    await expect.element(page.getByRole('button', { name: 'bug', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect.element(page.getByRole('button', { name: 'billing', exact: true })).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(() => shadowText(element)).toContain('Labelled by ana');

    const classifier = await openSameModel(name);
    expect((await classifier.stats()).examples).toBe(1);
    expect((await classifier.predict(text)).label).toBe('bug');
  });

  test('edited content is classified again, and a human label does not carry over to new text', async () => {
    const name = uniqueModel();
    const element = tag({ model: name, labels: LABELS, storage: 'memory' }, 'Please add a dark mode to the settings');
    stage().append(element);
    await connected(element);
    await expect.poll(() => element.prediction, { timeout: 30_000 }).not.toBeNull();
    await userEvent.click(page.getByRole('button', { name: 'feature', exact: true }));
    await expect.poll(() => shadowText(element)).toContain('Labelled by you');
    expect(element.value).toBe('feature');

    const edited = 'Please add an export to the settings';
    const expected = await (await openSameModel(name)).predict(edited);
    element.textContent = edited;
    await expect
      .poll(() => [element.prediction?.label, element.prediction?.confidence.toFixed(6)], { timeout: 30_000 })
      .toEqual([expected.label, expected.confidence.toFixed(6)]);
    await expect.poll(() => shadowText(element)).not.toContain('Labelled by');
    await expect.element(page.getByRole('button', { name: 'feature', exact: true })).toHaveAttribute('aria-pressed', 'false');
    expect(element.value).toBe(expected.label);
  });

  test('tags naming the same model share one classifier, and a correction in one updates the other', async () => {
    const name = uniqueModel();
    const container = stage();
    const first = tag({ model: name, labels: LABELS, storage: 'memory' }, 'The app crashes when I press save');
    const second = tag({ model: name, labels: LABELS, storage: 'memory' }, 'The app crashes when I press open');
    const secondPredictions = record(second, 'hitl-prediction');
    container.append(first, second);

    const shared = await connected(first);
    expect(await connected(second)).toBe(shared);
    await expect.poll(() => second.prediction?.label, { timeout: 30_000 }).toBeNull();
    const shownBefore = secondPredictions.length;

    const firstBug = first.shadowRoot?.querySelector<HTMLButtonElement>('button:nth-of-type(2)');
    expect(firstBug?.textContent?.trim()).toBe('bug');
    firstBug?.click();

    await expect.poll(() => second.prediction?.label, { timeout: 30_000 }).toBe('bug');
    expect(secondPredictions.length).toBeGreaterThan(shownBefore);
    expect(second.value).toBe('bug');
    await expect.poll(() => shadowText(second)).toMatch(/Predicted: bug \d+\s?%/);
    // Only the tag that was clicked shows a human label.
    expect(shadowText(second)).not.toContain('Labelled by');
  });

  test('a tag with an extra label extends the shared model instead of failing on it', async () => {
    const name = uniqueModel();
    const container = stage();
    const labelled = record(container, 'hitl-label');
    const first = tag({ model: name, labels: 'billing,bug', storage: 'memory' }, 'My invoice is wrong');
    container.append(first);
    await connected(first);
    const second = tag({ model: name, labels: 'billing,bug,question', storage: 'memory' }, 'How do I change my password?');
    container.append(second);
    const classifier = await connected(second);
    expect(classifier.labels).toEqual(['billing', 'bug', 'question']);

    second.shadowRoot?.querySelector<HTMLButtonElement>('button:nth-of-type(3)')?.click();
    await expect.poll(() => labelled.map((event) => event.label), { timeout: 30_000 }).toEqual(['question']);
    expect(second.shadowRoot?.querySelector('[role="alert"]')).toBeNull();
  });

  test('a prediction below the threshold is marked as needing review', async () => {
    const name = uniqueModel();
    const classifier = await openSameModel(name);
    await classifier.label('The app crashes when I press save', 'bug');
    await classifier.label('I was charged twice for my invoice', 'billing');
    const text = 'The app crashes and I was charged twice';
    const expected = await classifier.predict(text);
    expect(expected.label).not.toBeNull();

    const element = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '1' }, text);
    stage().append(element);
    await expect.poll(() => element.prediction?.label, { timeout: 30_000 }).toBe(expected.label);
    expect(element.prediction?.confidence).toBeLessThan(1);
    expect(element.prediction?.needsReview).toBe(true);
    await expect.poll(() => shadowText(element)).toContain('Needs review');

    // The element's own threshold decides, not the handle's.
    element.threshold = 0.01;
    await expect.poll(() => element.prediction?.needsReview).toBe(false);
    expect(shadowText(element)).not.toContain('Needs review');
  });

  test('bad attributes show a readable error instead of throwing, and fixing them recovers', async () => {
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent | PromiseRejectionEvent) => errors.push('error' in event ? event.error : event.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
    cleanups.push(() => {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onError);
    });

    const element = tag({ model: uniqueModel(), labels: 'only-one', storage: 'memory' }, 'Some text');
    stage().append(element);
    await element.updateComplete;
    expect(shadowText(element)).toContain('at least 2 comma-separated labels');
    expect(shadowText(element)).toContain('only "only-one"');
    expect(element.shadowRoot?.querySelector('.base.error')).not.toBeNull();
    expect(buttons(element)).toHaveLength(0);
    expect(element.classifier).toBeNull();

    element.setAttribute('threshold', 'lots');
    element.setAttribute('labels', 'yes,no');
    await element.updateComplete;
    expect(shadowText(element)).toContain('Set threshold to a number above 0 and at most 1');

    element.setAttribute('threshold', '0.9');
    await connected(element);
    await expect.poll(() => element.prediction, { timeout: 30_000 }).not.toBeNull();
    expect(buttons(element).map((button) => button.textContent?.trim())).toEqual(['yes', 'no']);
    expect(errors).toEqual([]);
  });

  test('a move in the DOM keeps the shared classifier; removal closes it', async () => {
    const container = stage();
    const element = tag({ model: uniqueModel(), labels: LABELS, storage: 'memory' }, 'Export to CSV please');
    container.append(element);
    const classifier = await connected(element);

    const elsewhere = stage();
    elsewhere.append(element);
    expect(classifier.closed).toBe(false);
    await expect.poll(() => element.classifier).toBe(classifier);

    element.remove();
    expect(element.classifier).toBeNull();
    await expect.poll(() => classifier.closed).toBe(true);
  });

  test('the last of several tags to leave closes the shared classifier', async () => {
    const name = uniqueModel();
    const container = stage();
    const first = tag({ model: name, labels: LABELS, storage: 'memory' }, 'one');
    const second = tag({ model: name, labels: LABELS, storage: 'memory' }, 'two');
    container.append(first, second);
    const classifier = await connected(first);
    await connected(second);

    await expect.poll(() => second.prediction, { timeout: 30_000 }).not.toBeNull();
    const predictions = record(second, 'hitl-prediction');

    first.remove();
    // The edit settles after the release delay has passed: the new prediction needs the handle still open.
    second.textContent = 'two, edited';
    await expect.poll(() => predictions.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(classifier.closed).toBe(false);
    expect(second.classifier).toBe(classifier);

    second.remove();
    await expect.poll(() => classifier.closed).toBe(true);
  });
});
