import type { OutOfFoldReport, SuspiciousLabel } from '../../src/protocol.js';
import { assignFolds, eligibleClasses, findSuspects, FOLDS, outOfFoldFigures, type OutOfFold, type Suspect } from '../audit/label-check.js';
import { inputView } from '../audit/log-records.js';
import { awaitBackground, backgroundBreather } from '../background.js';
import { nextTask, ServingHead, trainHeads } from '../learning/head.js';
import type { ExampleRecord, Vector } from '../storage/index.js';
import { abortError } from './errors.js';
import type { ModelSession } from './model-session.js';

/**
 * Past this many labels only the newest this many are checked: the five fold heads train in one pass over the batch
 * (as the calibration head does), which costs about two and a half trainings of the served head on text, and the
 * check must not hold the next training back for long.
 */
export const CHECK_MAX_EXAMPLES = 4_000;

interface CheckState {
  /** The example id of each out-of-fold row. */
  ids: string[];
  oof: OutOfFold;
  /** The model's labels when checked: label indices in `oof` and `suspects` point into it. */
  labels: string[];
  modelVersion: number;
  suspects: Suspect[];
  /** Labels left out past CHECK_MAX_EXAMPLES (the oldest). */
  skipped: number;
}

/** A label flagged now: the check doubts it, nobody changed it since, and nobody kept it against this suggestion. */
interface Flag {
  id: string;
  label: string;
  suggested: string;
  confidence: number;
}

/**
 * The check on the human labels (audit/label-check.ts): out-of-fold predictions of every labelled example, refreshed
 * after each training, and the labels they contradict. A flagged label is never changed here: it is held out of the
 * memory's answers (Examples.hold) until a person confirms or changes it, and it keeps training the head.
 */
export class LabelCheck {
  private state: CheckState | null = null;
  private flags: Flag[] = [];
  private held = new Set<string>();

  constructor(private readonly session: ModelSession) {}

  /** Out-of-fold predictions of the current labels with the served head's hyperparameters and calibration. */
  async refresh(): Promise<void> {
    const { session } = this;
    const generation = session.generation;
    const all = session.examples.snapshot();
    const from = Math.max(0, all.ids.length - CHECK_MAX_EXAMPLES);
    const ids = all.ids.slice(from);
    const vectors = all.vectors.slice(from);
    const targets = all.targets.slice(from);
    const labels = [...session.labels];
    const classes = labels.length;
    const eligible = eligibleClasses(targets, classes);
    if (eligible.filter(Boolean).length < 2) {
      this.state = null;
      this.sync();
      return;
    }
    const folds = assignFolds(targets, classes, FOLDS);
    const { rows } = session.training.trainingRows(vectors);
    const shouldStop = () => {
      if (session.generation !== generation) return abortError('The model was reset during the label check.');
      // A newer training refreshes the check after it: this one would only hold it back.
      if (session.training.hasWaiting) return abortError('A newer training replaces this label check.');
      return null;
    };
    const modelVersion = session.serving.modelVersion;
    const temperature = session.serving.calibration?.temperature ?? 1;
    const pass = (without: ReadonlySet<number>) =>
      this.outOfFold({ rows, targets, classes, labels, folds, without, temperature, inputDim: session.inputDim(), shouldStop });
    // Two passes, as in confident learning's prune-then-refit: the wrong labels a first pass finds pulled every fold's
    // head toward them, so right labels near a class boundary looked wrong too. The second pass trains without the
    // first pass's suspects (each row is still predicted by heads that never saw it) and flags what it contradicts.
    const firstProbs = await pass(new Set());
    const first = findSuspects({ targets, probs: firstProbs, classes }, eligible);
    const probs = first.length > 0 ? await pass(new Set(first.map((s) => s.row))) : firstProbs;
    const oof: OutOfFold = { targets, probs, classes };
    this.state = { ids, oof, labels, modelVersion, suspects: findSuspects(oof, eligible), skipped: from };
    this.sync(true);
  }

  /**
   * Out-of-fold probabilities of every row (row-major, with the served head's temperature): one head per fold, each
   * trained without its fold and without the rows in `without`, predicting its fold.
   */
  private async outOfFold(options: {
    rows: readonly Vector[];
    targets: Int32Array;
    classes: number;
    labels: string[];
    folds: Int32Array;
    without: ReadonlySet<number>;
    temperature: number;
    inputDim: number;
    shouldStop: () => Error | null;
  }): Promise<Float32Array> {
    const { rows, targets, classes, labels, folds, without, temperature, inputDim, shouldStop } = options;
    const subsets = Array.from({ length: FOLDS }, (_, k) => Uint8Array.from(folds, (f, i) => (f === k || without.has(i) ? 0 : 1)));
    // Nobody waits for this: it gives way to predictions (background.ts).
    // The served head's penalty (feature-choice.ts), so each fold's head is the served one without its fold.
    const penalty = this.session.featureChoice.penalty;
    const heads = await trainHeads({
      rows: [...rows],
      targets,
      classes,
      inputDim,
      subsets,
      shouldStop,
      breathe: backgroundBreather(),
      ...penalty,
    });
    const probs = new Float32Array(targets.length * classes);
    for (let k = 0; k < FOLDS; k++) {
      const members = [...folds.keys()].filter((i) => folds[i] === k);
      const head = new ServingHead({ ...heads[k]!, labels });
      let raw: Float32Array;
      try {
        raw = await head.predict(members.map((i) => rows[i]!));
      } finally {
        head.dispose();
      }
      // With the served head's temperature. Not with the nearest-example vote serving blends in: one wrong label
      // would sway its near neighbours' out-of-fold votes and get them flagged too (seen in label-check.test.ts).
      members.forEach((i, m) => {
        const logits = Array.from(raw.subarray(m * classes, (m + 1) * classes), (p) => Math.log(Math.max(p, 1e-30)) / temperature);
        const max = Math.max(...logits);
        const exp = logits.map((z) => Math.exp(z - max));
        const sum = exp.reduce((a, b) => a + b, 0);
        for (let c = 0; c < classes; c++) probs[i * classes + c] = exp[c]! / sum;
      });
      await nextTask();
      const stop = shouldStop();
      if (stop) throw stop;
    }
    return probs;
  }

  /**
   * Flags from the last check, less labels changed since (a person's newer decision) or kept against the same
   * suggestion; holds the flagged examples out of the memory and releases the others. Call after any label change.
   * Pages hear of it when the count changes, or always after a new check (`announce`).
   */
  sync(announce = false): void {
    const { examples } = this.session;
    const before = this.flags.length;
    const flags: Flag[] = [];
    const state = this.state;
    if (state) {
      for (const s of state.suspects) {
        const id = state.ids[s.row]!;
        const label = state.labels[s.label]!;
        const suggested = state.labels[s.suggested]!;
        if (examples.label(id)?.label !== label || examples.confirmedAgainst(id) === suggested) continue;
        flags.push({ id, label, suggested, confidence: s.confidence });
      }
    }
    const flagged = new Set(flags.map((f) => f.id));
    for (const id of this.held) if (!flagged.has(id)) examples.release(id);
    for (const id of flagged) examples.hold(id);
    this.held = flagged;
    this.flags = flags;
    if (flags.length !== before || announce) {
      this.session.emit({ type: 'label-check', key: this.session.key, suspicious: flags.length, modelVersion: state?.modelVersion ?? 0 });
    }
  }

  /** The flag on one example, if any. */
  flagOf(id: string): Flag | undefined {
    return this.held.has(id) ? this.flags.find((f) => f.id === id) : undefined;
  }

  get count(): number {
    return this.flags.length;
  }

  /** Flagged labels, most contradicted first, once the trainings and checks asked for so far have ended. */
  async suspicious(limit: number): Promise<SuspiciousLabel[]> {
    const { session } = this;
    await awaitBackground(() => session.training.idle());
    this.sync();
    const top = this.flags.slice(0, limit);
    if (top.length === 0) return [];
    const stored = await this.storedExamples(top.map((f) => f.id));
    return top.map((flag) => {
      const record = stored.get(flag.id);
      const annotator = session.examples.label(flag.id)?.annotator;
      return {
        id: flag.id,
        ...(record?.input !== undefined ? { input: inputView(record.input) } : {}),
        label: flag.label,
        suggested: flag.suggested,
        confidence: flag.confidence,
        annotator: annotator ?? null,
      };
    });
  }

  /** The stored records of some examples: a second look keeps their raw input, and shows it. */
  async storedExamples(ids: readonly string[]): Promise<Map<string, ExampleRecord>> {
    const wanted = new Set(ids);
    const { examples } = await this.session.store.load();
    return new Map(examples.filter((e) => wanted.has(e.id)).map((e) => [e.id, e]));
  }

  /** Per-label figures of the out-of-fold predictions against the labels given; null before a check. */
  report(): OutOfFoldReport | null {
    const state = this.state;
    if (!state) return null;
    return {
      modelVersion: state.modelVersion,
      examples: state.ids.length,
      skipped: state.skipped,
      folds: FOLDS,
      suspicious: this.flags.length,
      perClass: outOfFoldFigures(state.oof, state.labels),
    };
  }

  /** A reset: no check, nothing held. */
  forget(): void {
    this.state = null;
    this.flags = [];
    this.held = new Set();
  }
}
