import type { RankScore } from '../../src/protocol.js';
import type { Vector } from '../storage/index.js';
import type { ComparisonRecord } from '../storage/ranker-records.js';
import { BradleyTerry, type Pair } from './bt-model.js';
import { calibrated, type Calibration } from './calibration.js';
import { chooseL2, DEFAULT_L2, type OutOfFold } from './cross-validation.js';
import type { Outcomes } from './davidson.js';
import { difference, scalingOf, toRow, type Row, type Scaling } from './sparse.js';

/**
 * Work one comparison may spend on refitting at once (pair-column products): below it every comparison is followed by
 * a full warm refit, above it by the one-pair step alone until the next training (a few ms either way).
 */
const REFIT_BUDGET = 3_000_000;

const OUTCOME_SIGN = { a: 1, b: -1, tie: 0 } as const;

/**
 * The learnt preference: a Bradley–Terry–Davidson model over the comparisons a ranker holds. It owns the rows (items
 * scaled as the model reads them), the model, and the figures of its last cross-validation; the session feeds it
 * comparisons and asks it for scores.
 */
export class PreferenceModel {
  private model: BradleyTerry;
  private scaling: Scaling | null = null;
  private pairs: Pair[] = [];
  /** What the last cross-validation chose and measured; null before one (or after a reset). */
  chosenL2: number | null = null;
  outOfFold: OutOfFold | null = null;
  /**
   * How the served probabilities read the model's moderated score differences, fitted to the last cross-validation's
   * held-out predictions; null (the model's own probabilities) before one or after a reset.
   */
  calibration: Calibration | null = null;

  constructor(
    private readonly dim: () => number,
    /** The comparisons as they are now (the session's), for a training that gave way while new ones came. */
    private readonly records: () => readonly ComparisonRecord[],
  ) {
    this.model = new BradleyTerry(0, DEFAULT_L2);
  }

  /** The tie parameter the served probabilities use (the calibration's, once fitted). */
  get theta(): number {
    return this.calibration?.theta ?? this.model.theta;
  }

  get l2(): number {
    return this.model.l2;
  }

  row(vector: Vector): Row {
    return toRow(vector, this.scaling);
  }

  /** A model of the right size: a numeric ranker learns its row length from its first comparison. */
  private ensureSize(): void {
    const dim = this.dim();
    if (this.model.dim !== dim) this.model = new BradleyTerry(dim, this.model.l2);
  }

  /** Rebuilds rows and pairs from every comparison (the scaling follows the items compared). */
  private rebuild(records: readonly ComparisonRecord[]): void {
    this.ensureSize();
    this.scaling = scalingOf(records.flatMap((r) => [r.a.vector, r.b.vector]));
    this.pairs = records.map((r) => ({ diff: difference(this.row(r.a.vector), this.row(r.b.vector)), y: OUTCOME_SIGN[r.outcome] }));
  }

  private work(): number {
    const columns = this.pairs.reduce((sum, pair) => sum + pair.diff.idx.length, 0);
    return columns + this.model.dim;
  }

  /**
   * Learns from the newest comparison at once (a one-pair Newton step), then refits warm on all of them while that
   * stays within REFIT_BUDGET.
   */
  learn(records: readonly ComparisonRecord[]): void {
    const newest = records.at(-1);
    if (!newest) return;
    this.ensureSize();
    const scalingBefore = this.scaling;
    if (this.scaling === null) this.scaling = scalingOf([newest.a.vector, newest.b.vector]);
    this.model.learnOne({ diff: difference(this.row(newest.a.vector), this.row(newest.b.vector)), y: OUTCOME_SIGN[newest.outcome] });
    const budget = Math.floor(REFIT_BUDGET / Math.max(1, this.work()));
    if (budget >= 5 || scalingBefore === null) {
      this.rebuild(records);
      this.model.fit(this.pairs, Math.min(100, Math.max(5, budget)));
    } else {
      this.pairs.push({ diff: difference(this.row(newest.a.vector), this.row(newest.b.vector)), y: OUTCOME_SIGN[newest.outcome] });
    }
  }

  /** Refits on every comparison from the current weights (after an undo, another tab's change, an import). */
  refit(records: readonly ComparisonRecord[]): void {
    this.rebuild(records);
    if (records.length === 0) {
      this.model = new BradleyTerry(this.model.dim, this.model.l2);
      return;
    }
    this.model.fit(this.pairs);
  }

  /** Chooses the L2 strength by cross-validation on the comparisons, then fits all of them with it. */
  async train(records: readonly ComparisonRecord[]): Promise<void> {
    this.rebuild(records);
    const pairs = this.pairs;
    const choice = await chooseL2(this.model, pairs);
    // Comparisons that arrived while it chose were learnt from meanwhile: refit on all of them.
    if (this.pairs !== pairs) this.rebuild(this.records());
    if (choice) {
      this.chosenL2 = choice.l2;
      this.outOfFold = choice.outOfFold;
      this.calibration = choice.calibration;
      this.model.l2 = choice.l2;
    }
    this.model.fit(this.pairs);
  }

  reset(): void {
    this.model = new BradleyTerry(this.model.dim, DEFAULT_L2);
    this.scaling = null;
    this.pairs = [];
    this.chosenL2 = null;
    this.outOfFold = null;
    this.calibration = null;
  }

  score(vector: Vector): RankScore {
    if (this.model.dim === 0) return { score: 0, uncertainty: Math.sqrt(1 / this.model.l2) };
    const row = this.row(vector);
    return { score: this.model.score(row), uncertainty: this.model.uncertainty(row) };
  }

  /** The outcome probabilities a page is given: the model's, through the calibration once one was fitted. */
  outcome(a: Vector, b: Vector): Outcomes {
    const diff = this.model.dim === 0 ? { idx: new Int32Array(0), val: new Float64Array(0) } : difference(this.row(a), this.row(b));
    return this.calibration ? calibrated(this.model.margin(diff), this.calibration) : this.model.outcome(diff);
  }

  /**
   * The model itself, for pair selection (read only), sized for rows of `rowLength` when it has learnt nothing yet (a
   * numeric ranker knows its row length only from its first comparison or from the pool it is asked about).
   */
  sizedFor(rowLength: number): BradleyTerry {
    const dim = this.dim() || rowLength;
    if (this.model.dim !== dim && this.pairs.length === 0) this.model = new BradleyTerry(dim, this.model.l2);
    return this.model;
  }

  /** The comparisons as the model reads them (rows scaled as pool rows are now), for the posterior of pair selection. */
  get compared(): readonly Pair[] {
    return this.pairs;
  }
}
