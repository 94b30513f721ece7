import type { ExampleRecord, LogRecord, QueueRecord, UndoOutcome } from './records.js';
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
  /** Every log entry with this decision id (the decision, and its undo if there is one). */
  logByDecision(decisionId: string): Promise<LogRecord[]>;
}

/** Writes the example, takes its input off the queue, and logs the decision with the state before it, for undo. */
export async function applyDecision(t: Tables, example: ExampleRecord, log: LogRecord): Promise<void> {
  const [previous, queued] = await Promise.all([t.getExample(example.id), t.getQueued(example.id)]);
  const record: LogRecord = { ...log, before: { example: previous ?? null, queued: queued ?? null } };
  await Promise.all([t.putExample(example), queued ? t.deleteQueued(example.id) : null, t.addLog(record)]);
}

/** Puts back what the decision replaced; refuses (RangeError) when that would lose or repeat something. */
export async function applyUndo(t: Tables, decisionId: string, undoLog: UndoLogWriter): Promise<UndoOutcome> {
  const entries = await t.logByDecision(decisionId);
  const decision = entries.find((entry) => entry.kind === 'label');
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
  await Promise.all([
    example ? t.putExample(example) : t.deleteExample(decision.exampleId),
    queued ? t.putQueued(queued) : null,
    t.addLog(undoLog(decision, example)),
  ]);
  return { decision, restored: example, requeued: queued };
}
