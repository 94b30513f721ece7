import { openDB } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import { createRanker } from '../src/ranker-entry.js';
import { runCleanups, uniqueName } from './helpers.js';
import { keepRankerWorker, ranker, replies, storedRankerRecords } from './ranker-fixtures.js';

// What a ranker keeps, in a real browser: with keepInputs: false no raw text reaches IndexedDB or the export, yet the
// model learns, reloads and imports from the vectors; with retentionDays, comparisons and log entries older than the
// period leave the database when the ranker opens, and the log's chain still verifies.

afterEach(runCleanups);

keepRankerWorker();

describe('keepInputs: false', () => {
  test('stores and exports vectors and hashes only, and still learns, reloads and imports', async () => {
    const name = uniqueName('private');
    const r = await createRanker({ name, autoTrain: false, keepInputs: false });
    // A second handle that keeps inputs does not win: the strictest setting of the open handles holds.
    const lenient = await ranker({ name, keepInputs: true });
    const before = await r.probability(replies[0]!, replies[1]!);
    await r.compare(replies[0]!, replies[1]!, 'a', { annotator: 'ana' });
    await lenient.compare(replies[3]!, replies[2]!, 'a');
    const after = await r.probability(replies[0]!, replies[1]!);
    expect(after).toBeGreaterThan(before + 0.05);

    const records = await storedRankerRecords(name);
    expect(records.comparisons).toHaveLength(2);
    for (const record of records.comparisons) {
      expect(record.a).not.toHaveProperty('input');
      expect(record.b).not.toHaveProperty('input');
      expect(record.a).toHaveProperty('vector');
    }
    const file = await r.export();
    const everything = JSON.stringify(records) + (await file.text());
    for (const text of replies) {
      expect(everything).not.toContain(text);
      expect(everything).not.toContain(text.slice(0, 12));
    }

    // Its session ends with its last handle; a fresh one refits from the stored vectors alone.
    await r.close();
    await lenient.close();
    const again = await ranker({ name, keepInputs: false });
    expect((await again.stats()).comparisons).toBe(2);
    expect(await again.probability(replies[0]!, replies[1]!)).toBeCloseTo(after, 4);

    const target = await ranker({ keepInputs: false });
    expect(await target.import(file)).toMatchObject({ comparisons: 2 });
    expect(await target.probability(replies[0]!, replies[1]!)).toBeCloseTo(after, 4);
    expect(await target.verifyLog()).toMatchObject({ ok: true });
  });
});

describe('retentionDays', () => {
  test('deletes comparisons and log entries older than the period on open, keeps the rest, and the chain verifies', async () => {
    const name = uniqueName('retention');
    const first = await createRanker({ name, autoTrain: false });
    const old = await first.compare(replies[0]!, replies[1]!, 'a');
    await first.compare(replies[2]!, replies[1]!, 'b');
    const recent = await first.compare(replies[3]!, replies[2]!, 'a');
    await first.close();
    // Age the first two comparisons and their log entries by 40 days, as if they had been stored then.
    const aged = Date.now() - 40 * 86_400_000;
    const db = await openDB(`hitl-classifier:${name}`);
    const comparisons = (await db.getAll('comparisons' as never)) as { id: string; time: number }[];
    const agedIds = new Set(comparisons.filter((c) => c.id !== recent.decisionId).map((c) => c.id));
    expect(agedIds.has(old.decisionId)).toBe(true);
    for (const record of comparisons) if (agedIds.has(record.id)) await db.put('comparisons' as never, { ...record, time: aged } as never);
    for (const entry of (await db.getAll('rankerLog' as never)) as { decisionId: string; time: number }[])
      if (agedIds.has(entry.decisionId)) await db.put('rankerLog' as never, { ...entry, time: aged } as never);
    db.close();

    const kept = await ranker({ name, retentionDays: 30 });
    const stats = await kept.stats();
    expect(stats.comparisons).toBe(1);
    const records = await storedRankerRecords(name);
    expect(records.comparisons.map((c) => c.id)).toEqual([recent.decisionId]);
    expect(records.log.every((entry) => (entry.time as number) > aged)).toBe(true);
    expect(records.log.at(-1)).toMatchObject({ kind: 'retention' });
    expect(JSON.stringify(records)).not.toContain(replies[0]);
    expect(await kept.verifyLog()).toMatchObject({ ok: true });
    // The model forgot them too: it is the model of the one comparison left.
    const fresh = await ranker({ storage: 'memory' });
    await fresh.compare(replies[3]!, replies[2]!, 'a');
    expect(await kept.probability(replies[0]!, replies[1]!)).toBeCloseTo(await fresh.probability(replies[0]!, replies[1]!), 3);
    // A second handle without a period leaves the first's in force.
    const other = await ranker({ name });
    expect((await other.stats()).comparisons).toBe(1);
  });

  test('a period that is not a positive number of days is refused before anything opens', async () => {
    await expect(ranker({ retentionDays: 0 })).rejects.toThrow(/retentionDays must be a finite number of days above 0, got 0/);
    await expect(ranker({ retentionDays: '30' as never })).rejects.toThrow(/retentionDays must be a number of days/);
  });
});
