import { openDB } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import { createClassifier } from '../src/index.js';
import { classifier, closeAll, labelTickets, onCleanup, runCleanups, tickets, uniqueName } from './helpers.js';

// Issue 18, item 5: the audit log is a hash chain the page can verify, through the public API, against edits made
// directly in IndexedDB (what anyone with devtools could do) and against an edited export.

afterEach(closeAll);
afterEach(runCleanups);

async function editLog(model: string, edit: (entries: { id: number; [key: string]: unknown }[]) => Promise<void> | void): Promise<void> {
  const db = await openDB(`hitl-classifier:${model}`);
  try {
    const tx = db.transaction('log', 'readwrite');
    const entries = (await tx.store.getAll()) as { id: number; [key: string]: unknown }[];
    await edit(entries);
    for (const entry of entries) await tx.store.put(entry);
    await tx.done;
  } finally {
    db.close();
  }
}

async function withDecisions() {
  const name = uniqueName('chain');
  const clf = await classifier({ name });
  await labelTickets(clf, 2);
  const seen = await clf.predict(tickets.bug[4], { shown: true, queue: false });
  await clf.label(tickets.bug[4], 'bug', { predictionId: seen.id, annotator: 'ana' });
  return { name, clf };
}

describe('verifyLog', () => {
  test('a log written through the library verifies, and names its head', async () => {
    const { clf } = await withDecisions();
    const result = await clf.verifyLog();
    const log = await clf.auditLog();
    expect(result).toEqual({ ok: true, entries: log.length, firstBadEntry: null, head: log.at(-1)!.hash });
    expect(log.every((e, i) => e.prev === (i === 0 ? '0'.repeat(64) : log[i - 1]!.hash))).toBe(true);
  });

  test('an entry edited in IndexedDB is named', async () => {
    const { name, clf } = await withDecisions();
    const log = await clf.auditLog();
    const target = log.find((e) => e.annotator === 'ana')!;
    await editLog(name, (entries) => {
      entries.find((e) => e.id === target.id)!.label = 'feature';
    });
    expect(await clf.verifyLog()).toMatchObject({ ok: false, firstBadEntry: target.id });
  });

  test('an entry deleted in IndexedDB is found at the entry after it', async () => {
    const { name, clf } = await withDecisions();
    const log = await clf.auditLog();
    const db = await openDB(`hitl-classifier:${name}`);
    await db.delete('log', log[2]!.id);
    db.close();
    expect(await clf.verifyLog()).toMatchObject({ ok: false, firstBadEntry: log[3]!.id });
  });

  test('entries reordered in IndexedDB are found', async () => {
    const { name, clf } = await withDecisions();
    const log = await clf.auditLog();
    await editLog(name, (entries) => {
      const [a, b] = [entries[1]!, entries[2]!];
      const { id: idA, ...contentA } = a;
      const { id: idB, ...contentB } = b;
      entries[1] = { id: idA, ...contentB };
      entries[2] = { id: idB, ...contentA };
    });
    expect(await clf.verifyLog()).toMatchObject({ ok: false, firstBadEntry: log[1]!.id });
  });

  test('reset() leaves a reset entry, and the log still verifies', async () => {
    const { clf } = await withDecisions();
    const before = await clf.auditLog();
    await clf.reset();
    const log = await clf.auditLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ kind: 'reset' });
    expect(log[0]!.detail).toContain(`${before.length} log entries removed; the log before ended at ${before.at(-1)!.hash}`);
    await clf.label(tickets.bug[0], 'bug');
    expect(await clf.verifyLog()).toMatchObject({ ok: true, entries: 2 });
  });
});

describe('exports carry the chain', () => {
  test('an export imports elsewhere; the same export edited is refused with the entry named, and nothing changes', async () => {
    const { clf } = await withDecisions();
    const file = await clf.export();
    const target = await createClassifier({ name: uniqueName('chain-import'), labels: clf.labels, storage: 'memory', autoTrain: false });
    onCleanup(() => target.close());
    const lines = (await file.text()).split('\n');
    const index = lines.findIndex((line) => line.includes('"annotator":"ana"') && line.includes('"type":"log"'));
    const entry = JSON.parse(lines[index]!) as { id: number; human: string };
    const tampered = [...lines];
    tampered[index] = JSON.stringify({ ...entry, human: 'feature' });
    await expect(target.import(new Blob([tampered.join('\n')]))).rejects.toThrow(
      new RegExp(`altered after export; its entry ${entry.id} \\(line ${index + 1}\\) does not match`),
    );
    expect((await target.stats()).examples).toBe(0);
    expect(await target.auditLog()).toEqual([]);

    await target.import(file);
    expect((await target.stats()).examples).toBe((await clf.stats()).examples);
    expect((await target.verifyLog()).ok).toBe(true);
  });
});
