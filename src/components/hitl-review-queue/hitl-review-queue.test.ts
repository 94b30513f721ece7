import { afterEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { createClassifier, type Classifier } from '../../classifier.js';
import { HitlLabelEvent, HitlUndoEvent } from '../../events.js';
import '../hitl-classifier/hitl-classifier.js';
import { HitlReviewQueue } from './hitl-review-queue.js';
import { onCleanup, runCleanups, stage, uniqueName } from '../../../test/helpers.js';

const LABELS = ['billing', 'bug', 'feature'];
afterEach(runCleanups);

const uniqueModel = (): string => uniqueName('hitl-review-queue-test');

function queueTag(attributes: Record<string, string>): HitlReviewQueue {
  const element = document.createElement('hitl-review-queue');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function record<K extends 'hitl-label' | 'hitl-undo'>(target: EventTarget, type: K): HTMLElementEventMap[K][] {
  const seen: HTMLElementEventMap[K][] = [];
  const listener = (event: Event) => seen.push(event as HTMLElementEventMap[K]);
  target.addEventListener(type, listener);
  onCleanup(() => target.removeEventListener(type, listener));
  return seen;
}

async function open(
  name: string,
  options: { storage?: 'memory' | 'indexeddb'; labels?: string[]; input?: 'text' | 'image' } = {},
): Promise<Classifier> {
  const classifier = await createClassifier({
    name,
    labels: options.labels ?? LABELS,
    storage: options.storage ?? 'memory',
    input: options.input ?? 'text',
    autoTrain: false,
  });
  onCleanup(() => classifier.close());
  return classifier;
}

/** A model that knows one example per label, so queued items get a predicted label. */
async function seeded(name: string): Promise<Classifier> {
  const classifier = await open(name);
  await classifier.label('The app crashes when I press save', 'bug');
  await classifier.label('I was charged twice for my invoice', 'billing');
  await classifier.label('Please add a dark mode to the settings', 'feature');
  return classifier;
}

function shadowText(element: Element): string {
  return (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

function shownText(element: HitlReviewQueue): string | undefined {
  return element.shadowRoot?.querySelector('[part~="text"]')?.textContent ?? undefined;
}

const ITEMS = [
  'The app crashes and I was charged twice',
  'My invoice has a bug in it',
  'Add an export to the invoice page',
  'Crash on the settings page',
];

describe('<hitl-review-queue>', () => {
  test('shows the queue one item at a time with a progress count; a accepts, the item leaves and is labelled', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    expect(await classifier.enqueue(ITEMS)).toBe(ITEMS.length);
    const container = stage();
    const labelled = record(container, 'hitl-label');
    const element = queueTag({ model: name, labels: LABELS.join(','), storage: 'memory', annotator: 'rev' });
    container.append(element);

    await expect.poll(() => shadowText(element), { timeout: 30_000 }).toContain(`0 reviewed · ${ITEMS.length} left`);
    expect(customElements.get('hitl-review-queue')).toBe(HitlReviewQueue);
    const first = element.current;
    expect(first).not.toBeNull();
    expect(shownText(element)).toBe(first?.input);
    expect(element.shadowRoot?.querySelectorAll('[part~="text"]')).toHaveLength(1);
    expect(shadowText(element)).toContain(`Is this ${first?.prediction.label}?`);
    await expect.element(page.getByRole('group', { name: 'Choose the correct label' })).toBeVisible();

    element.focus();
    await userEvent.keyboard('a');
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(1);
    expect(labelled[0]).toBeInstanceOf(HitlLabelEvent);
    expect(labelled[0]).toMatchObject({ label: first?.prediction.label, action: 'accept', annotator: 'rev' });
    await expect.poll(() => shadowText(element), { timeout: 30_000 }).toContain(`1 reviewed · ${ITEMS.length - 1} left`);
    expect(element.current?.id).not.toBe(first?.id);
    expect((await classifier.getLabel(first?.input as string))?.label).toBe(first?.prediction.label);
    expect((await classifier.queue()).map((item) => item.id)).not.toContain(first?.id);
    const progress = element.shadowRoot?.querySelector('progress');
    expect([progress?.value, progress?.max]).toEqual([1, ITEMS.length]);
  });

  test('x rejects and a digit picks; a digit alone corrects; s skips to the back; Backspace undoes', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    await classifier.enqueue(ITEMS);
    const container = stage();
    const labelled = record(container, 'hitl-label');
    const undone = record(container, 'hitl-undo');
    const element = queueTag({ model: name, labels: LABELS.join(','), storage: 'memory' });
    container.append(element);
    await expect.poll(() => element.current, { timeout: 30_000 }).not.toBeNull();
    element.focus();

    // Reject, then pick.
    const first = element.current!;
    const other = LABELS.findIndex((label) => label !== first.prediction.label);
    await userEvent.keyboard('x');
    await expect.poll(() => shadowText(element)).toContain(`Not ${first.prediction.label}. Which label is it?`);
    await userEvent.keyboard(String(other + 1));
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(1);
    expect(labelled[0]).toMatchObject({ label: LABELS[other], action: 'reject' });
    expect((await classifier.getLabel(first.input as string))?.label).toBe(LABELS[other]);

    // Skip: the item goes behind the others and stays pending.
    await expect.poll(() => element.current?.id).not.toBe(first.id);
    const skipped = element.current!;
    await userEvent.keyboard('s');
    await expect.poll(() => element.current?.id, { timeout: 30_000 }).not.toBe(skipped.id);
    const queued = await classifier.queue();
    expect(queued.map((item) => item.id).at(-1)).toBe(skipped.id);
    expect(queued).toHaveLength(ITEMS.length - 1);

    // A digit picks directly: a correction when it is not the prediction.
    const third = element.current!;
    const correction = LABELS.findIndex((label) => label !== third.prediction.label);
    await userEvent.keyboard(String(correction + 1));
    await expect.poll(() => labelled.length, { timeout: 30_000 }).toBe(2);
    expect(labelled[1]).toMatchObject({ label: LABELS[correction], action: 'correct' });
    await expect.poll(() => shadowText(element)).toContain('2 reviewed');

    // Undo: the last decision is reverted and its item is shown again.
    await userEvent.keyboard('{Backspace}');
    await expect.poll(() => undone.length, { timeout: 30_000 }).toBe(1);
    expect(undone[0]).toBeInstanceOf(HitlUndoEvent);
    expect(undone[0]?.decisionId).toBe(labelled[1]?.decisionId);
    await expect.poll(() => element.current?.id).toBe(third.id);
    expect(await classifier.getLabel(third.input as string)).toBeNull();
    await expect.poll(() => shadowText(element)).toContain('1 reviewed');
    expect((await classifier.queue()).map((item) => item.id)).toContain(third.id);
  });

  test('undo reaches back ten decisions, not more; an empty queue says so and still offers Undo', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    const texts = Array.from({ length: 11 }, (_, i) => `Question number ${i + 1} about my invoice and the app`);
    await classifier.enqueue(texts);
    const container = stage();
    const undone = record(container, 'hitl-undo');
    const element = queueTag({ model: name, labels: LABELS.join(','), storage: 'memory' });
    container.append(element);
    await expect.poll(() => element.remaining, { timeout: 30_000 }).toBe(11);
    element.focus();
    for (let i = 1; i <= 11; i++) {
      await userEvent.keyboard('1');
      await expect.poll(() => element.reviewed, { timeout: 30_000 }).toBe(i);
    }
    await expect.poll(() => shadowText(element)).toContain('Nothing to review: the queue is empty.');
    expect(element.remaining).toBe(0);

    await userEvent.click(page.getByRole('button', { name: 'Undo', exact: true }));
    await expect.poll(() => element.current, { timeout: 30_000 }).not.toBeNull();
    element.focus();
    for (let i = 2; i <= 12; i++) {
      await userEvent.keyboard('{Backspace}');
      await expect.poll(() => undone.length, { timeout: 30_000 }).toBe(Math.min(i, 10));
    }
    await expect.poll(() => element.remaining, { timeout: 30_000 }).toBe(10);
    expect((await classifier.stats()).examples).toBe(3 + 1);
    expect(element.shadowRoot?.querySelector('[part~="undo"]')?.getAttribute('aria-disabled')).toBe('true');
  });

  test('an image item is drawn into a canvas from its stored pixels', async () => {
    const name = uniqueModel();
    const classifier = await open(name, { labels: ['dark', 'light'], input: 'image' });
    const pixels = new ImageData(16, 16);
    for (let i = 0; i < pixels.data.length; i += 4) pixels.data.set([220, 20, 20, 255], i);
    await classifier.enqueue(pixels);
    const element = queueTag({ model: name, labels: 'dark,light', input: 'image', storage: 'memory' });
    stage().append(element);
    await expect.poll(() => element.current, { timeout: 30_000 }).not.toBeNull();
    const canvas = element.shadowRoot?.querySelector<HTMLCanvasElement>('canvas[part~="image"]');
    expect(canvas?.getAttribute('role')).toBe('img');
    await expect
      .poll(() => {
        const data = canvas?.getContext('2d')?.getImageData(0, 0, 1, 1).data;
        return data ? [...data] : [];
      })
      .toSatisfy((rgba: number[]) => rgba[3] === 255 && rgba[0]! > 150 && rgba[1]! < 100);
    expect(shadowText(element)).toContain('No model yet. Which label is it?');
  });

  test('the queue survives a reload: a fresh worker shows what was queued in IndexedDB', async () => {
    const name = uniqueModel();
    onCleanup(
      () =>
        new Promise((done) => {
          const request = indexedDB.deleteDatabase(`hitl-classifier:${name}`);
          request.onsuccess = request.onerror = request.onblocked = () => done(undefined);
        }),
    );
    const first = await createClassifier({ name, labels: LABELS, autoTrain: false });
    await first.enqueue(['Queued before the reload', 'Also queued before the reload']);
    await first.close();

    const element = queueTag({ model: name, labels: LABELS.join(',') });
    stage().append(element);
    await expect.poll(() => element.remaining, { timeout: 30_000 }).toBe(2);
    expect(['Queued before the reload', 'Also queued before the reload']).toContain(shownText(element));
  });

  test('without labels it joins the model a <hitl-classifier> opens, and lists what that tag queues', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    const container = stage();
    const element = queueTag({ model: name, storage: 'memory' });
    container.append(element);
    await expect.poll(() => shadowText(element), { timeout: 30_000 }).toContain(`Waiting for the model "${name}" to open`);
    expect(element.classifier).toBeNull();

    const tag = document.createElement('hitl-classifier');
    for (const [key, value] of Object.entries({ model: name, labels: LABELS.join(','), storage: 'memory', threshold: '1' }))
      tag.setAttribute(key, value);
    tag.textContent = 'The app crashes and I was charged twice';
    container.append(tag);
    await expect.poll(() => element.classifier, { timeout: 30_000 }).not.toBeNull();
    // The tag's uncertain prediction enters the persistent queue; the queue element refreshes on 'queue-changed'.
    await expect.poll(() => shownText(element), { timeout: 30_000 }).toBe('The app crashes and I was charged twice');
    expect((await classifier.queue()).map((item) => item.input)).toEqual(['The app crashes and I was charged twice']);

    // Deciding in the queue updates the tag showing the same text.
    element.focus();
    await userEvent.keyboard('2');
    await expect.poll(() => tag.value, { timeout: 30_000 }).toBe('bug');
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('labelled');
  });

  test('bad attributes show a readable error', async () => {
    const element = queueTag({ model: uniqueModel(), labels: 'only-one', storage: 'memory' });
    stage().append(element);
    await expect.poll(() => shadowText(element)).toContain('at least 2 comma-separated labels');
    expect(element.shadowRoot?.querySelector('[role="alert"]')).not.toBeNull();
  });
});
