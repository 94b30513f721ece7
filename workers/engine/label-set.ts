import type { LabelChangeResult } from '../../src/protocol.js';
import { assertLabelChange, retiredBy, type LabelChangeCounts, type LabelChangeOutcome, type LabelEdit, type LogRecord } from '../storage/index.js';
import type { ModelSession } from './model-session.js';

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value);
  return Array.isArray(value) ? 'an array' : JSON.stringify(value);
}

/** A label name as the page passed it: a string, or a TypeError naming the argument. */
function named(what: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describe(value)}.`);
  return value;
}

/** The log entry's words for a change, with what it rewrote. */
function describeChange(change: LabelEdit, counts: LabelChangeCounts): string {
  const done = `${counts.examples} example${counts.examples === 1 ? '' : 's'}, ${counts.queue} queue item${counts.queue === 1 ? '' : 's'}`;
  if (change.kind === 'rename') return `renameLabel(${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}): ${done}`;
  const fate = change.reassignTo === null ? 'its examples deleted' : `its examples reassigned to ${JSON.stringify(change.reassignTo)}`;
  return `removeLabel(${JSON.stringify(change.label)}), ${fate}: ${done}`;
}

/**
 * Renaming and removing labels: one transaction rewrites every stored record that names the label, with its log
 * entry (storage/label-changes.ts), under the lock other tabs train and import under; then this tab's memory, head,
 * queue and label check are read back from what was stored, and the other tabs do the same (tab-sync.ts).
 */
export class LabelSet {
  constructor(private readonly session: ModelSession) {}

  async rename(from: unknown, to: unknown): Promise<LabelChangeResult> {
    if (typeof to !== 'string') throw new TypeError(`The new label must be a string, got ${describe(to)}.`);
    if (to.trim() === '') throw new RangeError('The new label must not be empty.');
    return this.change({ kind: 'rename', from: named('The label to rename', from), to });
  }

  async remove(label: unknown, how: unknown): Promise<LabelChangeResult> {
    const { reassignTo, drop } = (how !== null && typeof how === 'object' ? how : {}) as { reassignTo?: unknown; drop?: unknown };
    if ((reassignTo === undefined) === (drop !== true)) {
      throw new TypeError(`removeLabel expects { reassignTo: label } or { drop: true } as its second argument, got ${describe(how)}.`);
    }
    const to = reassignTo === undefined ? null : named('reassignTo', reassignTo);
    return this.change({ kind: 'remove', label: named('The label to remove', label), reassignTo: to });
  }

  private async change(change: LabelEdit): Promise<LabelChangeResult> {
    const { session } = this;
    const gone = retiredBy(change);
    const shipped = session.featurizer.shipped?.labels ?? [];
    if (shipped.includes(gone)) {
      throw new RangeError(
        `${JSON.stringify(gone)} is a label of the Teachable Machine export this model starts from: its shipped head answers it, so it cannot be renamed or removed.`,
      );
    }
    // Checked here for a quick answer, and again inside the transaction against the stored labels (another tab).
    assertLabelChange(session.labels, change);
    return session.tabs.exclusive(() => this.apply(change));
  }

  private async apply(change: LabelEdit): Promise<LabelChangeResult> {
    const { session } = this;
    await session.recorder.flush();
    // Work that started on the old labels (a training without another tab's lock, a label check) must not store or
    // install its result over the changed one.
    session.training.stopRunning('The labels changed during training; train again.');
    session.generation += 1;
    const decisionId = crypto.randomUUID();
    const gone = retiredBy(change);
    const to = change.kind === 'rename' ? change.to : change.reassignTo;
    const outcome = await session.store.changeLabels({ ...change, decisionId }, (counts) => {
      const entry: LogRecord = {
        kind: 'relabel',
        time: Date.now(),
        exampleId: '',
        modelVersion: session.serving.modelVersion,
        decisionId,
        previousLabel: gone,
        detail: describeChange(change, counts),
      };
      if (to !== null) entry.label = to;
      return entry;
    });
    const { labels, labelsRevision, retiredLabels } = outcome.meta;
    session.meta = {
      ...session.meta,
      labels,
      ...(labelsRevision !== undefined ? { labelsRevision } : {}),
      ...(retiredLabels ? { retiredLabels } : {}),
    };
    await this.reload(change, outcome);
    session.emit({ type: 'labels-changed', key: session.key, labels: [...session.labels] });
    session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
    session.queue.emitSize();
    if (session.serving.hasHead) session.training.refreshLabelCheck();
    session.training.scheduleAuto();
    session.drift.poke();
    return { labels: [...session.labels], changed: outcome.examples, queueItems: outcome.queue, examples: session.examples.size, decisionId };
  }

  /**
   * The memory, head and queue as stored now. A rename keeps every label's position: the memory only renames. A
   * removal moves label positions, so the memory is filled again, each example with the vector it has in memory (a
   * label change changes no input): nothing is featurized again, and the swap has no await in it, so predictions
   * never see labels and memory out of step.
   */
  private async reload(change: LabelEdit, outcome: LabelChangeOutcome): Promise<void> {
    const { session } = this;
    if (change.kind === 'rename') {
      session.labelCheck.forget();
      session.examples.rename(change.from, change.to);
      if (outcome.weights) session.serving.install(outcome.weights);
      session.queue.load(outcome.queued);
      session.labelCheck.sync();
      return;
    }
    const loaded = await session.store.load();
    session.labelCheck.forget();
    const examples = loaded.examples.map((example) => {
      const vector = example.vector ?? session.examples.vector(example.id);
      if (!vector) return example;
      const { input: _input, ...rest } = example;
      return { ...rest, vector };
    });
    await session.hydrate({ ...loaded, examples, meta: session.meta });
  }
}
