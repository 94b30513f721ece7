import { afterEach, describe, expect, test } from 'vitest';
import type { Classifier, ClassifierChangeEvent } from '../src/classifier.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName } from './helpers.js';

afterEach(closeAll);

const heldOut = [tickets.billing[5], tickets.bug[5], tickets.feature[5], 'Refund my invoice, the export crashed', 'Would love a PDF report feature'];

/** A model with labels, a trained head, shown predictions, decisions and a queue with a skipped item. */
async function populated(name = uniqueName('source'), labels?: string[]): Promise<Classifier> {
  const clf = await classifier({ name, threshold: 0.99, ...(labels ? { labels } : {}) });
  await labelTickets(clf, 4);
  await clf.train();
  const p = await clf.predict(tickets.billing[4], { shown: true });
  await clf.label(tickets.billing[4], 'billing', { predictionId: p.id, annotator: 'ana' });
  await clf.enqueue(['Please check my last payment', 'The editor froze twice today']);
  await clf.skip((await clf.queue())[0]!.id);
  return clf;
}

async function lines(blob: Blob): Promise<Record<string, unknown>[]> {
  return (await blob.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function bundle(rows: unknown[]): Blob {
  return new Blob([rows.map((r) => JSON.stringify(r)).join('\n')]);
}

function base64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

describe('export', () => {
  test('is JSON Lines: a header, then examples, log entries, queue items and the weights', async () => {
    const clf = await populated();
    const blob = await clf.export();
    expect(blob).toBeInstanceOf(Blob);
    const rows = await lines(blob);
    expect(rows[0]).toMatchObject({
      format: 'hitl-classifier',
      version: 1,
      model: clf.name,
      labels: ['billing', 'bug', 'feature'],
      input: 'text',
      counts: { examples: 13, log: 14, queue: 2, weights: 1 },
    });
    const types = rows.slice(1).map((r) => r.type);
    expect(types.filter((t) => t === 'example')).toHaveLength(13);
    expect(types.filter((t) => t === 'log')).toHaveLength(14);
    expect(types.filter((t) => t === 'queue')).toHaveLength(2);
    expect(rows.at(-1)).toMatchObject({ type: 'weights', version: 1, labels: ['billing', 'bug', 'feature'], inputDim: 1 << 14 });
    expect(typeof rows.at(-1)!.weights).toBe('string');
    expect(rows.find((r) => r.type === 'example')).toMatchObject({ input: tickets.billing[0], label: 'billing' });
  });
});

describe('import', () => {
  test('round trip: a fresh model B importing A’s export gives the same predictions, labels, queue and log', async () => {
    const a = await populated();
    const file = await a.export();
    const b = await classifier({ name: uniqueName('target'), threshold: 0.99 });
    const imported = new Promise<number>((resolve) =>
      b.addEventListener('change', (event) => {
        const change = (event as ClassifierChangeEvent).change;
        if (change.type === 'imported') resolve(change.examples);
      }),
    );
    const result = await b.import(file);
    expect(result).toMatchObject({ examples: 13, logEntries: 14, modelVersion: 1, overlap: 0 });
    expect(await imported).toBe(13);

    const pa = await a.predictBatch(heldOut);
    const pb = await b.predictBatch(heldOut);
    pb.forEach((p, i) => {
      expect(p.label).toBe(pa[i]!.label);
      expect(p.confidence).toBeCloseTo(pa[i]!.confidence, 6);
      expect(p.modelVersion).toBe(1);
    });
    const [sa, sb] = [await a.stats(), await b.stats()];
    expect(sb.byLabel).toEqual(sa.byLabel);
    expect(sb.calibration).toEqual(sa.calibration);
    expect(await b.getLabel(tickets.billing[4])).toMatchObject({ label: 'billing', annotator: 'ana' });
    const [qa, qb] = [await a.queue(), await b.queue()];
    expect(qb.map((q) => [q.id, q.input, q.skipped])).toEqual(qa.map((q) => [q.id, q.input, q.skipped]));
    const logA = await a.auditLog();
    const logB = await b.auditLog();
    expect(logB).toHaveLength(logA.length + 1);
    const strip = ({ id: _id, ...rest }: { id: number }) => rest;
    expect(logB.slice(0, -1).map(strip)).toEqual(logA.map(strip));
    expect(logB.at(-1)).toMatchObject({ kind: 'import', modelVersion: 1 });
    expect(logB.at(-1)!.detail).toMatch(/13 examples, 14 log entries, 2 queue items and weights from model "source-/);

    // The same file again changes no label and adds no log entry twice: only a record of the import itself.
    expect(await b.import(file)).toMatchObject({ examples: 13, logEntries: 0, modelVersion: 2, overlap: 13 });
    expect(await b.auditLog()).toHaveLength(logB.length + 1);
    expect((await b.stats()).byLabel).toEqual(sa.byLabel);

    // The import survives a reload of B.
    const name = b.name;
    await closeAll();
    const reopened = await classifier({ name, threshold: 0.99 });
    const again = await reopened.predictBatch(heldOut);
    again.forEach((p, i) => expect(p.confidence).toBeCloseTo(pa[i]!.confidence, 6));
  });

  test('labels only the file has extend the model; a features model round-trips its standardisation', async () => {
    const wide = await classifier({ name: uniqueName('wide'), labels: ['billing', 'bug', 'feature', 'account'] });
    await labelTickets(wide, 3);
    await wide.label('I cannot log in to my account', 'account');
    await wide.label('Reset my account password please', 'account');
    await wide.train();
    const narrow = await classifier({ name: uniqueName('narrow'), labels: ['bug', 'billing', 'feature'] });
    await narrow.import(await wide.export());
    expect(narrow.labels).toEqual(['bug', 'billing', 'feature', 'account']);
    const probe = ['My account is locked', tickets.bug[5], tickets.billing[5]];
    const [pw, pn] = [await wide.predictBatch(probe), await narrow.predictBatch(probe)];
    pn.forEach((p, i) => {
      expect(p.label).toBe(pw[i]!.label);
      expect(p.confidence).toBeCloseTo(pw[i]!.confidence, 5);
    });

    const rows = await classifier({ name: uniqueName('rows'), input: 'features', labels: ['low', 'high'] });
    for (let i = 0; i < 8; i++) {
      await rows.label([i, 100 + i * 3, 0.5], 'low');
      await rows.label([20 + i, 300 + i * 3, 0.5], 'high');
    }
    await rows.train();
    const copy = await classifier({ name: uniqueName('rows-copy'), input: 'features', labels: ['low', 'high'] });
    await copy.import(await rows.export());
    const grid = [
      [3.5, 150, 0.5],
      [14, 210, 0.5],
      [25, 330, 0.5],
    ];
    const [pr, pc] = [await rows.predictBatch(grid), await copy.predictBatch(grid)];
    pc.forEach((p, i) => expect(p.confidence).toBeCloseTo(pr[i]!.confidence, 6));
    // A file for another input kind is refused.
    await expect(copy.import(await wide.export())).rejects.toThrow(/holds a 'text' model; this model's input is 'features'/);
  });

  test('a bad file is rejected with a message naming the problem, and changes nothing', async () => {
    const source = await populated();
    const good = await lines(await source.export());
    const name = uniqueName('guarded');
    const target = await classifier({ name, threshold: 0.99 });
    await target.label('Keep this label safe', 'bug', { annotator: 'owner' });
    await target.enqueue('Keep this item queued');
    const before = { db: await readDatabase(name), stats: await target.stats(), queue: await target.queue(), log: await target.auditLog() };

    const edit = (change: (rows: Record<string, unknown>[]) => void): Blob => {
      const rows = good.map((r) => structuredClone(r));
      change(rows);
      return bundle(rows);
    };
    const weightsLine = (rows: Record<string, unknown>[]) => rows.find((r) => r.type === 'weights')!;
    const firstExample = (rows: Record<string, unknown>[]) => rows.find((r) => r.type === 'example')!;
    const bad: [string, Blob, typeof TypeError | typeof RangeError, RegExp][] = [
      ['plain text', new Blob(['hello, world']), TypeError, /line 1 is not valid JSON/],
      ['bytes that are not UTF-8', new Blob([new Uint8Array([0xff, 0xfe, 0xfd])]), TypeError, /not UTF-8/],
      ['an empty file', new Blob([]), TypeError, /the file is empty/],
      ['another format', bundle([{ format: 'label-studio' }]), TypeError, /not a hitl-classifier export/],
      ['a newer format version', edit((rows) => (rows[0]!.version = 2)), RangeError, /format version 2 is not one this library reads/],
      ['another input kind', edit((rows) => (rows[0]!.input = 'image')), TypeError, /holds a 'image' model; this model's input is 'text'/],
      ['a truncated file', edit((rows) => rows.splice(rows.length - 1, 1)), RangeError, /announces 1 weights line\(s\), the file holds 0/],
      [
        'a line cut in half',
        new Blob([
          good
            .map((r) => JSON.stringify(r))
            .join('\n')
            .slice(0, -200),
        ]),
        TypeError,
        /line \d+ is not valid JSON/,
      ],
      [
        'NaN in the weights',
        edit((rows) => {
          const w = weightsLine(rows);
          const values = new Float32Array((1 << 14) * 3);
          values[7] = NaN;
          w.weights = base64(values);
        }),
        RangeError,
        /line \d+ \(weights\): weights\[7\] is NaN; every value must be finite/,
      ],
      [
        'weights of the wrong length',
        edit((rows) => (weightsLine(rows).bias = base64(new Float32Array(2)))),
        RangeError,
        /bias must hold 3 float32 values, got 2/,
      ],
      ['a weights inputDim for another featurizer', edit((rows) => (weightsLine(rows).inputDim = 512)), RangeError, /inputDim is 512/],
      [
        'a class mix without one number per label',
        edit((rows) => (weightsLine(rows).calibration = { temperature: 1, heldOut: 30, eceBefore: 0.1, eceAfter: 0.1, classPrior: [0.5, -0.5] })),
        TypeError,
        /calibration.classPrior must be 3 finite numbers, one per label of the head/,
      ],
      [
        'a near-duplicate bar below the floor for text',
        edit((rows) => (weightsLine(rows).calibration = { temperature: 1, heldOut: 30, eceBefore: 0.1, eceAfter: 0.1, nearDuplicate: 0.5 })),
        RangeError,
        /calibration.nearDuplicate must be a number from 0.8 \(this kind of input's floor\) to below 1/,
      ],
      [
        'a follow temperature that is not a positive number',
        edit((rows) => (weightsLine(rows).calibration = { temperature: 1, heldOut: 30, eceBefore: 0.1, eceAfter: 0.1, followTemperature: 0 })),
        RangeError,
        /calibration.followTemperature must be a positive number/,
      ],
      [
        'a counts view without the scale its head read the counts at',
        edit((rows) => Object.assign(weightsLine(rows), { shortGramShare: 0.5, extra: 'counts' })),
        RangeError,
        /countScale must be a positive number with extra 'counts', and absent otherwise; got undefined/,
      ],
      [
        'a head L2 strength that is not a positive number',
        edit((rows) => (weightsLine(rows).l2 = -1)),
        RangeError,
        /l2 must be a positive number \(the L2 strength the head trained with\) or absent, got -1/,
      ],
      [
        'an unknown line type',
        edit((rows) => rows.splice(2, 0, { type: 'comment', text: 'hi' })),
        TypeError,
        /line 3 \(comment\): unknown line type "comment"/,
      ],
      [
        'an example with a label the header lacks',
        edit((rows) => (firstExample(rows).label = 'spam')),
        RangeError,
        /label "spam" is not one of the header's labels/,
      ],
      [
        'an input edited after export',
        edit((rows) => (firstExample(rows).input = 'something else entirely')),
        RangeError,
        /is not the hash of its input/,
      ],
      ['a duplicated example', edit((rows) => rows.splice(2, 0, structuredClone(firstExample(rows)))), RangeError, /appears twice/],
      ['a log entry of an unknown kind', edit((rows) => (rows.find((r) => r.type === 'log')!.kind = 'guess')), TypeError, /kind must be one of/],
      [
        'a queue item with an impossible confidence',
        edit((rows) => ((rows.find((r) => r.type === 'queue')!.prediction as { confidence: number }).confidence = 3)),
        RangeError,
        /prediction.confidence must be in 0…1/,
      ],
    ];
    for (const [what, file, type, message] of bad) {
      const attempt = target.import(file);
      await expect(attempt, what).rejects.toThrow(type);
      await expect(target.import(file), what).rejects.toThrow(message);
    }
    // Over the documented size limit: refused before it is read.
    await expect(target.import(new Blob([new ArrayBuffer(200 * 1024 * 1024 + 1)]))).rejects.toThrow(/the limit is 200 MB/);
    await expect(target.import('not a blob' as never)).rejects.toThrow(TypeError);

    expect(await readDatabase(name)).toEqual(before.db);
    expect(await target.stats()).toEqual(before.stats);
    expect(await target.queue()).toEqual(before.queue);
    expect(await target.auditLog()).toEqual(before.log);
    expect(target.labels).toEqual(['billing', 'bug', 'feature']);

    // The untouched good file still imports, on top of what was there.
    await target.import(bundle(good));
    expect((await target.stats()).examples).toBe(14);
    expect(await target.getLabel('Keep this label safe')).toMatchObject({ label: 'bug', annotator: 'owner' });
    expect((await target.queue()).map((q) => q.input)).toContain('Keep this item queued');
  });
});
