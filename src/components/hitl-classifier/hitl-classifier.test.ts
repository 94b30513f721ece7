import { afterEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { createClassifier, type Classifier } from '../../classifier.js';
import { HitlLabelEvent, HitlPredictionEvent, HitlReviewNeededEvent, HitlUndoEvent } from '../../events.js';
import { HitlClassifier } from './hitl-classifier.js';
import { onCleanup, runCleanups, stage, uniqueName } from '../../../test/helpers.js';

const LABELS = 'billing, bug ,feature';
afterEach(runCleanups);

const uniqueModel = (): string => uniqueName('hitl-classifier-test');

function tag(attributes: Record<string, string>, text: string): HitlClassifier {
  const element = document.createElement('hitl-classifier');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.textContent = text;
  return element;
}

/** Events as the page sees them: caught on the container, so they must bubble. */
function record<K extends 'hitl-prediction' | 'hitl-label' | 'hitl-review-needed' | 'hitl-undo'>(
  target: EventTarget,
  type: K,
): HTMLElementEventMap[K][] {
  const seen: HTMLElementEventMap[K][] = [];
  const listener = (event: Event) => seen.push(event as HTMLElementEventMap[K]);
  target.addEventListener(type, listener);
  onCleanup(() => target.removeEventListener(type, listener));
  return seen;
}

/** A second handle on the same model, to check what the element stored through the public API. */
async function openSameModel(name: string): Promise<Classifier> {
  const classifier = await createClassifier({ name, labels: ['billing', 'bug', 'feature'], storage: 'memory', autoTrain: false });
  onCleanup(() => classifier.close());
  return classifier;
}

function shadowText(element: HitlClassifier): string {
  return (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

/** The label buttons only (not accept / choose another / undo). */
function buttons(element: HitlClassifier): HTMLButtonElement[] {
  return [...(element.shadowRoot?.querySelectorAll<HTMLButtonElement>('[part~="label-button"]') ?? [])];
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
    await expect.poll(() => shadowText(element)).toContain('No model yet — pick a label to teach it');
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
    onCleanup(() => {
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

describe('<hitl-classifier> states, modes, keys, sources and forms', () => {
  const LABEL_LIST = ['billing', 'bug', 'feature'];
  /** Mixes two labelled topics: no label gets full confidence, so threshold 1 always asks for review. */
  const UNSURE = 'The app crashes and I was charged twice';

  async function seeded(): Promise<{ name: string; classifier: Classifier }> {
    const name = uniqueModel();
    const classifier = await openSameModel(name);
    await classifier.label('The app crashes when I press save', 'bug');
    await classifier.label('I was charged twice for my invoice', 'billing');
    await classifier.label('Please add a dark mode to the settings', 'feature');
    return { name, classifier };
  }

  function canvas(color: string): HTMLCanvasElement {
    const element = document.createElement('canvas');
    element.width = 32;
    element.height = 32;
    const context = element.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.fillStyle = color;
    context.fillRect(0, 0, 32, 32);
    context.fillStyle = '#fff';
    context.fillRect(8, 8, 8, 16);
    return element;
  }

  test('below the threshold it asks "Is this …?"; Accept stores the predicted label as accepted', async () => {
    const { name, classifier } = await seeded();
    const container = stage();
    const review = record(container, 'hitl-review-needed');
    const labelled = record(container, 'hitl-label');
    const element = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '1' }, UNSURE);
    container.append(element);

    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('needs-review');
    const predicted = element.prediction?.label as string;
    expect(LABEL_LIST).toContain(predicted);
    expect(shadowText(element)).toContain(`Is this ${predicted}?`);
    expect(shadowText(element)).toContain('Needs review');
    expect(element.getAttribute('state')).toBe('needs-review');
    await expect.poll(() => review.length).toBe(1);
    expect(review[0]).toBeInstanceOf(HitlReviewNeededEvent);
    expect(review[0]?.prediction.id).toBe(element.prediction?.id);
    await expect.element(page.getByRole('group', { name: 'Review the prediction' })).toBeVisible();

    await userEvent.click(page.getByRole('button', { name: 'Accept', exact: true }));
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(1);
    expect(labelled[0]).toMatchObject({ label: predicted, action: 'accept' });
    expect(labelled[0]?.decisionId).toEqual(expect.any(String));
    await expect.poll(() => element.state).toBe('labelled');
    expect(element.getAttribute('state')).toBe('labelled');
    expect((await classifier.getLabel(UNSURE))?.label).toBe(predicted);
    // The model changed, so the tag predicted again; it does not ask again about a labelled input.
    expect(review).toHaveLength(1);
  });

  test('keys: a accepts, Backspace undoes, x rejects the prediction and a digit picks the label', async () => {
    const { name, classifier } = await seeded();
    const container = stage();
    const labelled = record(container, 'hitl-label');
    const undone = record(container, 'hitl-undo');
    const element = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '1', annotator: 'kim' }, UNSURE);
    container.append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('needs-review');
    const predicted = element.prediction?.label as string;

    element.focus();
    expect(element.matches(':focus-within')).toBe(true);
    await userEvent.keyboard('a');
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(1);
    expect(labelled[0]).toMatchObject({ label: predicted, action: 'accept', annotator: 'kim' });
    await expect.poll(() => shadowText(element)).toContain('Labelled by kim');
    // The accept button went away with the question: focus stays in the element, on Undo.
    await expect.poll(() => element.shadowRoot?.activeElement?.textContent?.trim()).toBe('Undo');

    await userEvent.keyboard('{Backspace}');
    await expect.poll(() => undone.length, { timeout: 30_000 }).toBe(1);
    expect(undone[0]).toBeInstanceOf(HitlUndoEvent);
    expect(undone[0]).toMatchObject({ decisionId: labelled[0]?.decisionId, restoredLabel: null });
    expect(await classifier.getLabel(UNSURE)).toBeNull();
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('needs-review');

    await userEvent.keyboard('x');
    await expect.poll(() => shadowText(element)).toContain(`Not ${predicted}. Which label is it?`);
    const other = LABEL_LIST.findIndex((label) => label !== predicted);
    await expect.poll(() => element.shadowRoot?.activeElement?.textContent?.trim()).toBe(LABEL_LIST[other]);
    await userEvent.keyboard(String(other + 1));
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(2);
    expect(labelled[1]).toMatchObject({ label: LABEL_LIST[other], action: 'reject' });
    expect((await classifier.getLabel(UNSURE))?.label).toBe(LABEL_LIST[other]);
    await expect.element(page.getByRole('button', { name: LABEL_LIST[other], exact: true })).toHaveAttribute('aria-pressed', 'true');
  });

  test('a digit picks a label directly (a correction), and Enter on a focused label button picks that label', async () => {
    const { name } = await seeded();
    const container = stage();
    const labelled = record(container, 'hitl-label');
    const element = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '0.01' }, UNSURE);
    container.append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('confident');
    const predicted = element.prediction?.label as string;
    const other = LABEL_LIST.findIndex((label) => label !== predicted);

    element.focus();
    await userEvent.keyboard(String(other + 1));
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(1);
    expect(labelled[0]).toMatchObject({ label: LABEL_LIST[other], action: 'correct' });

    const last = LABEL_LIST.length - 1;
    buttons(element)[last]?.focus();
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(2);
    expect(labelled[1]?.label).toBe(LABEL_LIST[last]);
  });

  test('focus is visible: Tab reaches the controls and draws the focus ring in --hitl-focus-ring-color', async () => {
    const container = stage();
    const before = document.createElement('button');
    before.textContent = 'before';
    const element = tag({ model: uniqueModel(), labels: LABELS, storage: 'memory' }, 'Some text');
    element.style.setProperty('--hitl-focus-ring-color', 'rgb(200, 0, 100)');
    container.append(before, element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('no-model');
    before.focus();
    await userEvent.tab();
    const focused = element.shadowRoot?.activeElement as HTMLElement | null;
    expect(focused?.textContent?.trim()).toBe('billing');
    expect(getComputedStyle(focused as HTMLElement).outlineStyle).toBe('solid');
    expect(getComputedStyle(focused as HTMLElement).outlineColor).toBe('rgb(200, 0, 100)');
  });

  test('mode="review" shows controls only when review is needed; mode="silent" predicts and shows nothing', async () => {
    const { name } = await seeded();
    const container = stage();
    const confident = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '0.01', mode: 'review' }, UNSURE);
    const unsure = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '1', mode: 'review' }, UNSURE);
    const silent = tag({ model: name, labels: LABELS, storage: 'memory', threshold: '1', mode: 'silent' }, UNSURE);
    const silentPredictions = record(silent, 'hitl-prediction');
    const silentReview = record(silent, 'hitl-review-needed');
    container.append(confident, unsure, silent);

    await expect.poll(() => confident.state, { timeout: 30_000 }).toBe('confident');
    expect(shadowText(confident)).toMatch(/Predicted: \w+ \d+\s?%/);
    expect(confident.shadowRoot?.querySelectorAll('button')).toHaveLength(0);

    await expect.poll(() => unsure.state, { timeout: 30_000 }).toBe('needs-review');
    expect(buttons(unsure)).toHaveLength(3);
    expect(unsure.shadowRoot?.querySelector('[part~="accept"]')).not.toBeNull();

    await expect.poll(() => silentPredictions.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(silentReview).toHaveLength(1);
    expect(silent.state).toBe('needs-review');
    expect(silent.shadowRoot?.querySelector('[part="prediction"]')).toBeNull();
    expect(silent.shadowRoot?.querySelectorAll('button')).toHaveLength(0);
    expect(shadowText(silent).trim()).toBe('');
    expect(silent.textContent).toBe(UNSURE);
  });

  test('mode="silent" predictions are not logged as shown to a person; the others are', async () => {
    const name = uniqueModel();
    const classifier = await openSameModel(name);
    const container = stage();
    const silent = tag({ model: name, labels: LABELS, storage: 'memory', mode: 'silent' }, 'Seen by nobody');
    const shown = tag({ model: name, labels: LABELS, storage: 'memory' }, 'Seen by a person');
    container.append(silent, shown);
    await expect.poll(() => [silent.prediction, shown.prediction].every((p) => p !== null), { timeout: 30_000 }).toBe(true);
    await expect
      .poll(async () => (await classifier.auditLog()).filter((entry) => entry.kind === 'prediction').map((entry) => entry.input), { timeout: 30_000 })
      .toEqual(['Seen by a person']);
  });

  test('for= a textarea: classifies what is typed there after a pause, and follows edits', async () => {
    const { name } = await seeded();
    const container = stage();
    const predictions = record(container, 'hitl-prediction');
    const labelled = record(container, 'hitl-label');
    const field = document.createElement('textarea');
    field.id = `field-${crypto.randomUUID()}`;
    field.setAttribute('aria-label', 'Message');
    const element = tag({ model: name, labels: LABELS, storage: 'memory', for: field.id }, '');
    container.append(element, field);
    await connected(element);
    await expect.poll(() => shadowText(element)).toContain('No text to classify');
    expect(element.state).toBe('empty');

    const typed = 'The app crashes when I press save';
    await userEvent.type(field, typed);
    await expect.poll(() => element.prediction?.label, { timeout: 30_000 }).toBe('bug');
    expect(element.text).toBe(typed);
    // Keys typed into the field are text, not shortcuts (the text has several a's).
    expect(labelled).toHaveLength(0);

    // Debounced: a burst of edits within one task (no timer can run in between) is predicted once, for its end.
    const texts: string[] = [];
    element.addEventListener('hitl-prediction', () => texts.push(element.text));
    const final = 'I was charged twice for my invoice';
    for (let i = 1; i <= final.length; i++) {
      field.value = final.slice(0, i);
      field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: final[i - 1] }));
    }
    await expect.poll(() => element.prediction?.label, { timeout: 30_000 }).toBe('billing');
    // Never an intermediate text (the model may retrain meanwhile and the final text be predicted again).
    expect(new Set(texts)).toEqual(new Set([final]));
    expect(predictions.length).toBeGreaterThan(0);

    // A script setting the value fires no event: refresh() asks again.
    field.value = 'Please add a dark mode to the settings';
    element.refresh();
    await expect.poll(() => element.prediction?.label, { timeout: 30_000 }).toBe('feature');
  });

  test('a slotted canvas is classified as an image, and for= an <img> of the same picture gets its label', async () => {
    const name = uniqueModel();
    const container = stage();
    const element = document.createElement('hitl-classifier');
    for (const [key, value] of Object.entries({ model: name, labels: 'red,blue', storage: 'memory' })) element.setAttribute(key, value);
    element.append(canvas('#d00'));
    container.append(element);
    const handle = await connected(element);
    expect(handle.input).toBe('image');
    expect(element.text).toBe('');
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('no-model');

    await userEvent.click(page.getByRole('button', { name: 'red', exact: true }));
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('labelled');
    const api = await createClassifier({ name, labels: ['red', 'blue'], input: 'image', storage: 'memory', autoTrain: false });
    onCleanup(() => api.close());
    expect((await api.getLabel(canvas('#d00')))?.label).toBe('red');

    const image = document.createElement('img');
    image.id = `image-${crypto.randomUUID()}`;
    image.alt = 'A red picture';
    const other = tag({ model: name, labels: 'red,blue', storage: 'memory', for: image.id }, '');
    container.append(other, image);
    await expect.poll(() => shadowText(other), { timeout: 30_000 }).toContain('No image to classify');
    image.src = canvas('#d00').toDataURL();
    await expect.poll(() => other.prediction?.label, { timeout: 30_000 }).toBe('red');
    expect(other.value).toBe('red');
  });

  test('with a name, its value is submitted with a real form; a disabled fieldset disables it', async () => {
    const form = document.createElement('form');
    const fieldset = document.createElement('fieldset');
    const element = tag({ model: uniqueModel(), labels: LABELS, storage: 'memory', name: 'category' }, 'The app crashes when I press save');
    fieldset.append(element);
    form.append(fieldset);
    stage().append(form);
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('no-model');
    expect(element.form).toBe(form);
    // No model, no label: nothing to submit.
    expect(new FormData(form).has('category')).toBe(false);

    await userEvent.click(page.getByRole('button', { name: 'bug', exact: true }));
    await expect.poll(() => new FormData(form).get('category'), { timeout: 30_000 }).toBe('bug');
    let submitted: FormDataEntryValue | null = null;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitted = new FormData(form).get('category');
    });
    form.requestSubmit();
    expect(submitted).toBe('bug');

    fieldset.disabled = true;
    await expect.poll(() => buttons(element).every((button) => button.getAttribute('aria-disabled') === 'true')).toBe(true);
  });

  test('themable through --hitl-* custom properties and ::part(), with dark-scheme defaults', async () => {
    const style = document.createElement('style');
    style.textContent = 'hitl-classifier.themed::part(prediction) { color: rgb(4, 5, 6); }';
    document.head.append(style);
    onCleanup(() => style.remove());
    const element = tag({ model: uniqueModel(), labels: LABELS, storage: 'memory', class: 'themed' }, 'Some text');
    element.style.setProperty('--hitl-accent-color', 'rgb(1, 2, 3)');
    stage().append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toBe('no-model');
    for (const part of ['base', 'content', 'prediction', 'actions', 'button label-button']) {
      expect(element.shadowRoot?.querySelector(`[part="${part}"]`), part).not.toBeNull();
    }
    expect(getComputedStyle(element.shadowRoot?.querySelector('[part="prediction"]') as Element).color).toBe('rgb(4, 5, 6)');

    await userEvent.click(page.getByRole('button', { name: 'feature', exact: true }));
    const pressed = page.getByRole('button', { name: 'feature', exact: true });
    await expect.element(pressed).toHaveAttribute('aria-pressed', 'true');
    expect(getComputedStyle(pressed.element()).backgroundColor).toBe('rgb(1, 2, 3)');

    // The defaults follow the element's color-scheme (the user's preference unless the page sets one).
    const base = element.shadowRoot?.querySelector('[part="base"]') as Element;
    element.style.colorScheme = 'light';
    expect(getComputedStyle(base).backgroundColor).toBe('rgb(255, 255, 255)');
    element.style.colorScheme = 'dark';
    expect(getComputedStyle(base).backgroundColor).toBe('rgb(28, 30, 36)');
    element.style.setProperty('--hitl-background', 'rgb(7, 8, 9)');
    expect(getComputedStyle(base).backgroundColor).toBe('rgb(7, 8, 9)');
  });
});
