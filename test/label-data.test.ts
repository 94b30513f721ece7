import { afterEach, describe, expect, test } from 'vitest';
import type { Classifier } from '../src/classifier.js';
import { Engine } from '../workers/engine/engine.js';
import { parseCsv, writeCsv } from '../workers/formats/csv.js';
import { IndexedDbStore, MemoryStore, mergeMeta, type ModelMeta, type ModelStore } from '../workers/storage/index.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName, until } from './helpers.js';

afterEach(closeAll);

/** Decisions in the log: one per `decision` entry, and each of a `decisions` entry's (a batch). */
const texts = (clf: Classifier) =>
  clf.auditLog().then((log) => log.reduce((n, e) => n + (e.kind === 'decision' ? 1 : e.kind === 'decisions' ? e.decisions!.length : 0), 0));

/** The stored (text, label, annotator) triples of a text model, sorted: what a round trip must keep. */
async function triples(clf: Classifier): Promise<string[]> {
  const { blob } = await clf.exportLabels({ format: 'jsonl' });
  return (await blob.text())
    .trim()
    .split('\n')
    .map((line) => {
      const { text, label, annotator } = JSON.parse(line) as { text: string; label: string; annotator?: string };
      return JSON.stringify([text, label, annotator ?? null]);
    })
    .sort();
}

describe('renameLabel and removeLabel', () => {
  test('a rename rewrites examples, queue, head and log in one change, and another tab follows', async () => {
    const name = uniqueName('rename');
    const clf = await classifier({ name, threshold: 0.99 });
    const other = new Engine();
    const opened = await other.open(
      { name, labels: ['billing', 'bug', 'feature'], input: 'text', storage: 'indexeddb' },
      { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
    );
    try {
      await labelTickets(clf, 3);
      const first = await clf.label(tickets.bug[3], 'bug');
      await clf.train();
      await clf.enqueue(['The page freezes when I scroll']);

      await expect(clf.renameLabel('bugs', 'defect')).rejects.toThrow(RangeError);
      await expect(clf.renameLabel('bug', 'billing')).rejects.toThrow(/removeLabel\("bug", \{ reassignTo: "billing" \}\)/);
      const result = await clf.renameLabel('bug', 'defect');
      expect(result).toMatchObject({ labels: ['billing', 'defect', 'feature'], changed: 4, queueItems: 1, examples: 10 });
      expect(clf.labels).toEqual(['billing', 'defect', 'feature']);
      expect((await clf.stats()).byLabel).toEqual({ billing: 3, defect: 4, feature: 3 });
      expect((await clf.predict(tickets.bug[0])).label).toBe('defect');
      const [queued] = await clf.queue();
      expect(Object.keys(queued!.prediction.scores).sort()).toEqual(['billing', 'defect', 'feature']);

      const db = await readDatabase(name);
      expect((db.weights as { labels: string[] }).labels).toEqual(['billing', 'defect', 'feature']);
      expect(db.examples.filter((e) => e.label === 'bug')).toEqual([]);
      const entry = (await clf.auditLog()).at(-1)!;
      expect(entry).toMatchObject({ kind: 'relabel', previousLabel: 'bug', human: 'defect', decisionId: result.decisionId });
      expect(entry.detail).toContain('4 examples, 1 queue item');
      expect((await clf.verifyLog()).ok).toBe(true);
      // An older decision on a renamed example would bring "bug" back.
      await expect(clf.undo(first.decisionId)).rejects.toThrow(RangeError);

      // The other tab reads the change back: its labels, its memory and its head.
      await until(
        () => other.stats(opened.key),
        (stats) => Object.keys(stats.byLabel).join() === 'billing,defect,feature',
      );
      expect((await other.stats(opened.key)).byLabel).toEqual({ billing: 3, defect: 4, feature: 3 });
      const [theirs] = await other.predict(opened.key, [tickets.bug[1]]);
      expect(theirs!.label).toBe('defect');
      await expect(other.label(opened.key, 'The login button is broken', 'bug', {})).rejects.toThrow(/Unknown label "bug"/);
      // A page that still asks for the old label hears what happened to it.
      await expect(classifier({ name })).rejects.toThrow(/\["bug"\] was renamed or removed \(renameLabel, removeLabel\)/);
    } finally {
      await other.close(opened.key, opened.handle);
    }
  });

  test('removeLabel moves the examples to another label or deletes them, and refuses what would lose the model', async () => {
    const clf = await classifier({ labels: ['billing', 'bug', 'feature', 'spam'], storage: 'memory' });
    await labelTickets(clf, 2);
    await clf.labelBatch([
      { input: 'Cheap pills, click here', label: 'spam' },
      { input: 'You won a prize, send your bank details', label: 'spam' },
    ]);
    await expect(clf.removeLabel('spam', {} as { drop: true })).rejects.toThrow(TypeError);
    await expect(clf.removeLabel('spam', { reassignTo: 'spam' })).rejects.toThrow(RangeError);
    const moved = await clf.removeLabel('feature', { reassignTo: 'billing' });
    expect(moved).toMatchObject({ labels: ['billing', 'bug', 'spam'], changed: 2, examples: 8 });
    expect((await clf.stats()).byLabel).toEqual({ billing: 4, bug: 2, spam: 2 });
    const dropped = await clf.removeLabel('spam', { drop: true });
    expect(dropped).toMatchObject({ labels: ['billing', 'bug'], changed: 2, examples: 6 });
    expect(await clf.getLabel('Cheap pills, click here')).toBeNull();
    await expect(clf.removeLabel('bug', { drop: true })).rejects.toThrow(/at least 2 labels/);
    expect((await clf.auditLog()).filter((e) => e.kind === 'relabel').map((e) => e.detail)).toEqual([
      'removeLabel("feature"), its examples reassigned to "billing": 2 examples, 0 queue items',
      'removeLabel("spam"), its examples deleted: 2 examples, 0 queue items',
    ]);
    expect((await clf.verifyLog()).ok).toBe(true);
    // The label is gone from the model: labelling with it is refused, and the model still trains on the rest.
    await expect(clf.label('Another cheap offer', 'spam')).rejects.toThrow(RangeError);
    expect((await clf.train()).examples).toBe(6);

    // Agreement reads labels given before a rename under the new name: the same judgement is no conflict.
    await clf.addLabel('urgent');
    await clf.label('The site is down for everyone', 'urgent', { annotator: 'ana' });
    await clf.renameLabel('urgent', 'outage');
    await clf.label('The site is down for everyone', 'outage', { annotator: 'bo' });
    expect((await clf.agreement()).conflicts).toEqual([]);
    await clf.label('The site is down for everyone', 'bug', { annotator: 'cy' });
    const [conflict] = (await clf.agreement()).conflicts;
    expect(conflict!.labels.map((l) => [l.annotator, l.label])).toEqual([
      ['ana', 'outage'],
      ['bo', 'outage'],
      ['cy', 'bug'],
    ]);
  });

  test('a store refuses a stale tab: no decision under a label that is gone, and its meta does not bring the label back', async () => {
    for (const store of [new IndexedDbStore(uniqueName('stale')), new MemoryStore()] as ModelStore[]) {
      const meta: ModelMeta = { name: 'm', labels: ['a', 'b', 'c'], input: 'text', featureDim: null, maxVersion: 0, createdAt: 0 };
      await store.saveMeta(meta);
      const example = { id: 'x', input: 'x', label: 'c', time: 1, seq: 0 };
      await store.saveDecision(example, { kind: 'label', time: 1, exampleId: 'x', label: 'c', modelVersion: 0 });
      const outcome = await store.changeLabels({ kind: 'rename', from: 'c', to: 'd', decisionId: 'r1' }, (counts) => ({
        kind: 'relabel',
        time: 2,
        exampleId: '',
        modelVersion: 0,
        detail: JSON.stringify(counts),
      }));
      expect(outcome).toMatchObject({ examples: 1, queue: 0, meta: { labels: ['a', 'b', 'd'], labelsRevision: 1, retiredLabels: { c: 1 } } });
      // A tab that read the meta before the rename writes what it holds: "c" stays retired.
      expect((await store.saveMeta({ ...meta, labels: ['a', 'b', 'c', 'e'] })).labels).toEqual(['a', 'b', 'd', 'e']);
      const stale = { id: 'y', input: 'y', label: 'c', time: 3, seq: 1 };
      await expect(store.saveDecision(stale, { kind: 'label', time: 3, exampleId: 'y', label: 'c', modelVersion: 0 })).rejects.toThrow(
        /no longer one of the model's labels/,
      );
      await expect(
        store.changeLabels({ kind: 'remove', label: 'c', reassignTo: null, decisionId: 'r2' }, () => ({
          kind: 'relabel',
          time: 4,
          exampleId: '',
          modelVersion: 0,
        })),
      ).rejects.toThrow(/Unknown label "c" to remove/);
      const { examples } = await store.load();
      expect(examples.map((e) => [e.id, e.label, e.decisionId])).toEqual([['x', 'd', 'r1']]);
      store.close();
    }
    // A tab that has seen the rename may add the old name back.
    const stored: ModelMeta = {
      name: 'm',
      labels: ['a', 'd'],
      input: 'text',
      featureDim: null,
      maxVersion: 0,
      createdAt: 0,
      labelsRevision: 1,
      retiredLabels: { c: 1 },
    };
    expect(mergeMeta(stored, { ...stored, labels: ['a', 'd', 'c'] })).toMatchObject({ labels: ['a', 'd', 'c'], retiredLabels: {} });
  });
});

describe('labelBatch', () => {
  test('stores every item in one transaction, or none, naming the bad item', async () => {
    const name = uniqueName('batch');
    const clf = await classifier({ name });
    await clf.label(tickets.billing[0], 'billing');
    const before = await texts(clf);
    await expect(
      clf.labelBatch([
        { input: tickets.bug[0], label: 'bug' },
        { input: tickets.bug[1], label: 'bugs' },
      ]),
    ).rejects.toThrow(/items\[1\]: unknown label "bugs"/);
    await expect(clf.labelBatch([{ input: '   ', label: 'bug' }])).rejects.toThrow(/items\[0\]/);
    expect((await clf.stats()).examples).toBe(1);
    expect(await texts(clf)).toBe(before);
    expect((await readDatabase(name)).examples).toHaveLength(1);

    const result = await clf.labelBatch([
      { input: tickets.bug[0], label: 'bug', annotator: 'ana' },
      { input: tickets.billing[0], label: 'feature' },
      { input: tickets.bug[0], label: 'billing', annotator: 'bo' },
    ]);
    expect(result.decisionIds).toHaveLength(3);
    expect(result.exampleIds[0]).toBe(result.exampleIds[2]);
    expect(result).toMatchObject({ replaced: 2, examples: 2 });
    expect(await clf.getLabel(tickets.bug[0])).toMatchObject({ label: 'billing', annotator: 'bo' });
    // One log entry holds the batch's decisions, each with its own id, as a decision entry would name it.
    const batch = (await clf.auditLog()).at(-1)!;
    expect(batch.kind).toBe('decisions');
    expect(batch.decisions!.map((d) => [d.inputHash, d.human, d.decisionId, d.previousLabel ?? null, d.annotator ?? null])).toEqual([
      [result.exampleIds[0], 'bug', result.decisionIds[0], null, 'ana'],
      [result.exampleIds[1], 'feature', result.decisionIds[1], 'billing', null],
      [result.exampleIds[2], 'billing', result.decisionIds[2], 'bug', 'bo'],
    ]);
    expect(await texts(clf)).toBe(before + 3);
    // Agreement reads the batch's decisions one by one: ana and bo disagree on the first ticket.
    const conflicts = (await clf.agreement()).conflicts;
    expect(conflicts.map((c) => c.labels.map((l) => `${l.annotator}:${l.label}`).sort())).toEqual([['ana:bug', 'bo:billing']]);
    // Undo goes back one decision at a time, as if they had been given one by one.
    await expect(clf.undo(result.decisionIds[0]!)).rejects.toThrow(/A later decision changed this input/);
    await clf.undo(result.decisionIds[2]!);
    expect(await clf.getLabel(tickets.bug[0])).toMatchObject({ label: 'bug', annotator: 'ana' });
    await expect(clf.undo(result.decisionIds[2]!)).rejects.toThrow(/already undone/);
    await expect(clf.undo(`${result.decisionIds[2]!.split('#')[0]!}#7`)).rejects.toThrow(/Unknown decision id/);
    expect((await clf.verifyLog()).ok).toBe(true);

    // The export carries the batch entry as written: it verifies and imports elsewhere, and an edited one is refused.
    const file = await clf.export();
    const copy = await classifier({ storage: 'memory' });
    expect(await copy.import(file)).toMatchObject({ examples: 2 });
    expect((await copy.auditLog()).filter((e) => e.kind === 'decisions').map((e) => e.decisions!.length)).toEqual([3]);
    expect((await copy.verifyLog()).ok).toBe(true);
    const edited = (await file.text()).replace('"human":"feature"', '"human":"bug"');
    await expect((await classifier({ storage: 'memory' })).import(new Blob([edited]))).rejects.toThrow(/altered after export/);
    const broken = (await file.text()).replace(/"decisions":\[\{"inputHash":"[^"]+",/, '"decisions":[{"inputHash":7,');
    await expect((await classifier({ storage: 'memory' })).import(new Blob([broken]))).rejects.toThrow(
      /decisions\[0\] must be \{inputHash, human, decisionId\}/,
    );
  });
});

describe('importLabels and exportLabels', () => {
  test('CSV as spreadsheets write it: quotes, commas and line breaks in fields, CRLF, a byte order mark', () => {
    const text =
      '\uFEFFtext,label,annotator\r\n"Charged twice, please refund",billing,ana\r\n"Says ""error"" on save\r\nevery time",bug,\r\n\r\nAdd dark mode,feature,bo';
    expect(parseCsv(text)).toEqual([
      { fields: ['text', 'label', 'annotator'], line: 1 },
      { fields: ['Charged twice, please refund', 'billing', 'ana'], line: 2 },
      { fields: ['Says "error" on save\r\nevery time', 'bug', ''], line: 3 },
      { fields: ['Add dark mode', 'feature', 'bo'], line: 6 },
    ]);
    const records = [
      ['a,b', 'say "hi"'],
      ['two\nlines', ' padded '],
    ];
    expect(parseCsv(writeCsv(records)).map((r) => r.fields)).toEqual(records);
    expect(() => parseCsv('text,label\n"open,bug\n')).toThrow('line 2: a quoted field is never closed');
    expect(() => parseCsv('text,label\n"x"y,bug\n')).toThrow(/line 2: text after a closing quote/);
  });

  test('checks every row before storing any, naming the row; addLabels brings new labels', async () => {
    const clf = await classifier({ storage: 'memory' });
    const csv = 'text,label\nThe app crashes,bug\n"Refund, please",billing\nDark mode?,feature\nMy data leaked,security\n';
    await expect(clf.importLabels(csv, { format: 'csv' })).rejects.toThrow(/line 5: unknown label "security"/);
    await expect(clf.importLabels('text,label\nok,bug\n,bug\n', { format: 'csv' })).rejects.toThrow('line 3: text is empty.');
    await expect(clf.importLabels('label\nbug\n', { format: 'csv' })).rejects.toThrow(/line 1: the header must name the columns text and label/);
    await expect(clf.importLabels('{"text":"a","label":"bug"}\n{"text":"b"}\n', { format: 'jsonl' })).rejects.toThrow(
      'line 2: label must be a string, got undefined.',
    );
    await expect(clf.importLabels('{"text":"a","label":"bug"}\nnot json\n', { format: 'jsonl' })).rejects.toThrow(/line 2: not JSON/);
    await expect(clf.importLabels(csv, { format: 'xml' as 'csv' })).rejects.toThrow(RangeError);
    await expect(clf.importLabels(42 as unknown as string, { format: 'csv' })).rejects.toThrow(
      'importLabels expects a string, Blob or File, got number.',
    );
    expect((await clf.stats()).examples).toBe(0);

    const result = await clf.importLabels(new Blob([csv]), { format: 'csv', addLabels: true });
    expect(result).toEqual({ rows: 4, replaced: 0, labelsAdded: ['security'], skipped: 0, examples: 4 });
    expect(clf.labels).toEqual(['billing', 'bug', 'feature', 'security']);
    const entries = (await clf.auditLog()).flatMap((e) => e.decisions ?? []);
    expect(entries.map((e) => e.detail)).toEqual([
      'importLabels (csv), line 2',
      'importLabels (csv), line 3',
      'importLabels (csv), line 4',
      'importLabels (csv), line 5',
    ]);
  });

  test('each format round-trips, and the Label Studio export has the shape its importer documents', async () => {
    const source = await classifier({ storage: 'memory' });
    await source.labelBatch([
      { input: 'Charged twice, "again"', label: 'billing', annotator: 'ana' },
      { input: 'Crash on save\nwith two lines', label: 'bug' },
      { input: ' Dark mode, please ', label: 'feature', annotator: 'bo' },
      { input: 'Ünïcödé ☃ text', label: 'bug', annotator: 'ana' },
    ]);
    const expected = await triples(source);
    expect(expected).toHaveLength(4);
    for (const format of ['csv', 'jsonl', 'label-studio'] as const) {
      const exported = await source.exportLabels({ format });
      expect(exported).toMatchObject({ examples: 4, leftOut: 0 });
      const target = await classifier({ storage: 'memory' });
      expect(await target.importLabels(exported.blob, { format })).toMatchObject({ rows: 4, examples: 4 });
      expect(await triples(target), format).toEqual(expected);
    }

    // Label Studio's import format (labelstud.io/guide/task_format, /guide/predictions): a JSON list of tasks, each
    // { data: { <$value>: … }, annotations: [{ result: [{ from_name, to_name, type, value: { choices: [label] } }] }] }.
    const tasks = JSON.parse(await (await source.exportLabels({ format: 'label-studio' })).blob.text()) as unknown;
    expect(Array.isArray(tasks)).toBe(true);
    for (const task of tasks as Record<string, unknown>[]) {
      expect(Object.keys(task).sort()).toEqual(['annotations', 'data']);
      expect(typeof (task.data as { text: unknown }).text).toBe('string');
      const annotations = task.annotations as { result: Record<string, unknown>[] }[];
      expect(annotations).toHaveLength(1);
      expect(annotations[0]!.result).toEqual([
        { from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [expect.stringMatching(/^(billing|bug|feature)$/)] } },
      ]);
    }
    // What Label Studio itself exports: numeric completed_by, cancelled annotations, tasks nobody annotated.
    const fromLabelStudio = [
      {
        id: 1,
        data: { text: 'Invoice is wrong' },
        annotations: [
          {
            id: 9,
            completed_by: 3,
            was_cancelled: false,
            result: [{ id: 'r', from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['billing'] } }],
          },
        ],
        predictions: [],
      },
      { id: 2, data: { text: 'Nobody looked at me' }, annotations: [] },
      { id: 3, data: { text: 'Skipped' }, annotations: [{ was_cancelled: true, result: [] }] },
    ];
    const target = await classifier({ storage: 'memory' });
    expect(await target.importLabels(JSON.stringify(fromLabelStudio), { format: 'label-studio' })).toMatchObject({ rows: 1, skipped: 2 });
    expect(await target.getLabel('Invoice is wrong')).toMatchObject({ label: 'billing', annotator: '3' });
    await expect(target.importLabels('[{"data":{"text":"x"},"annotations":[{"result":[]}]}]', { format: 'label-studio' })).rejects.toThrow(
      'task 1, annotation 1: expected one result of type "choices", got 0.',
    );
  });
});
