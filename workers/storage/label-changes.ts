import type { RawPrediction } from '../../src/protocol.js';
import type {
  ExampleRecord,
  LabelChange,
  LabelChangeOutcome,
  LabelEdit,
  LogRecord,
  ModelMeta,
  QueueRecord,
  VersionRecord,
  WeightsRecord,
} from './records.js';
import type { LabelChangeLogWriter } from './store.js';

// A rename or removal of a label is written once, over this small table interface, so the IndexedDB store (object
// stores in one transaction) and the memory store cannot drift apart on what they rewrite or refuse.

/** The reads and writes a label change needs, inside one transaction of either store. */
export interface LabelTables {
  getMeta(): Promise<ModelMeta | undefined>;
  putMeta(meta: ModelMeta): Promise<unknown>;
  allExamples(): Promise<ExampleRecord[]>;
  putExample(example: ExampleRecord): Promise<unknown>;
  deleteExample(id: string): Promise<unknown>;
  allQueued(): Promise<QueueRecord[]>;
  putQueued(record: QueueRecord): Promise<unknown>;
  getWeights(): Promise<WeightsRecord | undefined>;
  putWeights(weights: WeightsRecord): Promise<unknown>;
  /** The kept versions (schema 5): a rollback must serve a head under the labels as they are now. */
  allVersions(): Promise<VersionRecord[]>;
  putVersion(record: VersionRecord): Promise<unknown>;
  addLog(record: LogRecord): Promise<unknown>;
}

/** The label that leaves the label set. */
export function retiredBy(change: LabelEdit): string {
  return change.kind === 'rename' ? change.from : change.label;
}

/** What the stored labels must allow; a RangeError that names the labels otherwise. */
export function assertLabelChange(labels: readonly string[], change: LabelEdit): void {
  const list = labels.map((l) => JSON.stringify(l)).join(', ');
  const known = (label: string, what: string) => {
    if (!labels.includes(label)) throw new RangeError(`Unknown label ${JSON.stringify(label)} ${what}: expected one of ${list}.`);
  };
  if (change.kind === 'rename') {
    known(change.from, 'to rename');
    if (labels.includes(change.to)) {
      throw new RangeError(
        `The model already has the label ${JSON.stringify(change.to)}: to merge ${JSON.stringify(change.from)} into it, ` +
          `call removeLabel(${JSON.stringify(change.from)}, { reassignTo: ${JSON.stringify(change.to)} }).`,
      );
    }
    return;
  }
  known(change.label, 'to remove');
  if (change.reassignTo !== null) {
    known(change.reassignTo, 'to reassign to');
    if (change.reassignTo === change.label)
      throw new RangeError(`reassignTo must name another label than the one removed (${JSON.stringify(change.label)}).`);
  }
  if (labels.length <= 2) {
    throw new RangeError(
      `A model keeps at least 2 labels, and ${JSON.stringify(change.label)} is one of its last 2 (${list}): add another label first.`,
    );
  }
}

/** The label a record under `label` has after the change: the same, the new name, the reassigned one, or null (dropped). */
function mapped(change: LabelEdit, label: string): string | null {
  if (change.kind === 'rename') return label === change.from ? change.to : label;
  return label === change.label ? change.reassignTo : label;
}

/** The meta after the change: a rename keeps the label's place; the revision grows and retires the old label. */
export function changedMeta(meta: ModelMeta, change: LabelEdit): ModelMeta {
  const revision = (meta.labelsRevision ?? 0) + 1;
  const gone = retiredBy(change);
  const labels = meta.labels.flatMap((label) => (label !== gone ? [label] : change.kind === 'rename' ? [change.to] : []));
  // A rename to a label retired before brings that name back: it is no longer retired.
  const back = change.kind === 'rename' ? change.to : null;
  const retiredLabels = Object.fromEntries([...Object.entries(meta.retiredLabels ?? {}).filter(([label]) => label !== back), [gone, revision]]);
  return { ...meta, labels, labelsRevision: revision, retiredLabels };
}

/** The example after the change: undefined when it is untouched, null when it is deleted. */
export function changedExample(example: ExampleRecord, change: LabelChange): ExampleRecord | null | undefined {
  const label = mapped(change, example.label);
  const against = example.confirmedAgainst === undefined ? undefined : mapped(change, example.confirmedAgainst);
  if (label === example.label && against === example.confirmedAgainst) return undefined;
  if (label === null) return null;
  const { confirmedAgainst: _, ...rest } = example;
  // The change is this example's newest decision: undoing an older one would bring back a label that is gone.
  const decisionId = label === example.label ? example.decisionId : change.decisionId;
  return {
    ...rest,
    label,
    ...(decisionId !== undefined ? { decisionId } : {}),
    ...(against !== undefined && against !== null && against !== label ? { confirmedAgainst: against } : {}),
  };
}

/** A queued prediction under the new labels: a removed label's score joins the label it goes to, or is dropped. */
export function changedPrediction(prediction: RawPrediction, change: LabelEdit): RawPrediction {
  const scores: Record<string, number> = {};
  for (const [label, score] of Object.entries(prediction.scores)) {
    const to = mapped(change, label);
    if (to !== null) scores[to] = (scores[to] ?? 0) + score;
  }
  const sum = Object.values(scores).reduce((a, b) => a + b, 0);
  if (sum > 0) for (const label of Object.keys(scores)) scores[label]! /= sum;
  if (prediction.label === null) return { ...prediction, scores };
  let best: string | null = null;
  for (const [label, score] of Object.entries(scores)) if (best === null || score > scores[best]!) best = label;
  return { ...prediction, label: best, confidence: best === null ? 0 : scores[best]!, scores };
}

/**
 * The stored head under the new labels: a renamed column keeps its weights; a removed label's column goes (its
 * examples move or go with it, and the next training learns from them where they are now).
 */
export function changedWeights(weights: WeightsRecord, change: LabelEdit): WeightsRecord {
  if (change.kind === 'rename') return { ...weights, labels: weights.labels.map((l) => (l === change.from ? change.to : l)) };
  const gone = weights.labels.indexOf(change.label);
  if (gone < 0) return weights;
  const from = weights.labels.length;
  const to = from - 1;
  const kept = new Float32Array(weights.inputDim * to);
  for (let a = 0; a < weights.inputDim; a++) {
    for (let c = 0, k = 0; c < from; c++) if (c !== gone) kept[a * to + k++] = weights.weights[a * from + c]!;
  }
  return {
    ...weights,
    labels: weights.labels.filter((_, c) => c !== gone),
    weights: kept,
    bias: weights.bias.filter((_, c) => c !== gone),
  };
}

/** Checks the change against the stored labels, then rewrites every record that names the label, and logs it. */
export async function applyLabelChange(t: LabelTables, change: LabelChange, log: LabelChangeLogWriter): Promise<LabelChangeOutcome> {
  const stored = await t.getMeta();
  if (!stored) throw new RangeError('This model has no stored labels to change.');
  assertLabelChange(stored.labels, change);
  const meta = changedMeta(stored, change);
  const gone = retiredBy(change);
  const [examples, queued, weights] = await Promise.all([t.allExamples(), t.allQueued(), t.getWeights()]);
  const counts = { examples: 0, queue: 0 };
  const writes: Promise<unknown>[] = [t.putMeta(meta)];
  for (const example of examples) {
    const next = changedExample(example, change);
    if (next === undefined) continue;
    if (next === null || next.label !== example.label) counts.examples += 1;
    writes.push(next === null ? t.deleteExample(example.id) : t.putExample(next));
  }
  const queuedNow = queued.map((item) => {
    if (item.prediction.label !== gone && !Object.hasOwn(item.prediction.scores, gone)) return item;
    counts.queue += 1;
    const changed = { ...item, prediction: changedPrediction(item.prediction, change) };
    writes.push(t.putQueued(changed));
    return changed;
  });
  const weightsNow = weights?.labels.includes(gone) ? changedWeights(weights, change) : weights;
  if (weightsNow !== weights) writes.push(t.putWeights(weightsNow!));
  for (const kept of await t.allVersions()) {
    if (kept.weights.labels.includes(gone)) writes.push(t.putVersion({ ...kept, weights: changedWeights(kept.weights, change) }));
  }
  const entry = log(counts);
  writes.push(t.addLog(entry));
  await Promise.all(writes);
  return { meta, log: entry, ...counts, queued: queuedNow, weights: weightsNow };
}
