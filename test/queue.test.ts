import { afterEach, describe, expect, test } from 'vitest';
import type { ClassifierChangeEvent } from '../src/classifier.js';
import type { Classifier } from '../src/classifier.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName } from './helpers.js';

afterEach(closeAll);

const unsure = [
  'The invoice page crashes when I try to pay',
  'Could you add a refund button to the app',
  'hello',
  'Please add dark mode, the app crashes at night',
  'My payment failed and the export is broken',
];

function queueSizes(clf: Classifier): number[] {
  const sizes: number[] = [];
  clf.addEventListener('change', (event) => {
    const change = (event as ClassifierChangeEvent).change;
    if (change.type === 'queue-changed') sizes.push(change.size);
  });
  return sizes;
}

describe('review queue', () => {
  test('predict queues what needs review (after answering); predictBatch only when asked', async () => {
    const clf = await classifier({ threshold: 0.95 });
    const sizes = queueSizes(clf);
    await labelTickets(clf, 3);
    await clf.train();
    const confident = await clf.predict(tickets.bug[0]);
    expect(confident.needsReview).toBe(false);
    const p = await clf.predict(unsure[0]!);
    expect(p.needsReview).toBe(true);
    await clf.predict(unsure[1]!, { queue: false });
    await clf.predictBatch(unsure.slice(2));
    let queue = await clf.queue();
    expect(queue.map((q) => q.input)).toEqual([unsure[0]]);
    expect(queue[0]).toMatchObject({
      id: expect.stringMatching(/^t-[0-9a-f]{32}$/),
      skipped: false,
      prediction: { label: p.label, needsReview: true },
    });
    await clf.predictBatch(unsure.slice(2), { queue: true });
    queue = await clf.queue();
    expect(queue.map((q) => q.input).sort()).toEqual([unsure[0], ...unsure.slice(2)].sort());
    // The same input predicted again stays one item.
    await clf.predict(unsure[0]!);
    expect(await clf.queue()).toHaveLength(4);
    expect(sizes.at(-1)).toBe(4);
    await expect(clf.predict('x', { queue: 'yes' as never })).rejects.toThrow(/queue must be a boolean/);
    await expect(clf.predict('x', null as never)).rejects.toThrow(TypeError);
  });

  test('is ranked most informative first, exactly as selectForReview ranks the same pool, and re-ranked when the model changes', async () => {
    const clf = await classifier({ threshold: 1 });
    await labelTickets(clf, 3);
    await clf.train();
    expect(await clf.enqueue(unsure)).toBe(unsure.length);
    const queue = await clf.queue();
    const expected = await clf.selectForReview(unsure, unsure.length);
    expect(queue.map((q) => q.input)).toEqual(expected.map((i) => unsure[i]));
    const scores = queue.map((q) => q.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(queue.every((q) => q.prediction.modelVersion === 1)).toBe(true);
    expect(await clf.queue({ limit: 2 })).toHaveLength(2);

    // New labels and a new model: every item is re-predicted, and the order follows.
    await clf.label('Refund the payment that failed', 'billing');
    await clf.label('The page crashes when it loads', 'bug');
    await clf.train();
    const after = await clf.queue();
    expect(after.every((q) => q.prediction.modelVersion === 2)).toBe(true);
    const expectedAfter = await clf.selectForReview(unsure, unsure.length);
    expect(after.map((q) => q.input)).toEqual(expectedAfter.map((i) => unsure[i]));
  });

  test('a queue larger than a listing refines only its most uncertain items with the memory, and ranks as selectForReview', async () => {
    const clf = await classifier({ threshold: 1 });
    await labelTickets(clf, 3);
    await clf.train();
    const subjects = ['invoice', 'payment', 'refund', 'page', 'app', 'export', 'login', 'button', 'report', 'card'];
    const troubles = ['crashes', 'was charged twice', 'is missing', 'fails to load', 'needs a new option', 'looks wrong'];
    const times = ['today', 'since Monday', 'on my phone', 'after the update', 'for my team', 'every time'];
    // 360 different texts, none a near-copy of another, so no two answers tie and both rankings are one order.
    const pool = Array.from({ length: 360 }, (_, i) => `The ${subjects[i % 10]} ${troubles[Math.floor(i / 10) % 6]} ${times[Math.floor(i / 60)]}`);
    expect(await clf.enqueue(pool)).toBe(pool.length);
    // A label without a retrain: every item is stale, and only the memory knows of the new label.
    await clf.label(pool[7]!, 'billing');
    const listed = await clf.queue({ limit: 10 });
    const expected = await clf.selectForReview(pool, 10, { explore: 0 });
    expect(listed.map((q) => q.input)).toEqual(expected.map((i) => pool[i]));
    for (const item of listed) {
      const fresh = await clf.predict(item.input as string, { queue: false });
      expect(item.prediction.label).toBe(fresh.label);
      expect(item.prediction.confidence).toBeCloseTo(fresh.confidence, 6);
    }
  });

  test('labelling removes an item, skip sends it to the back, undo puts it back with the previous state', async () => {
    const clf = await classifier({ threshold: 1 });
    const sizes = queueSizes(clf);
    await labelTickets(clf, 2);
    await clf.label(unsure[1]!, 'feature', { annotator: 'first' });
    expect(await clf.enqueue(unsure)).toBe(5);
    // enqueue dedups by input hash
    expect(await clf.enqueue([unsure[0]!, unsure[0]!])).toBe(5);
    const first = await clf.queue();

    await clf.skip(first[0]!.id);
    const skipped = await clf.queue();
    expect(skipped.at(-1)).toMatchObject({ id: first[0]!.id, skipped: true });
    expect(skipped.slice(0, -1).map((q) => q.id)).toEqual(first.slice(1).map((q) => q.id));
    await expect(clf.skip('t-00000000000000000000000000000000')).rejects.toThrow(/No pending queue item/);

    // A labelled item leaves the queue; undo restores its earlier label and its place.
    const item = skipped.find((q) => q.input === unsure[1])!;
    const decision = await clf.label(unsure[1]!, 'bug', { predictionId: item.prediction.id, annotator: 'ana' });
    expect((await clf.queue()).map((q) => q.id)).not.toContain(item.id);
    expect(sizes.at(-1)).toBe(4);
    expect(await clf.getLabel(unsure[1]!)).toMatchObject({ label: 'bug', annotator: 'ana' });
    const undone = await clf.undo(decision.decisionId);
    expect(undone).toEqual({ exampleId: item.id, restoredLabel: 'feature', examples: 7 });
    expect(await clf.getLabel(unsure[1]!)).toMatchObject({ label: 'feature', annotator: 'first' });
    expect((await clf.queue()).map((q) => q.id)).toContain(item.id);
    expect(sizes.at(-1)).toBe(5);

    // An input that had no label before: undo removes the example again.
    const fresh = await clf.label(unsure[2]!, 'billing');
    expect((await clf.stats()).examples).toBe(8);
    expect(await clf.undo(fresh.decisionId)).toEqual({ exampleId: fresh.exampleId, restoredLabel: null, examples: 7 });
    expect(await clf.getLabel(unsure[2]!)).toBeNull();
    expect((await clf.predict(unsure[2]!, { queue: false })).label).not.toBe(null);

    await expect(clf.undo(fresh.decisionId)).rejects.toThrow(/already undone/);
    await expect(clf.undo('no-such-decision')).rejects.toThrow(RangeError);
    await expect(clf.undo(42 as never)).rejects.toThrow(TypeError);
    // A decision superseded by a later one on the same input cannot be undone out of order.
    const a = await clf.label(unsure[3]!, 'bug');
    const b = await clf.label(unsure[3]!, 'feature');
    await expect(clf.undo(a.decisionId)).rejects.toThrow(/later decision/);
    await clf.undo(b.decisionId);
    await clf.undo(a.decisionId);
    expect(await clf.getLabel(unsure[3]!)).toBeNull();

    const log = await clf.auditLog();
    expect(log.filter((e) => e.kind === 'undo').map((e) => [e.human, e.previousLabel])).toEqual([
      ['feature', 'bug'],
      [undefined, 'billing'],
      ['bug', 'feature'],
      [undefined, 'bug'],
    ]);
  });

  test("storage: 'memory' keeps the same queue, undo and log contract", async () => {
    const clf = await classifier({ storage: 'memory', threshold: 1 });
    await labelTickets(clf, 1);
    await clf.enqueue(unsure.slice(0, 3));
    const [top] = await clf.queue();
    const decision = await clf.label(top!.input as string, 'bug', { predictionId: top!.prediction.id });
    expect(await clf.queue()).toHaveLength(2);
    await expect(clf.undo('unknown')).rejects.toThrow(RangeError);
    expect(await clf.undo(decision.decisionId)).toEqual({ exampleId: top!.id, restoredLabel: null, examples: 3 });
    expect((await clf.queue()).map((q) => q.id)).toContain(top!.id);
    await expect(clf.undo(decision.decisionId)).rejects.toThrow(/already undone/);
    expect((await clf.auditLog()).map((e) => e.kind)).toEqual(['decision', 'decision', 'decision', 'decision', 'undo']);
  });

  test('survives a reload: every handle closed, the database reopened', async () => {
    const name = uniqueName('queue-reload');
    const clf = await classifier({ name, threshold: 1 });
    await labelTickets(clf, 2);
    await clf.enqueue(unsure);
    await clf.skip((await clf.queue())[0]!.id);
    const before = await clf.queue();
    expect(before).toHaveLength(5);
    // predict's queue write happens after the answer; closing the last handle right away must still keep it.
    const late = 'A prediction queued just before the page went away';
    await clf.predict(late);
    await closeAll();

    const stored = await readDatabase(name);
    expect(stored.examples).toHaveLength(6);
    const reopened = await classifier({ name, threshold: 1 });
    const after = await reopened.queue();
    expect(after).toHaveLength(6);
    expect(after.filter((q) => q.input !== late).map((q) => q.id)).toEqual(before.map((q) => q.id));
    expect(after.map((q) => q.input)).toContain(late);
    expect(after.at(-1)!.skipped).toBe(true);
    await reopened.label(after[0]!.input as string, 'bug');
    expect(await reopened.queue()).toHaveLength(5);
    expect((await readDatabase(name)).examples).toHaveLength(7);
  });

  test('image and features models queue their inputs in a form the page can show', async () => {
    const rows = await classifier({ input: 'features', labels: ['low', 'high'], storage: 'memory' });
    // A single row (an array of numbers) is one input; an array of rows is many.
    expect(await rows.enqueue([1, 2, 3])).toBe(1);
    expect(await rows.enqueue([[4, 5, 6], new Float32Array([7, 8, 9])])).toBe(3);
    expect((await rows.queue()).map((q) => q.input).sort()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);

    const images = await classifier({ input: 'image', labels: ['dark', 'light'], storage: 'memory' });
    const pixels = new ImageData(30, 30);
    pixels.data.fill(255);
    await images.enqueue(pixels);
    const [item] = await images.queue();
    expect(item!.input).toMatchObject({ width: 28, height: 28 });
    expect((item!.input as { data: Uint8ClampedArray }).data).toHaveLength(28 * 28 * 4);
  });
});
