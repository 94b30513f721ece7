// Issue 7: a large text batch over a large memory is shared with a second worker (workers/lookup-helper.ts). Its
// answers must be exactly one worker's, follow every label given before the batch, and survive the helper failing.
import { afterEach, expect, test, vi } from 'vitest';
import { madeUpTexts } from './made-up-texts.js';
import type { RawPrediction } from '../src/protocol.js';
import { Engine } from '../workers/engine/engine.js';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { HELPER_MIN_BATCH, HELPER_MIN_EXAMPLES, LookupHelper } from '../workers/lookup-helper.js';
import { ExampleMemory, NEAR_DUPLICATE } from '../workers/memory/example-memory.js';
import { Similarity } from '../workers/memory/similarity.js';
import { onCleanup, runCleanups } from './helpers.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await runCleanups();
});

const flip = (label: string) => (label === 'a' ? 'b' : 'a');

async function openLarge(): Promise<{
  engine: Engine;
  key: string;
  labelled: { text: string; label: string }[];
  more: (label: 'a' | 'b') => string;
}> {
  const engine = new Engine();
  const { key, handle } = await engine.open(
    { name: `lookups-${crypto.randomUUID()}`, labels: ['a', 'b'], input: 'text', storage: 'memory' },
    { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
  );
  onCleanup(() => engine.close(key, handle));
  const { random, text } = madeUpTexts(7);
  const labelled = Array.from({ length: HELPER_MIN_EXAMPLES + 100 }, () => {
    const label = random() < 0.5 ? 'a' : 'b';
    // One label in twenty goes against the words: only the memory, not the head, can give those back.
    return { text: text(label), label: random() < 0.05 ? flip(label) : label };
  });
  for (const { text: t, label } of labelled) await engine.label(key, t, label, {});
  await engine.train(key, 'first');
  return { engine, key, labelled, more: text };
}

/** Each input alone: a batch of one is below HELPER_MIN_BATCH, so this worker answers it by itself. */
async function oneByOne(engine: Engine, key: string, texts: string[]): Promise<RawPrediction[]> {
  const out: RawPrediction[] = [];
  for (const t of texts) out.push(...(await engine.predict(key, [t])));
  return out;
}

const answers = (predictions: RawPrediction[]) =>
  predictions.map(({ label, confidence, scores, modelVersion }) => ({ label, confidence, scores, modelVersion }));

/** Predicts `texts` as one batch until the helper has taken a share of one (it loads the memory in the background). */
async function sharedBatch(engine: Engine, key: string, texts: string[], lookup: { mock: { calls: unknown[] } }): Promise<RawPrediction[]> {
  const end = performance.now() + 30_000;
  for (;;) {
    const before = lookup.mock.calls.length;
    const predictions = await engine.predict(key, texts);
    if (lookup.mock.calls.length > before) return predictions;
    if (performance.now() > end) throw new Error('The lookup helper never took a share of a batch.');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a large batch shared with the lookup helper gets exactly the answers each input gets alone', async () => {
  const lookup = vi.spyOn(LookupHelper.prototype, 'lookup');
  const { engine, key, labelled, more } = await openLarge();
  const against = labelled.filter((_, i) => i % 20 === 0);
  // Fresh texts, copies of labelled ones, and near-duplicates (a word dropped) of the ones labelled against their
  // words, spread over the batch.
  const texts = [...Array.from({ length: 300 }, (_, i) => more(i % 2 ? 'a' : 'b')), ...labelled.slice(0, 50).map((l) => l.text)];
  against.forEach((l, i) => texts.splice((i * 7) % texts.length, 0, l.text, l.text.split(' ').slice(0, -1).join(' ')));
  // The helper always takes the last block: these are answered there.
  texts.push(...against.slice(0, 5).map((l) => l.text));
  expect(texts.length).toBeGreaterThan(HELPER_MIN_BATCH);

  await sharedBatch(engine, key, texts, lookup);
  const calls = lookup.mock.calls.length;
  const ownLookups = vi.spyOn(ExampleMemory.prototype, 'nearest');
  const batch = await engine.predict(key, texts);
  // The helper took blocks of the batch; this worker looked up only the rest.
  const shared = lookup.mock.calls.slice(calls).reduce((sum, [block]) => sum + block.length, 0);
  expect(shared).toBeGreaterThan(texts.length / 4);
  expect(ownLookups).toHaveBeenCalledTimes(texts.length - shared);
  ownLookups.mockRestore();
  expect(answers(batch)).toEqual(answers(await oneByOne(engine, key, texts)));
  const copies = texts.map((t, i) => [t, i] as const).filter(([t]) => against.some((l) => l.text === t));
  for (const [t, i] of copies) expect(batch[i]!.label).toBe(against.find((l) => l.text === t)!.label);
});

test('labels given and undone just before a batch are followed in the helper share too', async () => {
  const lookup = vi.spyOn(LookupHelper.prototype, 'lookup');
  const { engine, key, more } = await openLarge();
  const fresh = Array.from({ length: 200 }, (_, i) => more(i % 2 ? 'a' : 'b'));
  const before = await sharedBatch(engine, key, fresh, lookup);
  // Corrections of the batch's last inputs, which the helper answers: each must flip at once.
  const corrected = fresh.slice(-20);
  const decisions = [];
  for (const [i, t] of corrected.entries()) decisions.push(await engine.label(key, t, flip(before[fresh.length - 20 + i]!.label!), {}));
  let calls = lookup.mock.calls.length;
  const after = await engine.predict(key, fresh);
  expect(lookup.mock.calls.length).toBeGreaterThan(calls);
  calls = lookup.mock.calls.length;
  corrected.forEach((_, i) => expect(after[fresh.length - 20 + i]!.label).toBe(flip(before[fresh.length - 20 + i]!.label!)));
  expect(answers(after)).toEqual(answers(await oneByOne(engine, key, fresh)));
  // Undone, the examples leave the helper's copy as well.
  for (const { decisionId } of decisions) await engine.undo(key, decisionId);
  const undone = await engine.predict(key, fresh);
  expect(lookup.mock.calls.length).toBeGreaterThan(calls);
  expect(answers(undone)).toEqual(answers(await oneByOne(engine, key, fresh)));
  corrected.forEach((_, i) => expect(undone[fresh.length - 20 + i]!.label).toBe(before[fresh.length - 20 + i]!.label));
});

test('when the helper fails a lookup, the engine answers the whole batch itself, with the same answers', async () => {
  const lookup = vi.spyOn(LookupHelper.prototype, 'lookup');
  const { engine, key, more } = await openLarge();
  const texts = Array.from({ length: 200 }, (_, i) => more(i % 2 ? 'a' : 'b'));
  const shared = await sharedBatch(engine, key, texts, lookup);
  lookup.mockRejectedValueOnce(new Error('The lookup helper worker failed: out of memory'));
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const alone = await engine.predict(key, texts);
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('finished on one core'), expect.any(Error));
  expect(answers(alone)).toEqual(answers(shared));
});

function memoryOf(count: number): { memory: ExampleMemory; texts: string[] } {
  const memory = new ExampleMemory(
    new Similarity(
      'cosine',
      () => TEXT_DIM,
      () => null,
    ),
  );
  const { text } = madeUpTexts(3);
  const texts = Array.from({ length: count }, (_, i) => text(i % 2 ? 'b' : 'a'));
  texts.forEach((t, i) => memory.upsert(String(i), i % 2, featurizeText(t), i));
  return { memory, texts };
}

const scriptWorker = (source: string) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));

test('a helper that stops answering is ended after its timeout: the lookup rejects, and the memory stops feeding it', async () => {
  const { memory } = memoryOf(50);
  // Loads, then never answers a lookup.
  const worker = scriptWorker(`onmessage = (e) => { if (e.data.type === 'load') postMessage({ type: 'ready' }); };`);
  const helper = new LookupHelper(memory, { worker, timeoutMs: () => 300 });
  await vi.waitFor(() => expect(helper.usable).toBe(true));
  await expect(helper.lookup(['some text'], 2, NEAR_DUPLICATE.text)).rejects.toThrow(/did not answer 1 lookups in time/);
  expect(helper.failed).toBe(true);
  expect(helper.usable).toBe(false);
  // The memory goes on by itself; a later lookup fails at once rather than waiting again.
  memory.upsert('new', 0, featurizeText('a new example'), 99);
  await expect(helper.lookup(['x'], 2, NEAR_DUPLICATE.text)).rejects.toThrow(/in time/);
});

test('a helper whose script fails to start rejects its lookups instead of leaving them pending', async () => {
  const worker = scriptWorker(`throw new Error('boom');`);
  const helper = new LookupHelper(memoryOf(10).memory, { worker, timeoutMs: () => 60_000 });
  const pending = helper.lookup(['some text'], 2, NEAR_DUPLICATE.text);
  await expect(pending).rejects.toThrow(/lookup helper worker failed/);
  expect(helper.failed).toBe(true);
});

test('the real helper gives exactly the memory’s own answers, for texts with and without near-duplicates', async () => {
  const { memory, texts: stored } = memoryOf(300);
  const helper = new LookupHelper(memory);
  onCleanup(() => helper.dispose());
  await vi.waitFor(() => expect(helper.usable).toBe(true), { timeout: 10_000 });
  const { text } = madeUpTexts(3);
  const same = async (texts: string[]) => {
    const { vectors, nearest } = await helper.lookup(texts, 2, NEAR_DUPLICATE.text);
    texts.forEach((t, i) => {
      expect(vectors[i]).toEqual(featurizeText(t));
      const own = memory.nearest(featurizeText(t), 2, NEAR_DUPLICATE.text);
      expect(nearest[i]!.top).toBe(own.top);
      expect(Array.from(nearest[i]!.perClass)).toEqual(Array.from(own.perClass));
    });
    return nearest;
  };
  // Fresh texts (no near-duplicate: −∞), stored ones (1), and stored ones with their last word dropped.
  const probes = [...Array.from({ length: 30 }, (_, i) => text(i % 2 ? 'a' : 'b')), ...stored.slice(0, 20)];
  probes.push(...stored.slice(20, 40).map((t) => t.split(' ').slice(0, -1).join(' ')));
  const found = await same(probes);
  expect(found.filter((f) => f.top > NEAR_DUPLICATE.text).length).toBeGreaterThanOrEqual(20);
  expect(found.filter((f) => f.top === -Infinity).length).toBeGreaterThan(0);
  // Changes reach the copy before a lookup sent after them: an example relabelled, one removed, one added.
  memory.upsert('0', 1, featurizeText(stored[0]!), 1_000);
  memory.remove('1');
  memory.upsert('new', 0, featurizeText('a text nobody stored before'), 1_001);
  const [relabelled, removed, added] = await same([stored[0]!, stored[1]!, 'a text nobody stored before']);
  expect(relabelled!.perClass[1]).toBeGreaterThan(0.999);
  expect(removed!.top).toBeLessThan(0.999);
  expect(added!.perClass[0]).toBeGreaterThan(0.999);
});
