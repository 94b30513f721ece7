import type { RankerFeatures, RankScore } from '../../src/protocol.js';
import type { ComparedItem, ComparisonRecord } from '../storage/ranker-records.js';
import { BradleyTerry, type Pair } from './bt-model.js';
import { calibrated, type Calibration } from './calibration.js';
import { chooseL2, DEFAULT_L2, MIN_FOR_CHOICE, type Choice, type OutOfFold } from './cross-validation.js';
import type { Outcomes } from './davidson.js';
import { DEFAULT_VIEW, FEATURE_VIEWS, sameView, ViewRows, type CountScale, type FeatureView, type ViewItem } from './feature-views.js';
import { difference, scalingOf, toRow, type Row, type Scaling } from './sparse.js';

/**
 * Work one comparison may spend on refitting at once (pair-column products): below it every comparison is followed by
 * a full warm refit, above it by the one-pair step alone until the next training (a few ms either way).
 */
const REFIT_BUDGET = 3_000_000;

const OUTCOME_SIGN = { a: 1, b: -1, tie: 0 } as const;

/**
 * The feature view is chosen again each time the comparisons have grown by this factor since the last choice (as the
 * classifier's feature choice): a choice cross-validates every view, six times a training's work.
 */
const VIEW_CHOICE_GROWTH = 2;

/** What the last feature-view choice chose, on how many comparisons, and each view's out-of-fold log-likelihood. */
export interface ViewChoice {
  view: FeatureView;
  comparisons: number;
  candidates: { view: FeatureView; logLoss: number; evidence: number }[];
}

/** A stored comparison's item as the views read it: the vector, and the text where the ranker keeps inputs. */
function viewItem(item: ComparedItem): ViewItem {
  return typeof item.input === 'string' ? { vector: item.vector, text: item.input } : { vector: item.vector };
}

/**
 * The view to use: the one whose comparisons' Laplace evidence, each at its own L2 strength, is highest — the views
 * are models of the same comparisons, and their evidence compares them as it compares strengths (evidence.ts). The
 * out-of-fold loss is not used here: when the ranker picked the pairs itself it measures the views on pairs close in
 * score, and at the strength the evidence chose it is not each view's best (docs/ranking.md). Ties keep the current
 * view, since a new view refits from zeros and moves every answer.
 */
function pickView(tried: readonly { view: FeatureView; choice: Choice }[], current: FeatureView): { view: FeatureView; choice: Choice } {
  const base = tried.find((t) => sameView(t.view, current));
  return tried.reduce((a, b) => (b.choice.evidence > a.choice.evidence ? b : a), base ?? tried[0]!);
}

/**
 * The learnt preference: a Bradley–Terry–Davidson model over the comparisons a ranker holds. It owns the rows (items
 * scaled as the model reads them), the model, and the figures of its last cross-validation; the session feeds it
 * comparisons and asks it for scores.
 */
export class PreferenceModel {
  private model: BradleyTerry;
  private scaling: Scaling | null = null;
  private pairs: Pair[] = [];
  /** What the model reads of a text item (feature-views.ts): the default until a training chooses. */
  view: FeatureView = DEFAULT_VIEW;
  private countScale: CountScale = { ngrams: 1, short: 1 };
  /** The last feature-view choice; null before one, after a reset, and for rankers whose items are not n-gram text. */
  viewChoice: ViewChoice | null = null;
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
    /** Whether items are text featurised as hashed n-grams, so the views of feature-views.ts can be chosen. */
    private readonly textViews = false,
  ) {
    this.model = new BradleyTerry(0, DEFAULT_L2);
  }

  /** The view in use, as stats() reports it: null before a choice, or when the comparisons forced the default back. */
  features(): RankerFeatures | null {
    const choice = this.viewChoice;
    if (!choice || !sameView(choice.view, this.view)) return null;
    return { counts: choice.view.counts, shortGramShare: choice.view.shortGramShare, comparisons: choice.comparisons };
  }

  /** The tie parameter the served probabilities use (the calibration's, once fitted). */
  get theta(): number {
    return this.calibration?.theta ?? this.model.theta;
  }

  get l2(): number {
    return this.model.l2;
  }

  /** The row the model reads for an item, under the current view (`rows` caches texts' grams within a rebuild). */
  row(item: ViewItem, rows = new ViewRows()): Row {
    return toRow(rows.vector(item, this.view, this.countScale), this.scaling);
  }

  /** The comparisons' rows under `view`, with the counts view's divisors from their items. */
  private pairsUnder(records: readonly ComparisonRecord[], view: FeatureView, rows: ViewRows): { pairs: Pair[]; countScale: CountScale } {
    const items = records.flatMap((r) => [viewItem(r.a), viewItem(r.b)]);
    const countScale = view.counts ? rows.scaleOf(items) : { ngrams: 1, short: 1 };
    const row = (item: ComparedItem) => toRow(rows.vector(viewItem(item), view, countScale), this.scaling);
    return { pairs: records.map((r) => ({ diff: difference(row(r.a), row(r.b)), y: OUTCOME_SIGN[r.outcome] })), countScale };
  }

  /** A model of the right size: a numeric ranker learns its row length from its first comparison. */
  private ensureSize(): void {
    const dim = this.dim();
    if (this.model.dim !== dim) this.model = new BradleyTerry(dim, this.model.l2);
  }

  /**
   * Rebuilds rows and pairs from every comparison (the scaling and the counts' divisors follow the items compared).
   * Comparisons stored without their text (keepInputs: false) can only be read under the default view.
   */
  private rebuild(records: readonly ComparisonRecord[]): void {
    this.ensureSize();
    if (
      !ViewRows.readable(
        this.view,
        records.flatMap((r) => [viewItem(r.a), viewItem(r.b)]),
      )
    )
      this.useView(DEFAULT_VIEW);
    this.scaling = scalingOf(records.flatMap((r) => [r.a.vector, r.b.vector]));
    const { pairs, countScale } = this.pairsUnder(records, this.view, new ViewRows());
    this.pairs = pairs;
    this.countScale = countScale;
  }

  /** Switches the view; the weights, which belong to the old view's columns, start again from zero. */
  private useView(view: FeatureView): void {
    if (sameView(view, this.view)) return;
    this.view = view;
    this.model = new BradleyTerry(this.model.dim, this.model.l2);
  }

  /** True when a training should choose the view: text rankers, every text kept, and enough new comparisons. */
  private viewChoiceDue(records: readonly ComparisonRecord[]): boolean {
    if (!this.textViews || records.length < MIN_FOR_CHOICE) return false;
    if (this.viewChoice && records.length < VIEW_CHOICE_GROWTH * this.viewChoice.comparisons) return false;
    return records.every((r) => typeof r.a.input === 'string' && typeof r.b.input === 'string');
  }

  /** Cross-validates every view (each over the L2 grid) on the comparisons and picks one by pickView. */
  private async chooseView(records: readonly ComparisonRecord[]): Promise<{ view: FeatureView; choice: Choice } | null> {
    const rows = new ViewRows();
    const tried: { view: FeatureView; choice: Choice }[] = [];
    for (const view of FEATURE_VIEWS) {
      const choice = await chooseL2(this.model, this.pairsUnder(records, view, rows).pairs);
      if (choice) tried.push({ view, choice });
    }
    if (tried.length === 0) return null;
    const picked = pickView(tried, this.view);
    this.viewChoice = {
      view: picked.view,
      comparisons: records.length,
      candidates: tried.map((t) => ({
        view: t.view,
        logLoss: t.choice.losses.reduce((sum, x) => sum + x, 0) / t.choice.losses.length,
        evidence: t.choice.evidence,
      })),
    };
    return picked;
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
    const [a, b] = [viewItem(newest.a), viewItem(newest.b)];
    // A comparison without its text cannot be read under a view that needs it: the default view takes over.
    if (!ViewRows.readable(this.view, [a, b])) {
      this.refit(records);
      return;
    }
    const pair = { diff: difference(this.row(a), this.row(b)), y: OUTCOME_SIGN[newest.outcome] };
    this.model.learnOne(pair);
    const budget = Math.floor(REFIT_BUDGET / Math.max(1, this.work()));
    if (budget >= 5 || scalingBefore === null) {
      this.rebuild(records);
      this.model.fit(this.pairs, Math.min(100, Math.max(5, budget)));
    } else {
      this.pairs.push(pair);
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

  /**
   * Chooses the L2 strength by cross-validation on the comparisons (and, when due, the feature view with it), then
   * fits all of them with it.
   */
  async train(records: readonly ComparisonRecord[]): Promise<void> {
    this.rebuild(records);
    const pairs = this.pairs;
    const viewBefore = this.view;
    let choice: Choice | null;
    if (this.viewChoiceDue(records)) {
      const picked = await this.chooseView(records);
      if (picked) this.useView(picked.view);
      choice = picked?.choice ?? null;
    } else {
      choice = await chooseL2(this.model, pairs);
    }
    // Comparisons that arrived while it chose were learnt from meanwhile (under the view before): refit on all of them.
    if (this.pairs !== pairs || !sameView(viewBefore, this.view)) this.rebuild(this.records());
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
    this.view = DEFAULT_VIEW;
    this.viewChoice = null;
  }

  score(item: ViewItem): RankScore {
    if (this.model.dim === 0) return { score: 0, uncertainty: Math.sqrt(1 / this.model.l2) };
    const row = this.row(item);
    return { score: this.model.score(row), uncertainty: this.model.uncertainty(row) };
  }

  /** The outcome probabilities a page is given: the model's, through the calibration once one was fitted. */
  outcome(a: ViewItem, b: ViewItem): Outcomes {
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
