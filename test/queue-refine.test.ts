// Issue 22: a review queue of many items, all made stale by a label, is not re-predicted through the memory in full
// before a listing: the head answers for every item, the memory refines the most uncertain only (as selectForReview
// does for a pool), and the listing is the one a full re-prediction would rank.
import { afterEach, expect, test, vi } from 'vitest';
import { madeUpTexts } from './made-up-texts.js';
import { Engine } from '../workers/engine/engine.js';
import { VOTE_MAX_EXAMPLES } from '../workers/engine/policy.js';
import { ExampleMemory } from '../workers/memory/example-memory.js';
import { refineCount } from '../workers/review.js';
import { onCleanup, runCleanups } from './helpers.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await runCleanups();
});

test('a stale queue of 400 is refined by the memory for its most uncertain items only, and lists what selectForReview picks', async () => {
  const engine = new Engine();
  const { key, handle } = await engine.open(
    { name: `queue-refine-${crypto.randomUUID()}`, labels: ['a', 'b'], input: 'text', storage: 'memory' },
    { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
  );
  onCleanup(() => engine.close(key, handle));
  const { random, text } = madeUpTexts(22);
  // Past VOTE_MAX_EXAMPLES the answer is the head's, with the memory only near a labelled example: the case where
  // the head alone can rank a pool before the memory refines it.
  for (let i = 0; i <= VOTE_MAX_EXAMPLES + 50; i++) {
    const label = random() < 0.5 ? 'a' : 'b';
    await engine.label(key, text(label), label, {});
  }
  await engine.train(key, 'first');
  const pool = Array.from({ length: 400 }, () => text(random() < 0.5 ? 'a' : 'b'));
  expect(await engine.enqueue(key, pool)).toBe(pool.length);
  // A label and no retrain: every queued answer is stale, and only the memory knows of the label. A near-copy of a
  // queued text, so that one of the answers the listing gives must come from the memory.
  await engine.label(key, `${pool[0]!} ${pool[0]!.split(' ')[0]!}`, 'b', {});

  const lookups = vi.spyOn(ExampleMemory.prototype, 'nearest');
  const listed = await engine.queue(key, 10);
  // Each refined item is looked up once; the other stale ones not at all.
  expect(lookups.mock.calls.length).toBe(refineCount(pool.length, 10));
  lookups.mockRestore();

  const picked = await engine.selectForReview(key, pool, 10, undefined, 0);
  expect(listed.map((item) => item.input)).toEqual(picked.map((i) => pool[i]));
  for (const item of listed) {
    const [fresh] = await engine.predict(key, [item.input as string]);
    expect(item.prediction.label).toBe(fresh!.label);
    expect(item.prediction.confidence).toBeCloseTo(fresh!.confidence, 6);
  }
  // The near-copy's answer, wherever it ranks now, follows the label at the next listing of the whole queue.
  const all = await engine.queue(key, pool.length);
  expect(all.find((item) => item.input === pool[0])?.prediction.label).toBe('b');
}, 120_000);
