// Issue 6, "bad input, everywhere": the rows of the bad-input table in docs/reliability.md that no other test covers. Each bad
// input gets a clear error naming what was expected (or, for very large texts, a defined outcome), and stored
// data stays as it was.
import { afterEach, describe, expect, test } from 'vitest';
import { defineHitlTools } from '../src/components/define-on-demand.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName } from './helpers.js';

afterEach(closeAll);

describe('very large texts', () => {
  test('a 20 MB text is predicted like its first 20,000 characters, and a label for it is stored and read back whole', async () => {
    const name = uniqueName('huge');
    const clf = await classifier({ name });
    await labelTickets(clf, 2);
    await clf.train();
    // Exactly 20,000 characters (the repeats cover more, so the cut lands inside a word).
    const head = `${tickets.bug[3]} `.repeat(500).slice(0, 20_000);
    expect(head.length).toBe(20_000);
    const huge = head + 'x'.repeat(20 * 1024 * 1024 - head.length);
    expect(huge.length).toBe(20 * 1024 * 1024);
    // Featurised from its first 20,000 characters: exactly the answer those alone get, and no hang.
    const whole = await clf.predict(huge, { queue: false });
    const start = await clf.predict(head, { queue: false });
    expect(whole.label).toBe(start.label);
    expect(whole.scores).toEqual(start.scores);

    const result = await clf.label(huge, 'feature');
    expect(result.examples).toBe(7);
    await closeAll();
    const again = await classifier({ name });
    expect(await again.getLabel(huge)).toMatchObject({ label: 'feature' });
    // A text that differs only after its 20,000th character is another input: its label is its own.
    expect(await again.getLabel(`${huge.slice(0, -1)}y`)).toBeNull();
    const stored = (await readDatabase(name)).examples.find((e) => e.id === result.exampleId);
    expect((stored!.input as string).length).toBe(huge.length);
  });
});

describe('wrong types and values in calls', () => {
  test('options of the wrong type, empty or whitespace labels to add, bad ids: each named, nothing stored', async () => {
    const name = uniqueName('bad-calls');
    const clf = await classifier({ name });
    await clf.label(tickets.bug[0], 'bug');
    await expect(clf.predict('ok', 'shown' as never)).rejects.toThrow(/predict options must be an object/);
    await expect(clf.predict('ok', { shown: 'yes' as never })).rejects.toThrow(/shown must be a boolean/);
    await expect(clf.predict('ok', { queue: 1 as never })).rejects.toThrow(/queue must be a boolean/);
    await expect(clf.addLabel('   ')).rejects.toThrow(/label must not be empty/);
    await expect(clf.addLabel('bug')).rejects.toThrow(/already has the label "bug"/);
    await expect(clf.addLabel(7 as never)).rejects.toThrow(TypeError);
    await expect(clf.undo('')).rejects.toThrow(/decisionId must not be empty/);
    await expect(clf.undo('no-such-decision')).rejects.toThrow(/Unknown decision id "no-such-decision"/);
    await expect(clf.labelQueued('nothing-queued', 'bug')).rejects.toThrow(/No pending queue item "nothing-queued"/);
    await expect(clf.skip(42 as never)).rejects.toThrow(/itemId must be a string/);
    await expect(clf.quality({ window: 0 })).rejects.toThrow(/window must be at least 1/);
    await expect(clf.auditLog({ since: NaN })).rejects.toThrow(/since must be a time in ms/);
    await expect(clf.train({ onProgress: 'log' as never })).rejects.toThrow(/onProgress must be a function/);
    await expect(clf.selectForReview([tickets.bug[1]], 1, { strategy: 'random' as never })).rejects.toThrow(/strategy must be one of/);
    await expect(clf.enqueue(['fine', ''])).rejects.toThrow(/inputs\[1\] must contain some text/);
    const stored = await readDatabase(name);
    expect(stored.examples).toHaveLength(1);
    expect(stored.log.filter((r) => r.kind === 'label')).toHaveLength(1);
    expect(clf.labels).toEqual(['billing', 'bug', 'feature']);
    expect(await clf.queue()).toEqual([]);
  });

  test('a features row of the wrong length, NaN or Infinity, after a reload too: rejected, the stored rows unchanged', async () => {
    const name = uniqueName('bad-rows');
    const clf = await classifier({ name, input: 'features', labels: ['low', 'high'] });
    await clf.label([1, 2, 3], 'low');
    await closeAll();
    const again = await classifier({ name, input: 'features', labels: ['low', 'high'] });
    await expect(again.label([1, 2], 'high')).rejects.toThrow(/row of 3 numbers .* got 2/);
    await expect(again.label(new Float64Array([1, Number.NaN, 3]), 'high')).rejects.toThrow(/input\[1\] must be a finite number, got NaN/);
    await expect(again.label([1, 2, -Infinity], 'high')).rejects.toThrow(/input\[2\] must be a finite number, got -Infinity/);
    await expect(
      again.predictBatch([
        [1, 2, 3],
        [4, 5],
      ]),
    ).rejects.toThrow(RangeError);
    expect((await readDatabase(name)).examples).toHaveLength(1);
  });
});

describe('malformed attributes on the review queue and the panel', () => {
  test('each shows a readable error in the element instead of throwing', async () => {
    await defineHitlTools();
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent | PromiseRejectionEvent) => errors.push('error' in event ? event.error : event.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
    const mounted: HTMLElement[] = [];
    try {
      const cases: [string, Record<string, string>, RegExp][] = [
        ['hitl-review-queue', { model: '' }, /Set the model attribute to the name of the model/],
        [
          'hitl-review-queue',
          { model: uniqueName('q'), labels: 'a,a', input: 'text' },
          /Each label must appear once in labels, but "a" appears twice/,
        ],
        ['hitl-review-queue', { model: uniqueName('q'), labels: 'a,b', input: 'audio' }, /Set input to one of text, image, features \(got "audio"\)/],
        ['hitl-model-panel', { model: '' }, /Set the model attribute to the name of the model/],
        [
          'hitl-model-panel',
          { model: uniqueName('p'), labels: 'a,b', input: 'text', storage: 'disk' },
          /Set storage to one of indexeddb, memory \(got "disk"\)/,
        ],
      ];
      for (const [tag, attributes, message] of cases) {
        const element = document.createElement(tag);
        for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
        document.body.append(element);
        mounted.push(element);
        await expect.poll(() => element.shadowRoot?.querySelector('[part~="message"]')?.textContent ?? '', { timeout: 30_000 }).toMatch(message);
      }
      expect(errors).toEqual([]);
    } finally {
      for (const element of mounted) element.remove();
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onError);
    }
  });
});
