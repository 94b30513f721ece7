import { openDB, type IDBPDatabase } from 'idb';
import { databaseName, SCHEMA_VERSION, STORES, upgradeSchema, type HitlDB } from './schema.js';
import { QUOTA_MESSAGE, StorageUnavailableError, type StorageProblem } from './store.js';

/** How long an open waits for an older connection in another tab that does not close before giving up on storage. */
export const BLOCKED_TIMEOUT_MS = 5_000;

export interface IndexedDbStoreOptions {
  /** Told about a full disk (each time a write fails for it), so pages can say what to do. */
  onProblem?: (problem: StorageProblem) => void;
  /** How long to wait for another tab's old connection to close before giving up on storage. */
  blockedTimeoutMs?: number;
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

/**
 * The connection to one model's database (databaseName): opened, created or upgraded on first use, reopened when
 * another tab's upgrade or the browser closes it under an operation, and where a full disk is noticed and told once
 * per spell. The store (indexeddb-store.ts) runs every operation through it.
 */
export class IdbConnection {
  private db: Promise<IDBPDatabase<HitlDB>> | null = null;
  private readonly onProblem: ((problem: StorageProblem) => void) | undefined;
  private readonly blockedTimeoutMs: number;
  /** Set while writes fail for a full disk, so the problem is reported once per spell, not once per write. */
  private full = false;

  constructor(
    private readonly name: string,
    options: IndexedDbStoreOptions = {},
  ) {
    this.onProblem = options.onProblem;
    this.blockedTimeoutMs = options.blockedTimeoutMs ?? BLOCKED_TIMEOUT_MS;
  }

  /** Opens (creating or upgrading) the database now: rejects with StorageUnavailableError when it cannot be used. */
  async probe(): Promise<void> {
    await this.open();
  }

  private open(): Promise<IDBPDatabase<HitlDB>> {
    this.db ??= this.connect().catch((error: unknown) => {
      this.db = null;
      throw error;
    });
    return this.db;
  }

  private async connect(): Promise<IDBPDatabase<HitlDB>> {
    if (typeof indexedDB === 'undefined') throw new StorageUnavailableError('This browser offers no IndexedDB here.');
    try {
      return await this.openAt(SCHEMA_VERSION);
    } catch (error) {
      // Another tab runs a newer library that upgraded the database: its schema only adds, so open it as it is.
      if (!(error instanceof DOMException && error.name === 'VersionError')) throw this.unavailable(error);
      const db = await this.openAt(undefined).catch((again: unknown) => Promise.reject(this.unavailable(again)));
      const missing = STORES.filter((store) => !db.objectStoreNames.contains(store));
      if (missing.length > 0) {
        db.close();
        throw new StorageUnavailableError(`The database of model "${this.name}" (version ${db.version}) lacks the stores ${missing.join(', ')}.`);
      }
      return db;
    }
  }

  private unavailable(error: unknown): Error {
    if (error instanceof StorageUnavailableError) return error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new StorageUnavailableError(`The browser refused to open the database of model "${this.name}" (${reason}).`);
  }

  /** `version` undefined opens at whatever version exists. A blocked open waits, but not forever. */
  private openAt(version: number | undefined): Promise<IDBPDatabase<HitlDB>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    const opening = openDB<HitlDB>(databaseName(this.name), version, {
      upgrade(db, oldVersion, _newVersion, tx) {
        // Given up on (the model went on in memory): leave the database as the other tab has it.
        if (gaveUp) {
          tx.abort();
          return;
        }
        upgradeSchema(db, oldVersion, tx);
      },
      // Another tab keeps an older connection open and does not close it: wait a while, then work without storage.
      blocked: () => {
        timer ??= setTimeout(() => {
          gaveUp = true;
          rejectBlocked(
            new StorageUnavailableError(
              `Another tab keeps an older version of the database of model "${this.name}" open, so it cannot be upgraded. ` +
                'Close the other tabs of this site and reload.',
            ),
          );
        }, this.blockedTimeoutMs);
      },
      // Another tab wants a newer schema: get out of its way; the next call reopens.
      blocking: () => this.close(),
      terminated: () => {
        this.db = null;
      },
    });
    let rejectBlocked: (error: Error) => void = () => undefined;
    const blocked = new Promise<never>((_resolve, reject) => (rejectBlocked = reject));
    // An open given up on may still succeed later: close it then, or it would block the next upgrade in turn.
    void opening.then(
      (db) => gaveUp && db.close(),
      () => undefined,
    );
    return Promise.race([opening, blocked]).finally(() => clearTimeout(timer));
  }

  /**
   * Every operation goes through here: a connection closed under it (another tab upgraded the database, or the
   * browser terminated it) is reopened and the operation tried once more; a full disk becomes a QuotaExceededError
   * that says what to do, reported to the engine as well. `reads`: the operation writes nothing, so its success
   * says nothing about whether the disk has room again.
   */
  async run<T>(operation: (db: IDBPDatabase<HitlDB>) => Promise<T>, reads = false): Promise<T> {
    let result: T;
    try {
      try {
        result = await operation(await this.open());
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
        this.close();
        result = await operation(await this.open());
      }
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      // Told once per spell of full storage: a page that reacts by writing again must not hear of it in a loop.
      if (!this.full) this.onProblem?.({ kind: 'quota', message: QUOTA_MESSAGE });
      this.full = true;
      throw new DOMException(QUOTA_MESSAGE, 'QuotaExceededError');
    }
    if (!reads) this.full = false;
    return result;
  }

  close(): void {
    const db = this.db;
    this.db = null;
    void db?.then(
      (d) => d.close(),
      () => undefined,
    );
  }
}
