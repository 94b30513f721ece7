import type { ModelVersion, VersionChange } from '../../src/protocol.js';
import { assertVersionNumber, type LogRecord, type ServeChange, type WeightsRecord } from '../storage/index.js';
import { abortError } from './errors.js';
import type { ModelSession } from './model-session.js';

/**
 * The kept versions of a model's trained head (model versions): listing them, serving an older one (rollback) and
 * pinning one. A change of the served head is one store transaction with its log entry, run in the chain of
 * training runs and under the other tabs' lock, so no training of any tab saves a head in between; the other tabs
 * follow it by the head's serial (tab-sync.ts). Auto-accept's evidence is kept per version id, and a version's
 * weights never change under its id, so the evidence gathered on a version counts again when it serves again.
 */
export class ModelVersions {
  constructor(private readonly session: ModelSession) {}

  async list(): Promise<ModelVersion[]> {
    const served = this.session.serving.record;
    return (await this.session.store.versions()).map(({ version, weights, metrics }) => ({
      version,
      trainedAt: weights.savedAt,
      serving: served?.version === version,
      pinned: served?.version === version && served.pinned === true,
      metrics,
    }));
  }

  rollback(version: unknown): Promise<VersionChange> {
    assertVersionNumber(version, 'rollback(version)');
    return this.serve({ version });
  }

  pin(version: unknown): Promise<VersionChange> {
    if (version === null) return this.serve({ version: null, pinned: false });
    assertVersionNumber(version, 'pin(version | null)');
    return this.serve({ version, pinned: true });
  }

  private serve(change: ServeChange): Promise<VersionChange> {
    const { session } = this;
    return session.training.serialized(async () => {
      const generation = session.generation;
      const served = await session.store.serveVersion(change, (before, after) => this.logEntry(change, before, after));
      // Reset while the transaction ran: what it served is gone with the rest.
      if (session.generation !== generation) throw abortError('The model was reset during the version change.');
      this.install(served);
      session.emit({ type: 'model-updated', key: session.key, modelVersion: session.serving.modelVersion });
      return { modelVersion: served.version, pinned: served.pinned ? served.version : null };
    });
  }

  /** Serves `head` here, its features followed as when another tab's head is adopted. */
  private install(head: WeightsRecord): void {
    const { session } = this;
    session.serving.install(head);
    void session.featureChoice
      .follow(head.shortGramShare ?? 0, head.extra, head.countScale)
      .catch((error: unknown) => console.warn('hitl-classifier: could not follow the features of a model version', error));
  }

  private logEntry(change: ServeChange, before: WeightsRecord | undefined, after: WeightsRecord): LogRecord {
    const from = before?.version ?? 0;
    const what =
      change.version === null
        ? `unpinned version ${after.version}`
        : change.pinned
          ? `pinned version ${after.version}${from !== after.version ? ` (served instead of version ${from})` : ''}`
          : `rolled back from version ${from} to version ${after.version}${after.pinned ? ' (pinned)' : ''}`;
    return { kind: 'model', time: Date.now(), exampleId: '', modelVersion: after.version, detail: what };
  }
}
