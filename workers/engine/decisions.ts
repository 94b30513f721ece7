import type { DecisionAction, LabelBatchResult, LabelMeta, LabelResult, UndoResult, WireInput, WireLabelItem } from '../../src/protocol.js';
import type { Vector } from '../featurizers/vector.js';
import { inputId } from '../audit/input-id.js';
import type { BatchDecisionRecord, ExampleRecord, LogRecord, ModelMeta, StoredInput } from '../storage/index.js';
import { breather } from '../learning/head.js';
import { abortError } from './errors.js';
import { checkDurationMs } from '../audit/human-time.js';
import type { ModelSession } from './model-session.js';

/** Items of a labelBatch featurized together; the worker yields between blocks when 20 ms have passed (breather). */
const BATCH_BLOCK = 200;

/**
 * Decisions a batch's log record holds: a batch writes one log record per this many decisions (all in its one
 * transaction), which keeps a record of long logged texts to a few MB.
 */
const LOG_RECORD_DECISIONS = 1000;

/** Rethrows an item's error with its index in front, keeping its class (TypeError, RangeError, DOMException…). */
function naming(i: number, error: unknown): Error {
  if (!(error instanceof Error)) return new TypeError(`items[${i}].input: ${String(error)}`);
  const named = error instanceof DOMException ? new DOMException(`items[${i}].input: ${error.message}`, error.name) : error;
  if (named === error) error.message = `items[${i}].input: ${error.message}`;
  return named;
}

/**
 * People's decisions: a label on an input or a queued item, and undoing one. Each is stored with its log entry in one
 * transaction before the memory follows it, so a failed write leaves the model as it was.
 */
export class Decisions {
  constructor(private readonly session: ModelSession) {}

  async label(input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult> {
    const { session } = this;
    session.checkLabel(label);
    const canonical = await session.featurizer.canonical(input);
    const [vector] = (await session.vectorize([canonical])) as [Vector];
    return this.decide(await inputId(session.spec.input, canonical), canonical, vector, label, meta);
  }

  /** Labels a pending queue item by id: with `keepInputs: false` the page has no input to pass. */
  async labelQueued(itemId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    const { session } = this;
    session.checkLabel(label);
    await session.recorder.flush();
    const entry = session.queue.pending(itemId);
    const { input } = entry.record;
    const vector = entry.vector ?? entry.record.vector ?? ((await session.vectorize([input!])) as [Vector])[0];
    // The queue lists the answers that most need a person, most uncertain first: it offered this one for review.
    session.reviewPicks.offer([itemId]);
    return this.decide(itemId, input, vector, label, meta);
  }

  /**
   * A second look at a stored label (label-check.ts), by example id: the same label confirms it ('confirm'), another
   * changes it ('correct'). Either is a decision in the log, which says what the check suggested; a confirmed label
   * is not flagged again while the check keeps suggesting the same label.
   */
  async review(exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    const { session } = this;
    session.checkLabel(label);
    const current = session.examples.label(exampleId);
    const vector = session.examples.vector(exampleId);
    if (!current || !vector) {
      throw new RangeError(`No labelled example has the id ${JSON.stringify(exampleId)}: pass an id from suspiciousLabels() or label().`);
    }
    const flag = session.labelCheck.flagOf(exampleId);
    // The stored raw input goes into the new record as it was: a second look must not lose it.
    const record = (await session.labelCheck.storedExamples([exampleId])).get(exampleId);
    const confirm = label === current.label;
    const detail = flag
      ? `second look: the label check suggested ${JSON.stringify(flag.suggested)} (${Math.round(flag.confidence * 100)} % out of fold)`
      : 'second look';
    return this.decide(
      exampleId,
      record?.input,
      vector,
      label,
      { ...meta, action: confirm ? 'confirm' : 'correct' },
      {
        detail,
        ...(confirm && flag ? { confirmedAgainst: flag.suggested } : {}),
      },
    );
  }

  /**
   * Settles a conflict between annotators on a stored example, by example id (the conflict's `inputHash`): a decision
   * logged with the action 'adjudicate' that sets the example's label. Like a second look it answers no prediction,
   * so quality() does not count it; agreement() never counts it as an annotator's label (audit/agreement.ts).
   */
  async adjudicate(exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    const { session } = this;
    session.checkLabel(label);
    const vector = session.examples.vector(exampleId);
    if (!session.examples.label(exampleId) || !vector) {
      throw new RangeError(`No labelled example has the id ${JSON.stringify(exampleId)}: pass an inputHash from agreement().conflicts.`);
    }
    const record = (await session.labelCheck.storedExamples([exampleId])).get(exampleId);
    return this.decide(
      exampleId,
      record?.input,
      vector,
      label,
      { ...meta, action: 'adjudicate' },
      { detail: 'adjudication of a conflict between annotators' },
    );
  }

  private async decide(
    id: string,
    canonical: StoredInput | undefined,
    vector: Vector,
    label: string,
    meta: LabelMeta,
    /** A second look or an adjudication: a decision about a stored label, not an answer to a prediction shown. */
    secondLook?: { detail: string; confirmedAgainst?: string },
  ): Promise<LabelResult> {
    const { session } = this;
    checkDurationMs(meta.durationMs);
    await session.recorder.flush();
    let newMeta: ModelMeta | undefined;
    if (vector instanceof Float32Array && session.meta.featureDim === null) {
      newMeta = { ...session.meta, featureDim: vector.length };
    }
    // A second look answers the label check, not a prediction shown: quality() must not count it as one.
    const predicted = secondLook ? undefined : await session.recorder.shownBefore(id, meta.predictionId);
    const previous = session.examples.label(id)?.label;
    const decisionId = crypto.randomUUID();
    const example: ExampleRecord = { id, label, time: Date.now(), seq: session.examples.seq, decisionId };
    if (canonical !== undefined && session.handles.keepInputs) example.input = canonical;
    else example.vector = vector;
    if (meta.annotator !== undefined) example.annotator = meta.annotator;
    if (meta.predictionId !== undefined) example.predictionId = meta.predictionId;
    if (secondLook?.confirmedAgainst !== undefined) example.confirmedAgainst = secondLook.confirmedAgainst;
    // How the input came to a person stays with it through relabels, second looks and adjudications.
    if (session.reviewPicks.has(id) || session.examples.isPicked(id)) example.picked = true;
    const action: DecisionAction | undefined =
      meta.action ?? (predicted && predicted.label !== null ? (predicted.label === label ? 'accept' : 'correct') : undefined);
    const log: LogRecord = {
      kind: 'label',
      time: example.time,
      exampleId: id,
      label,
      modelVersion: session.serving.modelVersion,
      decisionId,
      ...(action !== undefined ? { action } : {}),
      ...(previous !== undefined ? { previousLabel: previous } : {}),
      ...(meta.annotator !== undefined ? { annotator: meta.annotator } : {}),
      ...(meta.predictionId !== undefined ? { predictionId: meta.predictionId } : {}),
      ...(meta.durationMs !== undefined ? { durationMs: meta.durationMs } : {}),
      ...(predicted ? { predicted: { label: predicted.label, confidence: predicted.confidence, modelVersion: predicted.modelVersion } } : {}),
      ...(secondLook ? { detail: secondLook.detail } : {}),
    };
    const logged = canonical === undefined ? undefined : session.handles.logInput(canonical);
    if (logged !== undefined) log.input = logged;
    // Stored first: if the write fails, memory is untouched and the caller sees the error.
    await session.store.saveDecision(example, log, newMeta);
    if (newMeta) session.meta = newMeta;
    session.examples.remember(example, vector, session.labels, previous === undefined);
    session.labelCheck.sync();
    session.batches.startWhenLarge();
    if (!secondLook) session.autoAccept.decided(meta.predictionId, label, decisionId, example.time);
    const wasQueued = session.queue.take(id);
    session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
    if (wasQueued) session.queue.emitSize();
    session.training.scheduleAuto();
    session.drift.poke();
    return { decisionId, exampleId: id, replaced: previous !== undefined, examples: session.examples.size };
  }

  /**
   * Many decisions in one transaction (ModelStore.saveDecisions): every item checked and featurized first, then all
   * of them stored or none. `added`: labels the items bring, stored in the same transaction (importLabels);
   * `detail(i)`: what the log says of item i.
   */
  async labelBatch(items: readonly WireLabelItem[], options: { added?: string[]; detail?: (i: number) => string } = {}): Promise<LabelBatchResult> {
    const { session } = this;
    const added = options.added ?? [];
    const labels = [...session.labels, ...added.filter((label) => !session.labels.includes(label))];
    items.forEach(({ label, annotator }, i) => {
      if (typeof label !== 'string') throw new TypeError(`items[${i}].label must be a string, got ${label === null ? 'null' : typeof label}.`);
      if (annotator !== undefined && typeof annotator !== 'string')
        throw new TypeError(`items[${i}].annotator must be a string when given, got ${typeof annotator}.`);
      if (!labels.includes(label)) {
        throw new RangeError(
          `items[${i}]: unknown label ${JSON.stringify(label)}: expected one of ${labels.map((l) => JSON.stringify(l)).join(', ')}.`,
        );
      }
    });
    const generation = session.generation;
    const canonical = await Promise.all(
      items.map((item, i) => session.featurizer.canonical(item.input).catch((error: unknown) => Promise.reject(naming(i, error)))),
    );
    // In blocks, with a turn of the event loop between them: thousands of long texts take seconds to featurize,
    // and a worker that answers no ping for that long is taken for a hung one.
    const breathe = breather();
    // The ids' digests run off this thread (SubtleCrypto) while the texts are featurized here.
    const hashing = Promise.all(canonical.map((c) => inputId(session.spec.input, c)));
    hashing.catch(() => undefined);
    const vectors: Vector[] = [];
    for (let from = 0; from < canonical.length; from += BATCH_BLOCK) {
      vectors.push(...(await session.vectorize(canonical.slice(from, from + BATCH_BLOCK))));
      await breathe();
    }
    const ids = await hashing;
    let featureDim = session.meta.featureDim;
    vectors.forEach((vector, i) => {
      if (!(vector instanceof Float32Array)) return;
      featureDim ??= vector.length;
      if (vector.length !== featureDim)
        throw new RangeError(`items[${i}].input: a row of ${vector.length} numbers, but this model's rows have ${featureDim}.`);
    });
    await session.recorder.flush();
    if (session.generation !== generation) throw abortError('The model was reset or its labels changed during labelBatch; nothing was stored.');
    const meta: ModelMeta | undefined =
      featureDim !== session.meta.featureDim || labels.length !== session.labels.length ? { ...session.meta, labels, featureDim } : undefined;
    const time = Date.now();
    const modelVersion = session.serving.modelVersion;
    const seq = session.examples.seq;
    const latest = new Map<string, string>();
    let replaced = 0;
    const examples: ExampleRecord[] = [];
    const logs: LogRecord[] = [];
    for (let from = 0; from < items.length; from += LOG_RECORD_DECISIONS) {
      const batchId = crypto.randomUUID();
      const decisions = items.slice(from, from + LOG_RECORD_DECISIONS).map((item, j): BatchDecisionRecord => {
        const i = from + j;
        const id = ids[i]!;
        const previous = latest.get(id) ?? session.examples.label(id)?.label;
        if (previous !== undefined) replaced += 1;
        latest.set(id, item.label);
        const decisionId = `${batchId}#${j}`;
        const example: ExampleRecord = { id, label: item.label, time, seq: seq + i, decisionId };
        if (session.handles.keepInputs) example.input = canonical[i]!;
        else example.vector = vectors[i]!;
        if (item.annotator !== undefined) example.annotator = item.annotator;
        examples.push(example);
        const d: BatchDecisionRecord = { exampleId: id, label: item.label, decisionId };
        if (previous !== undefined) d.previousLabel = previous;
        if (item.annotator !== undefined) d.annotator = item.annotator;
        const logged = session.handles.logInput(canonical[i]!);
        if (logged !== undefined) d.input = logged;
        if (options.detail) d.detail = options.detail(i);
        return d;
      });
      logs.push({ kind: 'labels', time, exampleId: '', modelVersion, decisionId: batchId, decisions });
    }
    await session.store.saveDecisions(examples, logs, meta);
    const labelsBefore = session.labels;
    if (meta) {
      // Stored order wins: a label another tab added meanwhile comes before ours, in every tab (as in extendLabels).
      const stored = (await session.store.loadHead()).meta;
      session.meta = { ...meta, labels: stored?.labels ?? labels };
    }
    if (!labelsBefore.every((label, c) => session.labels[c] === label)) {
      await session.hydrate(await session.store.load());
    } else {
      session.examples.reserve(vectors);
      for (const [i, example] of examples.entries()) {
        session.examples.remember(example, vectors[i]!, session.labels, !session.examples.has(example.id));
        // Stored already: a prediction between two blocks sees part of the batch, as if labelled one by one.
        if (i % 50 === 49) await breathe();
      }
      if (session.labels.length !== labelsBefore.length) session.serving.reinstall();
    }
    if (session.labels.length !== labelsBefore.length) session.emit({ type: 'labels-changed', key: session.key, labels: [...session.labels] });
    session.labelCheck.sync();
    session.batches.startWhenLarge();
    let dequeued = false;
    for (const id of new Set(ids)) dequeued = session.queue.take(id) || dequeued;
    session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
    if (dequeued) session.queue.emitSize();
    session.training.scheduleAuto();
    session.drift.poke();
    return { decisionIds: examples.map((e) => e.decisionId!), exampleIds: ids, replaced, examples: session.examples.size };
  }

  /** Reverts one decision: the example's previous label (or none), the queue item back; logged as an undo. */
  async undo(decisionId: string): Promise<UndoResult> {
    const { session } = this;
    await session.recorder.flush();
    const outcome = await session.store.undo(decisionId, (decision, restored) => ({
      kind: 'undo',
      time: Date.now(),
      exampleId: decision.exampleId,
      decisionId,
      modelVersion: session.serving.modelVersion,
      ...(restored ? { label: restored.label } : {}),
      ...(decision.label !== undefined ? { previousLabel: decision.label } : {}),
    }));
    const id = outcome.decision.exampleId;
    const restored = outcome.restored;
    session.autoAccept.undone(decisionId);
    if (restored) {
      const vector = restored.vector ?? ((await session.vectorize([restored.input!])) as [Vector])[0];
      session.examples.remember(restored, vector, session.labels, false);
    } else {
      session.examples.forget(id);
    }
    session.labelCheck.sync();
    if (outcome.requeued) {
      session.queue.put(outcome.requeued);
      session.queue.emitSize();
    }
    session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
    session.training.scheduleAuto();
    session.drift.poke();
    return { exampleId: id, restoredLabel: restored?.label ?? null, examples: session.examples.size };
  }
}
