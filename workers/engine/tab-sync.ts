import { TabCoordination, type TabChange } from '../coordination.js';
import { serialOf, type ModelMeta, type WeightsRecord } from '../storage/index.js';
import type { ModelSession } from './model-session.js';

/**
 * Keeps one stored model the same in every tab of the origin: what another tab stored is read back here, and work
 * that writes weights runs while no other tab does (memory models have no other tabs and skip all of it).
 */
export class TabSync {
  private coordination: TabCoordination | null = null;
  /** Changes read back from other tabs, one at a time. */
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly session: ModelSession) {}

  /** Starts listening to the other tabs of a stored model. */
  connect(name: string): void {
    this.coordination = new TabCoordination(name, (change) => void this.fromOtherTab(change));
  }

  /** Tells the other tabs about a change made here (they read it back from storage). */
  announce: ModelSession['emit'] = (event) => this.coordination?.announce(event);

  close(): void {
    this.coordination?.close();
  }

  /**
   * Runs `work` while no other tab trains or imports this model, after reading back what they saved: the
   * version this tab then saves is above every version any tab saved, and the labels they stored are included.
   */
  exclusive<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const coordination = this.coordination;
    if (!coordination) return work();
    return coordination.exclusive(async () => {
      await this.syncing;
      const { meta, weights } = await this.session.store.loadHead();
      // Labels renamed or removed in a tab whose message has not arrived yet: the memory's label numbers change too.
      if (this.relabelled(meta)) await this.readBack('labels-changed');
      else this.adopt(meta, weights);
      return work();
    }, signal);
  }

  /** Another tab stored a change: read it back, so this tab predicts, trains and versions from the same data. */
  fromOtherTab(change: TabChange): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.readBack(change))
      .catch((error: unknown) => console.warn('hitl-classifier: could not read back a change made in another tab', error));
    return this.syncing;
  }

  private async readBack(change: TabChange): Promise<void> {
    const { session } = this;
    if (change === 'model-updated') {
      const { meta, weights } = await session.store.loadHead();
      if (!this.relabelled(meta)) {
        this.adopt(meta, weights);
        return;
      }
    }
    await session.recorder.flush();
    const generation = session.generation;
    const loaded = await session.store.load();
    if (session.generation !== generation) return;
    if (change === 'reset') {
      // A training this tab runs from the examples that are gone must not save its result.
      session.generation += 1;
      session.training.stopRunning('The model was reset in another tab during training.');
      session.recorder.forgetRecent();
    }
    const labelsBefore = session.labels;
    const versionBefore = session.serving.modelVersion;
    this.adoptMeta(loaded.meta);
    if (!loaded.weights && session.serving.hasHead) session.dropHead();
    await session.hydrate({ ...loaded, meta: session.meta });
    this.quietly(() => {
      if (changedLabels(labelsBefore, session.labels)) session.emit({ type: 'labels-changed', key: session.key, labels: [...session.labels] });
      if (change === 'reset') session.emit({ type: 'reset', key: session.key });
      session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
      if (session.serving.modelVersion !== versionBefore)
        session.emit({ type: 'model-updated', key: session.key, modelVersion: session.serving.modelVersion });
      session.queue.emitSize();
    });
  }

  /** Takes the stored meta's labels and highest version, and the stored head when it was served after this one. */
  private adopt(meta: ModelMeta | undefined, weights: WeightsRecord | undefined): void {
    const { session } = this;
    const labelsBefore = session.labels.length;
    this.adoptMeta(meta);
    // By serial, not version: a rollback or a pin in another tab serves an older or the same version (model-versions).
    const newer = weights !== undefined && serialOf(weights) > serialOf(session.serving.record);
    if (newer) {
      session.serving.install(weights);
      // Its features may be another choice than this tab's (feature-choice.ts): the examples' views follow it.
      void session.featureChoice
        .follow(weights.shortGramShare ?? 0, weights.extra, weights.countScale)
        .catch((error: unknown) => console.warn('hitl-classifier: could not follow the features of another tab', error));
      session.meta = { ...session.meta, maxVersion: Math.max(session.meta.maxVersion, weights.version) };
    }
    this.quietly(() => {
      if (session.labels.length !== labelsBefore) session.emit({ type: 'labels-changed', key: session.key, labels: [...session.labels] });
      if (newer) session.emit({ type: 'model-updated', key: session.key, modelVersion: session.serving.modelVersion });
    });
  }

  /** True when the stored labels were renamed or removed since this tab read them (ModelMeta.labelsRevision). */
  private relabelled(stored: ModelMeta | undefined): boolean {
    return (stored?.labelsRevision ?? 0) > (this.session.meta.labelsRevision ?? 0);
  }

  private adoptMeta(stored: ModelMeta | undefined): void {
    if (!stored) return;
    const { session } = this;
    if (this.relabelled(stored)) {
      // The stored meta as it is, labels in its order: the caller hydrates the memory under them. The label check's
      // rows name the old labels, so it starts over with the next training.
      session.meta = {
        ...stored,
        labels: [...stored.labels],
        featureDim: session.meta.featureDim ?? stored.featureDim,
        maxVersion: Math.max(session.meta.maxVersion, stored.maxVersion),
      };
      session.labelCheck.forget();
      return;
    }
    const added = stored.labels.filter((label) => !session.labels.includes(label));
    session.meta = {
      ...session.meta,
      labels: [...session.labels, ...added],
      featureDim: session.meta.featureDim ?? stored.featureDim,
      maxVersion: Math.max(session.meta.maxVersion, stored.maxVersion),
      ...(stored.featureChoice ? { featureChoice: stored.featureChoice } : {}),
    };
    if (added.length > 0) session.serving.reinstall();
  }

  /** Emits events read back from another tab to this page only: that tab announced them already. */
  private quietly(emit: () => void): void {
    if (this.coordination) this.coordination.quietly(emit);
    else emit();
  }
}

function changedLabels(before: readonly string[], after: readonly string[]): boolean {
  return before.length !== after.length || before.some((label, i) => after[i] !== label);
}
