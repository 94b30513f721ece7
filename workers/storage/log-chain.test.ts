import { afterEach, describe, expect, test } from 'vitest';
import { GENESIS, chainHash, verifyChain } from './log-chain.js';
import { toLogEntry } from './log-entry.js';
import { MemoryStore } from './memory-store.js';
import type { LogEntry } from '../../src/protocol.js';
import type { LogRecord, ModelMeta } from './records.js';
import { sha256, toHex } from './sha256.js';
import type { ModelStore } from './store.js';
import { closeStores, STORE_FACTORIES } from './test-stores.js';

// The audit log's hash chain, the same against both stores: appends chain, reset and retention leave a chain that
// still verifies, and a removal nobody logged does not.

const META: ModelMeta = { name: 'chain', labels: ['a', 'b'], input: 'text', featureDim: null, maxVersion: 0, createdAt: 1 };

function shown(i: number, time: number): LogRecord {
  return {
    kind: 'prediction',
    time,
    exampleId: `input-${i}`,
    predictionId: `p-${i}`,
    predicted: { label: 'a', confidence: 0.5 + i / 100, modelVersion: 1 },
    modelVersion: 1,
    input: `text ${i}`,
  };
}

async function verify(store: ModelStore) {
  return verifyChain((await store.readLog()).map(toLogEntry));
}

test('the synchronous SHA-256 that seals entries agrees with SubtleCrypto', async () => {
  const encoder = new TextEncoder();
  for (const text of ['', 'abc', 'a'.repeat(55), 'b'.repeat(56), 'c'.repeat(64), 'é✓'.repeat(1000)]) {
    const bytes = encoder.encode(text);
    const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    expect(toHex(sha256(bytes))).toBe(toHex(expected));
  }
});

test('an entry hashes to the bytes logs were sealed with before (canonical form unchanged)', () => {
  // Hashes computed with the first canonical form (Object.entries, filter, sort, map, join) outside this code base:
  // stored logs verify only while the same content gives the same bytes.
  const prev = 'ab'.repeat(32);
  const decision: LogEntry = {
    ...{ id: 7, kind: 'decision', time: 1733300000000, inputHash: 't-0123', input: 'Grüße, "quoted"\nline ✓', modelVersion: 3 },
    ...{ predicted: 'spam', confidence: 0.8125, human: 'ham', action: 'correct', annotator: 'ann', predictionId: 'p-1', decisionId: 'd-1' },
    durationMs: 1520,
  };
  const numbers: LogEntry = {
    id: 8,
    kind: 'decision',
    time: 1,
    inputHash: 'f-9',
    input: [0.5, -1, 3e-7],
    modelVersion: 0,
    predicted: null,
    confidence: 0,
  };
  const retention: LogEntry = {
    ...{ id: 9, kind: 'retention', time: 2, inputHash: '', modelVersion: 0, predicted: null, confidence: 0, detail: 'retention: 3 removed' },
    cuts: [{ resume: 12, prev: 'cd'.repeat(32) }],
  };
  expect(chainHash(prev, decision)).toBe('a42c9c8a7239b89226d410fdd08fd584da296221371986f41932ed8240a30857');
  expect(chainHash(prev, { ...numbers, detail: undefined } as LogEntry)).toBe('ea6a41a1a2720cb6442c161ff5282238e615f2e539e9a0388f3d3b05594ce7d1');
  expect(chainHash(prev, retention)).toBe('979770c90db5be6b7feca4786d58f2a91126dd39014c6a1ffeb363c3ab63455f');
});

afterEach(closeStores);

describe.each(STORE_FACTORIES)('%s', (_name, make) => {
  test('every append links to the entry before it, and the chain verifies', async () => {
    const store = make();
    await store.saveMeta(META);
    await store.record([shown(1, 10), shown(2, 11)], []);
    await store.record([shown(3, 12)], []);
    const log = await store.readLog();
    expect(log.map((r) => r.prev)).toEqual([GENESIS, log[0]!.hash, log[1]!.hash]);
    expect(log.every((r) => /^[0-9a-f]{64}$/.test(r.hash!))).toBe(true);
    expect(await verify(store)).toEqual({ ok: true, entries: 3, firstBadEntry: null, head: log[2]!.hash });
  });

  test('reset leaves one entry that starts a new chain and names where the old one ended', async () => {
    const store = make();
    await store.saveMeta(META);
    await store.record([shown(1, 10), shown(2, 11)], []);
    const before = await store.readLog();
    await store.clear(META);
    const log = await store.readLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ kind: 'reset', prev: GENESIS });
    expect(log[0]!.detail).toContain(`2 log entries removed; the log before ended at ${before[1]!.hash}`);
    await store.record([shown(3, Date.now())], []);
    expect((await verify(store)).ok).toBe(true);
  });

  test('retention records its cuts, so what remains verifies; a gap nobody recorded does not', async () => {
    const store = make();
    await store.saveMeta(META);
    // Entry 3 has an old time (as an imported entry keeps its own): retention cuts the chain in the middle too.
    await store.record([shown(1, 10), shown(2, 11), shown(3, 5), shown(4, 2_000), shown(5, 2_001)], []);
    const removed = await store.purgeBefore(1_000);
    expect(removed.log).toBe(3);
    const log = await store.readLog();
    expect(log.map((r) => r.kind)).toEqual(['prediction', 'prediction', 'retention']);
    expect(log[2]!.cuts).toEqual([{ resume: log[0]!.id, prev: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect((await verify(store)).ok).toBe(true);

    // The same chain with entry 4 gone and no retention entry saying so.
    const entries = log.map(toLogEntry);
    const result = await verifyChain([entries[0]!, entries[2]!]);
    expect(result).toMatchObject({ ok: false, firstBadEntry: entries[2]!.id });
  });

  test('entries written before the chain existed are sealed in id order, then verify', async () => {
    const store = make();
    await store.saveMeta(META);
    await store.record([shown(1, 10), shown(2, 11)], []);
    expect((await verify(store)).ok).toBe(true);
    await store.sealLog();
    expect((await verify(store)).ok).toBe(true);
  });
});

test('verification names the first entry that was edited, removed or moved', async () => {
  const store = new MemoryStore();
  await store.saveMeta(META);
  await store.record(
    [1, 2, 3, 4].map((i) => shown(i, 10 + i)),
    [],
  );
  const entries = (await store.readLog()).map(toLogEntry);
  expect((await verifyChain(entries)).ok).toBe(true);

  const edited = entries.map((e) => ({ ...e }));
  edited[1]!.predicted = 'b';
  expect(await verifyChain(edited)).toMatchObject({ ok: false, firstBadEntry: entries[1]!.id });

  const removed = entries.filter((_, i) => i !== 1);
  expect(await verifyChain(removed)).toMatchObject({ ok: false, firstBadEntry: entries[2]!.id });

  // Contents swapped between two ids, as a reordering inside the store would leave them.
  const moved = entries.map((e) => ({ ...e }));
  moved[1] = { ...entries[2]!, id: entries[1]!.id };
  moved[2] = { ...entries[1]!, id: entries[2]!.id };
  expect(await verifyChain(moved)).toMatchObject({ ok: false, firstBadEntry: entries[1]!.id });
});
