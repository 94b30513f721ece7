import { deleteDB } from 'idb';
import { IndexedDbStore } from './indexeddb-store.js';
import { MemoryStore } from './memory-store.js';
import { databaseName } from './schema.js';
import type { ModelStore } from './store.js';

// Both stores for tests that must hold for each (real IndexedDB in Chromium): a new database per call, deleted by
// `closeStores` after the test.

const cleanups: (() => Promise<void>)[] = [];

/** Closes and deletes what the factories made; a test file calls it in afterEach. */
export async function closeStores(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export const STORE_FACTORIES: [string, () => ModelStore][] = [
  [
    'IndexedDbStore',
    () => {
      const name = `store-test-${crypto.randomUUID()}`;
      const store = new IndexedDbStore(name);
      cleanups.push(async () => {
        store.close();
        await deleteDB(databaseName(name));
      });
      return store;
    },
  ],
  ['MemoryStore', () => new MemoryStore()],
];
