import { batchDecision } from './log-entry.js';
import type { ExampleRecord, LogRecord, ModelMeta, QueueRecord, UndoOutcome } from './records.js';
import type { UndoLogWriter } from './store.js';

// A decision and its undo are written once, over this small table interface, so the IndexedDB store (object stores
// in one transaction) and the memory store (maps with a journal) cannot drift apart on what they keep or refuse.

/** The reads and writes a decision or an undo needs, inside one transaction of either store. */
export interface Tables {
  getExample(id: string): Promise<ExampleRecord | undefined>;
  putExample(example: ExampleRecord): Promise<unknown>;
  deleteExample(id: string): Promise<unknown>;
  getQueued(id: string): Promise<QueueRecord | undefined>;
  putQueued(record: QueueRecord): Promise<unknown>;
  deleteQueued(id: string): Promise<unknown>;
  addLog(record: LogRecord): Promise<unknown>;
  /** Appends in the order given, each chained to the one before. */
  addLogs(records: readonly LogRecord[]): Promise<unknown>;
  getMeta(): Promise<ModelMeta | undefined>;
  /** The ids of every stored example and queued item: a batch reads only the records that exist. */
  exampleIds(): Promise<readonly string[]>;
  queuedIds(): Promise<readonly string[]>;
  /** Every log entry with this decision id (the decision, and its undo if there is one). */
  logByDecision(decisionId: string): Promise<LogRecord[]>;
}

/**
 * A label the stored meta lacks was renamed or removed in another tab since this one read it: refused, in the
 * transaction that would store it, so no example is ever stored under a label that is gone.
 */
async function assertStoredLabels(t: Tables, decisions: readonly { example: ExampleRecord }[], many: boolean): Promise<void> {
  const labels = (await t.getMeta())?.labels;
  if (!labels) return;
  const bad = decisions.findIndex(({ example }) => !labels.includes(example.label));
  if (bad < 0) return;
  throw new RangeError(
    `${many ? `items[${bad}]: ` : ''}the label ${JSON.stringify(decisions[bad]!.example.label)} is no longer one of the model's labels ` +
      `(${labels.map((l) => JSON.stringify(l)).join(', ')}): it was renamed or removed, in another tab perhaps. Nothing was stored.`,
  );
}

/** Writes the example, takes its input off the queue, and logs the decision with the state before it, for undo. */
export async function applyDecision(t: Tables, example: ExampleRecord, log: LogRecord): Promise<void> {
  const [previous, queued] = await Promise.all([t.getExample(example.id), t.getQueued(example.id), assertStoredLabels(t, [{ example }], false)]);
  const record: LogRecord = { ...log, before: { example: previous ?? null, queued: queued ?? null } };
  await Promise.all([t.putExample(example), queued ? t.deleteQueued(example.id) : null, t.addLog(record)]);
}

/**
 * Decisions in order, as if applied one by one: each input's stored state is read once, a later decision on the same
 * input follows the earlier one (its `before` is that example), and only the last example of each input is written.
 * `logs` are the batch's 'labels' records: their decisions, in order, are the examples' (one each).
 */
export async function applyDecisions(t: Tables, examples: readonly ExampleRecord[], logs: readonly LogRecord[]): Promise<void> {
  const decisions = logs.flatMap((log) => log.decisions ?? []);
  if (decisions.length !== examples.length || decisions.some((d, i) => d.exampleId !== examples[i]!.id)) {
    throw new RangeError(`A batch's log records must hold one decision per example, in the same order: ${decisions.length} for ${examples.length}.`);
  }
  const ids = [...new Set(examples.map((e) => e.id))];
  // Two key reads instead of two gets per input: a batch of new inputs (an import) reads no record at all.
  const [exampleIds, queuedIds] = await Promise.all([
    t.exampleIds(),
    t.queuedIds(),
    assertStoredLabels(
      t,
      examples.map((example) => ({ example })),
      true,
    ),
  ]);
  const [labelled, queuedSet] = [new Set(exampleIds), new Set(queuedIds)];
  const stored = await Promise.all(
    ids.map(
      async (id) => [id, labelled.has(id) ? await t.getExample(id) : undefined, queuedSet.has(id) ? await t.getQueued(id) : undefined] as const,
    ),
  );
  const state = new Map(stored.map(([id, example, queued]) => [id, { example: example ?? null, queued: queued ?? null }]));
  const befores = examples.map((example) => {
    const before = state.get(example.id)!;
    // Taken off the queue by the first decision on it: undoing a later one puts back the earlier example only.
    state.set(example.id, { example, queued: null });
    return before;
  });
  let at = 0;
  const records = logs.map((log) => ({ ...log, decisions: (log.decisions ?? []).map((d) => ({ ...d, before: befores[at++]! })) }));
  // The examples' requests go out before the log's: they need no hash, so the database works on them while the
  // chain is sealed.
  const writes: Promise<unknown>[] = [];
  for (const [id, , queued] of stored) {
    writes.push(t.putExample(state.get(id)!.example!));
    if (queued) writes.push(t.deleteQueued(id));
  }
  writes.push(t.addLogs(records));
  await Promise.all(writes);
}

/**
 * A decision of a batch, as a 'label' record with its `before`: the id's part before '#' names the batch record.
 * Undefined for any other id.
 */
async function batchedDecision(t: Tables, decisionId: string): Promise<LogRecord | undefined> {
  const hash = decisionId.lastIndexOf('#');
  if (hash < 0) return undefined;
  const batch = (await t.logByDecision(decisionId.slice(0, hash))).find((entry) => entry.kind === 'labels');
  const d = batch?.decisions?.find((one) => one.decisionId === decisionId);
  return batch && d ? batchDecision(batch, d) : undefined;
}

/** Puts back what the decision replaced; refuses (RangeError) when that would lose or repeat something. */
export async function applyUndo(t: Tables, decisionId: string, undoLog: UndoLogWriter): Promise<UndoOutcome> {
  const entries = await t.logByDecision(decisionId);
  const decision = entries.find((entry) => entry.kind === 'label') ?? (await batchedDecision(t, decisionId));
  if (!decision) throw new RangeError(`Unknown decision id ${JSON.stringify(decisionId)}: pass the decisionId that label() resolved with.`);
  if (entries.some((entry) => entry.kind === 'undo')) throw new RangeError(`Decision ${JSON.stringify(decisionId)} was already undone.`);
  if (!decision.before) {
    throw new RangeError(
      `Decision ${JSON.stringify(decisionId)} was imported or recorded before undo existed, so there is no earlier state to restore.`,
    );
  }
  const current = await t.getExample(decision.exampleId);
  if (current?.decisionId !== decisionId) {
    throw new RangeError(`A later decision changed this input after ${JSON.stringify(decisionId)}: undo that one first.`);
  }
  const { example, queued } = decision.before;
  const labels = (await t.getMeta())?.labels;
  if (example && labels && !labels.includes(example.label)) {
    throw new RangeError(
      `Undoing ${JSON.stringify(decisionId)} would bring back the label ${JSON.stringify(example.label)}, which was renamed or removed since: label the input again instead.`,
    );
  }
  await Promise.all([
    example ? t.putExample(example) : t.deleteExample(decision.exampleId),
    queued ? t.putQueued(queued) : null,
    t.addLog(undoLog(decision, example)),
  ]);
  return { decision, restored: example, requeued: queued };
}
