import { afterEach, describe, expect, test } from 'vitest';
import { createRanker } from '../src/ranker-entry.js';
import { rankerKey } from '../src/protocol.js';
import { Engine } from '../workers/engine/engine.js';
import { onCleanup, runCleanups, uniqueName, until } from './helpers.js';
import { keepRankerWorker, ranker, replies, storedRankerRecords } from './ranker-fixtures.js';

// createRanker in a real browser: comparisons stored in IndexedDB (strict), learnt from at once, undone, kept across
// a reload, shared with another tab, refused when bad, and carried by export → import.

afterEach(runCleanups);

keepRankerWorker();

describe('a text ranker', () => {
  test('compare stores the comparison and moves the probability of that pair at once; undo moves it back', async () => {
    const name = uniqueName('replies');
    const r = await ranker({ name });
    const before = await r.probability(replies[0]!, replies[1]!);
    expect(before).toBeCloseTo((await r.probabilities(replies[1]!, replies[0]!)).b, 10);
    const result = await r.compare(replies[0]!, replies[1]!, 'a', { annotator: 'ana' });
    expect(result.before).toBeCloseTo(before, 10);
    const after = await r.probability(replies[0]!, replies[1]!);
    expect(after).toBeGreaterThan(before + 0.05);
    expect(result.after).toBeCloseTo(after, 10);
    // Scores agree with the comparison; so does the order rank() gives.
    const ranked = await r.rank([replies[1]!, replies[0]!]);
    expect(ranked.map((item) => item.index)).toEqual([1, 0]);
    const stored = (await storedRankerRecords(name)).comparisons;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: result.decisionId, outcome: 'a', annotator: 'ana', a: { input: replies[0] } });

    const undone = await r.undo(result.decisionId);
    expect(undone.comparisons).toBe(0);
    expect(await r.probability(replies[0]!, replies[1]!)).toBeCloseTo(before, 6);
    expect((await storedRankerRecords(name)).comparisons).toHaveLength(0);
    await expect(r.undo(result.decisionId)).rejects.toThrow(RangeError);
    const log = await r.auditLog();
    expect(log.map((entry) => entry.kind)).toEqual(['compare', 'undo']);
    expect(log[0]).toMatchObject({ decisionId: result.decisionId, outcome: 'a', annotator: 'ana', probability: before });
    expect(await r.verifyLog()).toMatchObject({ ok: true, entries: 2 });
  });

  test('a reload keeps the comparisons; another tab sees them and adds its own', async () => {
    const name = uniqueName('reload');
    const first = await createRanker({ name, autoTrain: false });
    await first.compare(replies[0]!, replies[2]!, 'a');
    await first.compare(replies[3]!, replies[2]!, 'a');
    const p = await first.probability(replies[0]!, replies[2]!);
    // Its last handle closing ends the session: the next handle opens a fresh one that reads IndexedDB.
    await first.close();
    const again = await ranker({ name });
    expect((await again.stats()).comparisons).toBe(2);
    expect(await again.probability(replies[0]!, replies[2]!)).toBeCloseTo(p, 6);

    // A second engine in this page's own thread stands in for another tab: its own connection and channel.
    const other = new Engine();
    const spec = { name, input: 'text' as const, storage: 'indexeddb' as const };
    const opened = await other.ranker('open', [spec, { backend: 'cpu', autoTrainDelayMs: 0, keepInputs: true }]);
    onCleanup(() => other.ranker('close', [opened.key, opened.handle]));
    expect(opened.comparisons).toBe(2);
    await other.ranker('compare', [rankerKey(spec), replies[1]!, replies[2]!, 'tie', {}]);
    await until(
      () => again.stats(),
      (stats) => stats.comparisons === 3,
      10_000,
    );
    expect((await again.stats()).ties).toBe(1);
    await again.compare(replies[3]!, replies[1]!, 'b');
    await until(
      () => other.ranker('stats', [rankerKey(spec)]),
      (stats) => stats.comparisons === 4,
      10_000,
    );
  });

  test('bad input is refused with an error naming what was expected, and nothing is stored', async () => {
    const name = uniqueName('bad');
    const r = await ranker({ name });
    await r.compare(replies[0]!, replies[1]!, 'b');
    await expect(r.compare(replies[0]!, replies[1]!, 'left' as never)).rejects.toThrow(/outcome must be one of 'a' \| 'b' \| 'tie'/);
    await expect(r.compare(replies[0]!, 42 as never, 'a')).rejects.toThrow(TypeError);
    await expect(r.compare(replies[0]!, replies[0]!, 'a')).rejects.toThrow(/two different items/);
    await expect(r.compare(replies[0]!, replies[1]!, 'a', { annotater: 'x' } as never)).rejects.toThrow(/annotator or predictionId/);
    await expect(r.selectPairs(replies, -1)).rejects.toThrow(RangeError);
    await expect(r.import(new Blob(['{"format":"something else"}']))).rejects.toThrow(/format must be 'hitl-classifier\/ranker'/);
    await expect(r.import(new Blob(['not json']))).rejects.toThrow(/not JSON/);
    await expect(createRanker({ name, input: 'audio' as never })).rejects.toThrow(RangeError);
    expect((await storedRankerRecords(name)).comparisons).toHaveLength(1);
    expect((await r.stats()).comparisons).toBe(1);

    const rows = await ranker({ input: 'features', storage: 'memory' });
    await rows.compare([1, 2, 3], [3, 2, 1], 'a');
    await expect(rows.compare([1, 2], [2, 1], 'a')).rejects.toThrow(/row of 3 numbers/);
    expect((await rows.stats()).comparisons).toBe(1);
  });

  test('export → import carries the comparisons and the model; a second import adds nothing', async () => {
    const source = await ranker();
    await source.compare(replies[0]!, replies[1]!, 'a', { annotator: 'ana' });
    await source.compare(replies[3]!, replies[2]!, 'a');
    await source.compare(replies[1]!, replies[2]!, 'tie');
    const file = await source.export();
    const target = await ranker();
    const imported = await target.import(file);
    expect(imported).toMatchObject({ comparisons: 3, logEntries: 3 });
    for (const [a, b] of [
      [0, 1],
      [3, 2],
      [0, 2],
    ] as const) {
      expect(await target.probability(replies[a]!, replies[b]!)).toBeCloseTo(await source.probability(replies[a]!, replies[b]!), 4);
    }
    expect((await target.import(file)).comparisons).toBe(0);
    expect((await target.stats()).comparisons).toBe(3);
    const log = await target.auditLog();
    expect(log.map((e) => e.kind)).toEqual(['compare', 'compare', 'compare', 'import', 'compare', 'compare', 'compare', 'import']);
    expect(await target.verifyLog()).toMatchObject({ ok: true });
  });
});

describe('a numeric ranker learning a hidden preference', () => {
  test('ranks held-out items by the hidden utility and reports held-out figures', async () => {
    const r = await ranker({ input: 'features', storage: 'memory' });
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const items = Array.from({ length: 40 }, () => [random(), random(), random(), random()]);
    const utility = (x: number[]) => 2 * x[0]! - x[1]! + 0.5 * x[2]!;
    const pool = items.slice(0, 30);
    // Before any comparison the model still asks about k distinct pairs (its row length taken from the pool).
    const cold = await r.selectPairs(pool, 4, { seed: 3 });
    expect(new Set(cold.map(([i, j]) => `${Math.min(i, j)}:${Math.max(i, j)}`)).size).toBe(4);
    for (let i = 0; i < 60; i++) {
      const [a, b] = [pool[(i * 7) % 30]!, pool[(i * 11 + 3) % 30]!];
      if (a === b) continue;
      await r.compare(a, b, utility(a) > utility(b) ? 'a' : 'b');
    }
    const trained = await r.train();
    expect(trained.l2).not.toBeNull();
    const held = items.slice(30);
    const order = (await r.rank(held)).map((item) => item.index);
    const truth = held
      .map((x, i) => [utility(x), i] as const)
      .sort((p, q) => q[0] - p[0])
      .map(([, i]) => i);
    let concordant = 0;
    let pairs = 0;
    for (let i = 0; i < order.length; i++)
      for (let j = i + 1; j < order.length; j++) {
        pairs += 1;
        if (truth.indexOf(order[i]!) < truth.indexOf(order[j]!)) concordant += 1;
      }
    expect(concordant / pairs).toBeGreaterThan(0.85);
    const stats = await r.stats();
    expect(stats.heldOutAgreement).toBeGreaterThan(0.8);
    expect(stats.intransitiveShare ?? 0).toBe(0);
    expect(stats.ece).not.toBeNull();
    // Pairs the model is surest of are not what it asks about: informative pairs are closer in score than random ones.
    const scores = (await r.scoreBatch(held)).map((s) => s.score);
    const gap = (pairs: [number, number][]) => pairs.reduce((sum, [i, j]) => sum + Math.abs(scores[i]! - scores[j]!), 0) / pairs.length;
    const informative = await r.selectPairs(held, 5, { seed: 1 });
    const random5 = await r.selectPairs(held, 5, { strategy: 'random', seed: 1 });
    expect(informative).toHaveLength(5);
    expect(gap(informative)).toBeLessThan(gap(random5));
  });
});
