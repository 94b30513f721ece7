import { openDB } from 'idb';
import { afterAll, beforeAll } from 'vitest';
import { createRanker, type Ranker, type RankerOptions } from '../src/ranker-entry.js';
import { onCleanup, uniqueName } from './helpers.js';

// What the ranker test files share: one worker kept for a whole file, a fresh ranker per test, the stores as they are
// on disk, and a few support replies to compare.

/**
 * One ranker open for the whole file keeps one worker for every test (each start costs seconds); a ranker closed and
 * made again still reads its comparisons back from IndexedDB, its session having ended with its last handle.
 */
export function keepRankerWorker(): void {
  let keeper: Ranker;
  beforeAll(async () => {
    keeper = await createRanker({ name: uniqueName('keeper'), storage: 'memory', autoTrain: false });
  });
  afterAll(() => keeper.close());
}

/** A fresh ranker for one test (closed after it), trained only when the test says so. */
export async function ranker(options: Partial<RankerOptions> = {}): Promise<Ranker> {
  const made = await createRanker({ name: uniqueName('ranker'), autoTrain: false, ...options });
  onCleanup(() => made.close());
  return made;
}

/** Every record of the ranker's stores as a person with devtools sees them: proof of what is really on disk. */
export async function storedRankerRecords(name: string): Promise<{ comparisons: Record<string, unknown>[]; log: Record<string, unknown>[] }> {
  const db = await openDB(`hitl-classifier:${name}`);
  try {
    return {
      comparisons: (await db.getAll('comparisons' as never)) as Record<string, unknown>[],
      log: (await db.getAll('rankerLog' as never)) as Record<string, unknown>[],
    };
  } finally {
    db.close();
  }
}

export const replies = [
  'Thanks for writing in! I have refunded the charge; it will show on your card within 3 days.',
  'Refund done.',
  'We cannot help with that.',
  'Sorry about the trouble. I reset your password and sent a link to your e-mail; tell me if it does not arrive.',
];
