import type { RawPrediction } from '../../src/protocol.js';
import type { Vector } from '../featurizers/vector.js';
import { inputId } from '../audit/input-id.js';
import type { LogRecord, QueueRecord, StoredInput } from '../storage/index.js';
import { SPOT_CHECK_DETAIL } from './auto-accept.js';
import { AUTO_ACCEPTED_DETAIL } from '../audit/human-time.js';
import type { ModelSession } from './model-session.js';

/** Predictions remembered so a later `label(…, { predictionId })` can log what the person was shown. */
const RECENT_PREDICTIONS = 10_000;
/**
 * Inputs remembered as shown, per model version: a page that predicts again what it already showed (every tag does
 * after each change) logs it once. Past this many the oldest are forgotten, and at worst an input is logged twice.
 */
const SHOWN_KEYS = 50_000;

/** A prediction answered but not yet written: the log and queue writes happen after the answer, in batches. */
export interface PendingPrediction {
  prediction: RawPrediction;
  input: StoredInput;
  vector: Vector;
  shown: boolean;
  queue: boolean;
  /** Let through without review (threshold or auto-accept): marked in the log for quality().humanTime. */
  autoAccepted?: boolean;
}

/**
 * Write-behind for the predict path: what was shown goes to the log and what needs review to the queue, a macrotask
 * after the answer and in one transaction for every prediction until then. Every read of the log or queue awaits
 * `flush()` first, so reads see them.
 */
export class PredictionRecorder {
  private readonly recent = new Map<string, RawPrediction>();
  /** `inputId:modelVersion` of predictions already in the log as shown to a person. */
  private readonly shown = new Set<string>();
  private pending: PendingPrediction[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly session: ModelSession) {}

  remember(prediction: RawPrediction): void {
    this.recent.set(prediction.id, prediction);
    if (this.recent.size > RECENT_PREDICTIONS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Stages predictions to be written, and schedules the write after the answer is posted. */
  stage(items: PendingPrediction[]): void {
    if (items.length === 0) return;
    this.pending.push(...items);
    this.timer ??= setTimeout(() => void this.flush(), 0);
  }

  /** Writes what is pending; resolves once it (and every earlier write) is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.pending.splice(0);
    if (items.length === 0) return this.flushing;
    const { session } = this;
    const generation = session.generation;
    const run = this.flushing.then(async () => {
      const ids = await Promise.all(items.map((item) => inputId(session.spec.input, item.input)));
      if (session.generation !== generation) return; // reset since: these predictions belong to a model that is gone
      const log: LogRecord[] = [];
      const queue: QueueRecord[] = [];
      let added = false;
      items.forEach((item, i) => {
        const id = ids[i]!;
        const { prediction } = item;
        if (item.shown && this.markShown(id, prediction.modelVersion)) {
          const record: LogRecord = {
            kind: 'prediction',
            time: Date.now(),
            exampleId: id,
            predictionId: prediction.id,
            predicted: { label: prediction.label, confidence: prediction.confidence, modelVersion: prediction.modelVersion },
            modelVersion: prediction.modelVersion,
          };
          const input = session.handles.logInput(item.input);
          if (input !== undefined) record.input = input;
          // The mark that makes a person's answer to it evidence for auto-accept, after a reload too.
          if (prediction.spotCheck) record.detail = SPOT_CHECK_DETAIL;
          else if (item.autoAccepted) record.detail = AUTO_ACCEPTED_DETAIL;
          log.push(record);
        }
        // An input a person already labelled is decided; predicting it again does not make it pending.
        if (item.queue && !session.examples.has(id)) {
          const staged = session.queue.stage(id, prediction, item.input, item.vector);
          added ||= staged.added;
          queue.push(staged.record);
        }
      });
      const evict = session.queue.evictOverflow();
      const kept = evict.length > 0 ? queue.filter((record) => session.queue.entry(record.id) !== undefined) : queue;
      await session.store.record(log, kept, evict);
      if (added) session.queue.emitSize();
      if (log.length > 0) session.drift.poke();
    });
    this.flushing = run.catch((error: unknown) => console.warn('hitl-classifier: could not write the prediction log or queue', error));
    return this.flushing;
  }

  /** True the first time an input is shown under a model version: only then is it a new thing a person saw. */
  private markShown(id: string, modelVersion: number): boolean {
    const key = `${id}:${modelVersion}`;
    if (this.shown.has(key)) return false;
    this.shown.add(key);
    if (this.shown.size > SHOWN_KEYS) this.shown.delete(this.shown.values().next().value!);
    return true;
  }

  /** Remembers what the stored log already says was shown (after a reload), newest last. */
  rememberShown(records: readonly LogRecord[]): void {
    for (const record of records) {
      if (record.kind === 'prediction' && record.predicted) this.markShown(record.exampleId, record.predicted.modelVersion);
    }
  }

  /** What the person was shown before deciding: the prediction they name, else the queued one for this input. */
  async shownBefore(id: string, predictionId: string | undefined): Promise<RawPrediction | LogRecord['predicted'] | undefined> {
    if (predictionId !== undefined) {
      const recent = this.recent.get(predictionId);
      if (recent) return recent;
      // After a reload the memory of recent predictions is gone, but a shown one is in the log.
      const logged = await this.session.store.findPrediction(predictionId);
      if (logged?.predicted) return logged.predicted;
    }
    return this.session.queue.entry(id)?.record.prediction;
  }

  /** Forgets recent predictions (a reset here or in another tab): they belong to a model that is gone. */
  forgetRecent(): void {
    this.recent.clear();
    this.shown.clear();
  }

  /** Drops what is pending without writing it and waits for a write in progress (a reset). */
  async discard(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    await this.flushing;
  }
}
