import type { TrainProgress, TrainResult } from '../../src/protocol.js';
import { activeBackend } from '../backend.js';
import { trainCalibrated, type CalibratedHead, type Calibration } from '../learning/calibrate.js';
import { breather } from '../learning/head.js';
import { fromZerosReason, trainWarm } from '../learning/warm-start.js';
import { RunningStats, standardize } from '../featurizers/features.js';
import { headRow, isSparse, type SparseVector, type Vector } from '../featurizers/vector.js';
import { denseBestPerClass } from '../memory/dense-neighbours.js';
import { ExampleMemory, NEAR_DUPLICATE } from '../memory/example-memory.js';
import { withShippedHead } from '../learning/prior.js';
import { bestPerClass } from '../memory/similarity.js';
import { serialOf, type WeightsRecord } from '../storage/index.js';
import { trainingMetrics } from './version-metrics.js';
import { sameHeadFeatures } from './head-features.js';
import { abortError, isAbort } from './errors.js';
import type { ModelSession } from './model-session.js';
import { VOTE_MAX_EXAMPLES } from './policy.js';

/** Held-out rows looked up for the near-duplicate rule past VOTE_MAX_EXAMPLES labels (see sampledNeighbours). */
const FOLLOW_SAMPLE = 300;

/** Where a warm start begins: the served head without its temperature, and what it carries on. */
interface WarmStart {
  weights: Float32Array;
  bias: Float32Array;
  calibration: Calibration;
  fromZerosAt: number;
}

/** At most this many 'training-progress' events a second: enough for a progress bar, not a flood of messages. */
const PROGRESS_EVENT_MS = 100;

/**
 * Training runs for one model: one at a time, in order, each waiting for other tabs' lock; a waiting run can be
 * cancelled before it starts and a running one between steps. Background training follows changes after the open
 * handles' delay. Predictions keep using the current head until a run installs its result.
 */
export class Training {
  private chain: Promise<unknown> = Promise.resolve();
  /** Trainings asked for that have not started yet, by run id: cancelling one aborts its wait. */
  private readonly waitingRuns = new Map<string, AbortController>();
  private running: { runId: string; cancelled: Error | null } | null = null;
  private autoTimer: ReturnType<typeof setTimeout> | undefined;
  /** How many examples the served head was trained on; -1 when no head was trained here. */
  examplesAtLastTrain = -1;
  /** The last background feature choice gave way to a newer training: the next one does not (chooseFeatures). */
  private choicePutOff = false;
  /** A background choice changed what the head reads: background training runs for it without a new label. */
  private choiceWaiting = false;

  constructor(private readonly session: ModelSession) {}

  /** True while a training asked for has not started yet. */
  get hasWaiting(): boolean {
    return this.waitingRuns.size > 0;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** Stops the run in progress at its next step (reset, close, or a reset in another tab). */
  stopRunning(reason: string): void {
    if (this.running) this.running.cancelled = abortError(reason);
  }

  cancel(runId: string): void {
    if (this.running?.runId === runId) this.running.cancelled = abortError('Training was cancelled.');
    else this.waitingRuns.get(runId)?.abort(abortError('Training was cancelled before it started.'));
  }

  stopAuto(): void {
    clearTimeout(this.autoTimer);
  }

  scheduleAuto(): void {
    clearTimeout(this.autoTimer);
    const delay = this.session.handles.autoTrainDelayMs;
    if (delay <= 0) return;
    this.autoTimer = setTimeout(() => {
      // A training asked for meanwhile may have applied the choice already.
      const forChoice = this.choiceWaiting && !this.servedReadsChoice();
      this.choiceWaiting = false;
      if (this.session.examples.size === this.examplesAtLastTrain && !this.isRunning && !forChoice) return;
      // A pinned version is not replaced in the background (pin()); the run checks again under the tabs' lock.
      if (this.session.serving.record?.pinned) return;
      this.train(`auto-${Date.now()}`, undefined, false, true).catch((error: unknown) => {
        // Background training is best effort: too few classes yet, or a reset, is not an error for anyone.
        if (!isAbort(error) && !(error instanceof RangeError)) console.warn('hitl-classifier: background training failed', error);
      });
    }, delay);
  }

  /** Full retrain on every stored label; runs one at a time per model, and predictions keep using the current head. */
  train(runId: string, onProgress?: (progress: TrainProgress) => void, fromZeros = false, auto = false): Promise<TrainResult> {
    clearTimeout(this.autoTimer);
    const { session } = this;
    // Every training, background ones included, reports progress to every page: a model panel shows the loss.
    let lastEvent = -Infinity;
    const progress = (p: TrainProgress) => {
      const now = performance.now();
      if (p.epoch === 1 || p.epoch >= p.epochs || now - lastEvent >= PROGRESS_EVENT_MS) {
        lastEvent = now;
        session.emit({ type: 'training-progress', key: session.key, epoch: p.epoch, epochs: p.epochs, loss: p.loss });
      }
      onProgress?.(p);
    };
    // Until it starts, a run waits behind this tab's trainings and for other tabs' lock; cancelling it there rejects
    // at once and it never runs (once running, run() checks `cancelled` between steps).
    const waiting = new AbortController();
    this.waitingRuns.set(runId, waiting);
    const start = () => {
      this.waitingRuns.delete(runId);
      waiting.signal.throwIfAborted();
      // Under the lock, after reading back the other tabs' head: a pin stored by any tab is seen here.
      if (auto && session.serving.record?.pinned) throw abortError('A pinned version serves: background training waits for unpinning.');
      return this.run(runId, progress, fromZeros);
    };
    const work = this.chain.then(() => {
      waiting.signal.throwIfAborted();
      return session.tabs.exclusive(start, waiting.signal);
    });
    // The label check follows each installed head in the same chain: the run's caller does not wait for it, and the
    // next run waits for it, so two never train at once.
    this.chain = work.then(
      () => this.checkLabels().then(() => this.chooseFeatures()),
      () => undefined,
    );
    const cancelled = new Promise<never>((_, reject) =>
      waiting.signal.addEventListener('abort', () => reject(waiting.signal.reason as Error), { once: true }),
    );
    return Promise.race([work, cancelled]).finally(() => this.waitingRuns.delete(runId));
  }

  /** Recomputes the out-of-fold label check after this tab's trainings (on open, when a head was stored). */
  refreshLabelCheck(): void {
    this.chain = this.chain.then(() => this.checkLabels());
  }

  /**
   * The feature choice of a model with many labels, in the background after its training (feature-choice.ts). It
   * gives way to a training asked for meanwhile, once: the next background choice runs to its end and that training
   * waits for it. Giving way every time, a model whose labels came in as often as a choice took (a person labelling
   * at a steady pace past 300 labels, with background training) never chose its features again.
   */
  private async chooseFeatures(): Promise<void> {
    const { session } = this;
    const generation = session.generation;
    const mayGiveWay = !this.choicePutOff;
    let gaveWay = false;
    const before = session.meta.featureChoice;
    await session.featureChoice.chooseInBackground(
      () => {
        if (session.generation !== generation) return abortError('The model was reset during the feature choice.');
        if (mayGiveWay && this.hasWaiting) {
          gaveWay = true;
          return abortError('A newer training puts this feature choice off.');
        }
        return null;
      },
      () => this.hasWaiting,
    );
    this.choicePutOff = gaveWay;
    // A choice that changes what the head reads waits for the next training; with background training on, that is
    // asked for now rather than at the next label, which may never come (a model labelled in one go, or imported).
    // Once per choice: a training that could not apply it does not ask again.
    if (session.meta.featureChoice !== before && !this.servedReadsChoice()) {
      this.choiceWaiting = true;
      this.scheduleAuto();
    }
  }

  /** Whether the served head reads the stored feature choice (true when there is no head or no choice). */
  private servedReadsChoice(): boolean {
    const { featureChoice } = this.session.meta;
    const served = this.session.serving.record;
    return !featureChoice || !served || sameHeadFeatures(featureChoice, served);
  }

  /** Settles when every training and label check asked for so far has ended. */
  idle(): Promise<unknown> {
    return this.chain;
  }

  /**
   * Runs `work` in the chain of training runs and under the other tabs' lock (a rollback or a pin): no training of
   * any tab can save a head between what `work` reads and writes.
   */
  serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.session.tabs.exclusive(work));
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async checkLabels(): Promise<void> {
    try {
      await this.session.labelCheck.refresh();
    } catch (error) {
      // Best effort: a reset or close during it, or too few labels, leaves the previous check (or none).
      if (!isAbort(error) && !(error instanceof RangeError)) console.warn('hitl-classifier: the label check failed', error);
    }
  }

  /**
   * Rows as the head learns them: numeric columns standardised over `vectors`, texts as the head's view for the
   * featurizer's current choice (headRow), everything else unchanged.
   */
  trainingRows(vectors: readonly Vector[]): { rows: Vector[]; stats: { mean: Float32Array; std: Float32Array } | null } {
    const { session } = this;
    // Numeric columns come in any units; image features are already on one scale, and standardising them
    // cost accuracy (2 points on MNIST at 800 labels when it was measured).
    if (session.spec.input !== 'features') {
      const { shortGramShare: share = 0, extra = 'letters', countScale } = session.featurizer;
      return { rows: vectors.map((v) => headRow(v, share, extra, countScale)), stats: null };
    }
    const running = new RunningStats(session.inputDim());
    for (const v of vectors) running.add(v as Float32Array);
    const stats = running.snapshot();
    return { rows: vectors.map((v) => standardize(v as Float32Array, stats.mean, stats.std)), stats };
  }

  /** The best similarity per class of the examples the calibration head trained on, for each held-out example (see calibrate.ts). */
  private heldOutNeighbours(vectors: readonly Vector[], targets: Int32Array, heldOut: readonly number[], trainedOn: Uint8Array): Float64Array {
    const { session } = this;
    const classes = session.labels.length;
    const out = new Float64Array(heldOut.length * classes);
    if (vectors.every(isSparse)) {
      const trained = vectors.filter((_, i) => trainedOn[i]) as SparseVector[];
      const trainedTargets = Int32Array.from(targets.filter((_, i) => trainedOn[i]));
      const best = bestPerClass(
        heldOut.map((i) => vectors[i] as SparseVector),
        trained,
        trainedTargets,
        classes,
        session.inputDim(),
      );
      best.forEach((perClass, h) => out.set(perClass, h * classes));
      return out;
    }
    const memory = new ExampleMemory(session.examples.similarity);
    vectors.forEach((vector, i) => trainedOn[i] && memory.upsert(String(i), targets[i]!, vector, i));
    heldOut.forEach((i, h) => out.set(memory.nearest(vectors[i]!, classes).perClass, h * classes));
    return out;
  }

  /**
   * Past VOTE_MAX_EXAMPLES serving has no vote, but near-duplicates still follow their labels, so the bar and how sure
   * a followed answer is are still chosen on held-out labels (calibrate.ts): from an evenly spread sample of at most
   * FOLLOW_SAMPLE held-out rows (the others −∞, as rows with no neighbour). Texts are looked up from the
   * near-duplicate floor as a prediction is, in the served memory itself with only the ids trained on: indexing
   * them again took ~10 s in one piece at 10,000 long documents (and as much memory again), long enough for the
   * page to restart the worker. A label held out of the memory while in doubt is then no one's neighbour, as in
   * serving. Dense rows by matrix products (dense-neighbours.ts), since a scan of thousands of image features costs
   * ~10 ms a row in JavaScript.
   */
  private async sampledNeighbours(
    ids: readonly string[],
    vectors: readonly Vector[],
    targets: Int32Array,
    heldOut: readonly number[],
    trainedOn: Uint8Array,
    shouldStop: () => Error | null,
  ): Promise<Float64Array> {
    const { session } = this;
    const classes = session.labels.length;
    const count = Math.min(FOLLOW_SAMPLE, heldOut.length);
    const sample = Array.from({ length: count }, (_, k) => Math.floor((k * heldOut.length) / count));
    const out = new Float64Array(heldOut.length * classes).fill(-Infinity);
    const breathe = breather();
    const pause = async () => {
      await breathe();
      const stop = shouldStop();
      if (stop) throw stop;
    };
    if (vectors.every((v) => v instanceof Float32Array)) {
      const trained = [...trainedOn.keys()].filter((i) => trainedOn[i]);
      const best = await denseBestPerClass(
        sample.map((h) => vectors[heldOut[h]!] as Float32Array),
        trained.map((i) => vectors[i] as Float32Array),
        Int32Array.from(trained, (i) => targets[i]!),
        classes,
        session.examples.similarity,
        pause,
      );
      sample.forEach((h, k) => out.set(best.subarray(k * classes, (k + 1) * classes), h * classes));
      return out;
    }
    const floor = NEAR_DUPLICATE[session.spec.input];
    const trained = new Set(ids.filter((_, i) => trainedOn[i]));
    for (const h of sample) {
      out.set(session.examples.memory.nearest(vectors[heldOut[h]!]!, classes, floor, 'bounded', trained).perClass, h * classes);
      await pause();
    }
    return out;
  }

  /**
   * The served head to start from, without its temperature, when this retrain may start warm (warm-start.ts says
   * when); null for a retrain from zeros.
   */
  private warmStart(rows: readonly Vector[], fromZeros: boolean): WarmStart | null {
    const { session } = this;
    const served = session.serving.record;
    // A head that reads other features, or was fitted under another penalty (the choice changed, feature-choice.ts),
    // is no place to start from.
    const { shortGramShare, extra, countScale } = session.featurizer;
    const otherFeatures = !sameHeadFeatures(served ?? {}, { shortGramShare, extra, countScale, ...session.featureChoice.penalty });
    const temperature = served?.calibration?.temperature;
    const reason = fromZerosReason({
      served: served && { labels: served.labels, inputDim: served.inputDim, fromZerosAt: served.fromZerosAt, temperature },
      labels: session.labels,
      inputDim: session.inputDim(),
      examples: rows.length,
      sparse: rows.every(isSparse),
      forced: fromZeros || otherFeatures,
    });
    if (reason !== null || !served?.calibration || temperature === undefined || served.fromZerosAt === undefined) return null;
    return {
      weights: served.weights.map((w) => w * temperature),
      bias: served.bias.map((b, c) => b * temperature - (served.calibration!.classPrior?.[c] ?? 0)),
      calibration: {
        ...served.calibration,
        voteWeight: served.calibration.voteWeight ?? 0,
        heldOutUnpicked: served.calibration.heldOutUnpicked ?? false,
      },
      fromZerosAt: served.fromZerosAt,
    };
  }

  /** A warm start: the served head trained on, its calibration carried over (no held-out head is trained). */
  private async trainWarm(
    rows: SparseVector[],
    targets: Int32Array,
    warm: WarmStart,
    shouldStop: () => Error | null,
    onProgress: ((progress: TrainProgress) => void) | undefined,
  ): Promise<CalibratedHead> {
    const head = await trainWarm({
      rows,
      targets,
      classes: this.session.labels.length,
      inputDim: this.session.inputDim(),
      start: warm,
      seed: rows.length,
      ...this.session.featureChoice.penalty,
      shouldStop,
      onStep: (step, steps, loss) => onProgress?.({ epoch: step, epochs: steps, loss }),
      breathe: breather(),
    });
    return { head: { ...head, inputDim: this.session.inputDim(), labels: [] }, calibration: warm.calibration };
  }

  private async run(runId: string, onProgress: ((progress: TrainProgress) => void) | undefined, fromZeros: boolean): Promise<TrainResult> {
    const { session } = this;
    const started = performance.now();
    const generation = session.generation;
    // The features first: the stored choice (made in the background, in another tab, or before a reload), or a new
    // one when the labels have grown enough and are few; a new choice makes this a training from zeros (warmStart).
    await session.featureChoice.followChoice();
    await session.featureChoice.chooseBeforeTraining(() =>
      session.generation !== generation ? abortError('The model was reset during training.') : null,
    );
    const human = session.examples.snapshot();
    // A shipped head (a Teachable Machine export's) is where training starts, and its answers on inputs nobody labelled are replayed.
    const shipped = session.featurizer.shipped;
    const { vectors, targets, start } = shipped
      ? withShippedHead(shipped, session.labels, human, NEAR_DUPLICATE.image)
      : { ...human, start: undefined };
    const labels = session.labels;
    const classes = labels.length;
    const counts = new Array<number>(classes).fill(0);
    for (const t of targets) counts[t]! += 1;
    const present = counts.filter((c) => c > 0).length;
    if (present < 2) {
      throw new RangeError(
        `Training needs labelled examples of at least 2 labels; so far ${present === 0 ? 'there are none' : `only ${JSON.stringify(labels[counts.findIndex((c) => c > 0)])} has any`}.`,
      );
    }
    const state = { runId, cancelled: null as Error | null };
    this.running = state;
    session.emit({ type: 'training', key: session.key, running: true, at: Date.now() });
    const resetError = () => abortError('The model was reset during training.');
    try {
      // Read with the rows, in the same turn: the choice may change while this trains, and the head records what it read.
      const shortGramShare = session.featurizer.shortGramShare ?? 0;
      const extra = session.featurizer.extra ?? 'letters';
      const countScale = session.featurizer.countScale ?? 1;
      const penalty = session.featureChoice.penalty;
      const { rows, stats } = this.trainingRows(vectors);
      const shouldStop = () => state.cancelled ?? (session.generation !== generation ? resetError() : null);
      const warm = shipped ? null : this.warmStart(rows, fromZeros);
      const {
        head: trained,
        calibration,
        heldOutAccuracy,
      } = warm
        ? await this.trainWarm(rows as SparseVector[], targets, warm, shouldStop, onProgress)
        : await trainCalibrated(rows, targets, classes, session.inputDim(), {
            onEpoch: (e, epochs, loss) => onProgress?.({ epoch: e, epochs, loss }),
            shouldStop,
            start,
            ...penalty,
            // A shipped head's replayed answers are not labels anyone picked or not: its rows keep every label eligible.
            ...(!shipped ? { picked: human.picked } : {}),
            ...(shipped
              ? {}
              : vectors.length <= VOTE_MAX_EXAMPLES
                ? {
                    neighbours: (heldOut, trainedOn) => this.heldOutNeighbours(vectors, targets, heldOut, trainedOn),
                    nearDuplicate: NEAR_DUPLICATE[session.spec.input],
                  }
                : {
                    neighbours: (heldOut, trainedOn) => this.sampledNeighbours(human.ids, vectors, targets, heldOut, trainedOn, shouldStop),
                    nearDuplicate: NEAR_DUPLICATE[session.spec.input],
                    followOnly: true,
                  }),
          });
      if (calibration) {
        // The class mix is a fixed addition to each class's logit, and dividing the logits by T is the same as dividing
        // the weights and bias: serving needs no change.
        calibration.classPrior?.forEach((shift, c) => (trained.bias[c]! += shift));
        for (let i = 0; i < trained.weights.length; i++) trained.weights[i]! /= calibration.temperature;
        for (let i = 0; i < trained.bias.length; i++) trained.bias[i]! /= calibration.temperature;
      }
      if (session.generation !== generation) throw resetError();
      const version = Math.max(session.meta.maxVersion, session.serving.modelVersion) + 1;
      const record: WeightsRecord = {
        version,
        labels: [...labels],
        inputDim: session.inputDim(),
        weights: trained.weights,
        bias: trained.bias,
        examples: human.vectors.length,
        savedAt: Date.now(),
        backend: activeBackend() ?? 'unknown',
        ...(stats ? { mean: stats.mean, std: stats.std } : {}),
        ...(calibration ? { calibration } : {}),
        start: warm ? 'warm' : shipped ? 'shipped' : 'zeros',
        ...(shortGramShare > 0 ? { shortGramShare } : {}),
        ...(shortGramShare > 0 && extra !== 'letters' ? { extra } : {}),
        ...(shortGramShare > 0 && extra === 'counts' ? { countScale } : {}),
        ...penalty,
        fromZerosAt: warm?.fromZerosAt ?? human.vectors.length,
        labelSeqEnd: human.seqEnd,
      };
      const meta = { ...session.meta, maxVersion: version };
      const ms = Math.round(performance.now() - started);
      const metrics = trainingMetrics(session, record, human.targets, trained.loss, calibration, heldOutAccuracy, ms);
      const { served, head } = await session.store.saveWeights(record, meta, { metrics, keep: session.handles.keepVersions });
      if (session.generation !== generation) throw resetError();
      session.meta = meta;
      // Pinned (pin(), here or in another tab): the new head is kept as a version, and the pinned one keeps serving.
      if (served || serialOf(head) > serialOf(session.serving.record)) session.serving.install(head);
      this.examplesAtLastTrain = human.vectors.length;
      session.emit({ type: 'model-updated', key: session.key, modelVersion: session.serving.modelVersion });
      return {
        modelVersion: version,
        examples: human.vectors.length,
        ms,
        start: warm ? 'warm' : shipped ? 'shipped' : 'zeros',
        ...(served ? {} : { pinned: head.version }),
      };
    } finally {
      if (this.running === state) this.running = null;
      session.emit({ type: 'training', key: session.key, running: false, at: Date.now() });
    }
  }
}
