import type { FeatureChoice as FeatureChoiceReport } from '../../src/protocol.js';
import { isEncoderText, type EncoderText } from '../featurizers/featurizer.js';
import { encoderView } from '../featurizers/encoder-view.js';
import { TextNgrams } from '../featurizers/text-ngrams.js';
import { countScaleOf, extraGroup, headView } from '../featurizers/head-views.js';
import { joinShortGrams } from '../featurizers/text-short-grams.js';
import { headRow, isSparse, type SparseVector, type Vector } from '../featurizers/vector.js';
import { backgroundBreather } from '../background.js';
import { breather } from '../learning/head.js';
import { byScaledLikelihood, chooseCandidate, crossValidate } from '../learning/model-selection.js';
import { solvedToConvergence } from '../learning/dense-solver.js';
import { sparseStepWork } from '../learning/sparse-head.js';
import { eligibleClasses } from '../audit/label-check.js';
import type { FeatureChoiceRecord, HeadExtra, TextGroup } from '../storage/index.js';
import { isAbort } from './errors.js';
import type { ModelSession } from './model-session.js';

/**
 * The short character grams' shares tried: none (the n-grams alone, the default), a quarter and a half of the
 * head's features. Between them they span "words decide" to "letters decide"; finer steps would cost a training per
 * step for differences the folds cannot resolve at these label counts.
 */
export const SHORT_GRAM_SHARES = [0, 0.25, 0.5] as const;
/**
 * The words' shares tried (head-views.ts): a half, the share at which the n-gram vector joined with its own word
 * unigrams and bigrams was measured (docs/learning.md, feature choice) and which the likelihood picked on short
 * paraphrased requests. No quarter: each candidate costs one more cross-validated training at every choice, and a
 * half is the existing step; a task that wants less of the words keeps the n-grams alone (share 0).
 */
export const WORD_SHARES = [0.5] as const;
/**
 * The letters' counts' shares tried (head-views.ts): a half, the letters' own largest step, and, as for the words,
 * one step only, for the cost of a cross-validated training per candidate at every choice.
 */
export const COUNT_SHARES = [0.5] as const;

/**
 * The embedding's shares tried for a model with a text encoder, besides the vectors as joined (share 0, which is the
 * featurizer's own share, ½ by default): a quarter and three quarters, where one part weighs three times the other. The
 * steps are even on the log-odds of the share (1:3, 1:1, 3:1), so the grid favours neither the n-grams nor the
 * embedding before the labels speak; as for the letters, each further step (9:1 and 1:9 would be the next) costs
 * two more cross-validated trainings at every choice, for differences the folds resolve less well the further out
 * they lie. Chosen on these grounds, not measured on a benchmark.
 */
export const ENCODER_SHARES = [0.25, 0.75] as const;

/**
 * The L2 strengths tried for a dense head solved to convergence (dense-solver.ts): decades, two either side of the
 * head's default (1e-4). Converged, the strength decides how far the weights go, and tasks differ: on Seattle weather
 * the weakest did best (rain is read off precipitation just above 0, which takes large weights), on penguins and iris
 * 1e-4 (measured with λ fixed, docs/learning.md). Decades, because the out-of-fold likelihood moves little between
 * closer steps at these label counts, and each step costs five more (fast) solves at every choice.
 */
export const PENALTIES = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6] as const;

/**
 * The L2 strengths tried for a text head besides its default (1e-4, head.ts), on the view chosen: one and two decades
 * stronger. The sparse head stops after a fixed number of Adam steps, so a weaker penalty changes the fit mainly where
 * the labels are separable, and there the out-of-fold likelihood asks for it with nothing to tell it apart (every
 * fold right): paraphrase then lost 4–9 points on its reworded test sentences (docs/learning.md, *The strength on
 * the view chosen*). Where labels are noisy a stronger one pays: cmudict gained up to 4 points at 50–400 labels.
 * The rare-gram prior (rare-grams.ts) is tried beside them at each of these strengths and the default: weaker on rare
 * n-grams and stronger on common ones than the strength it scales, so it does not let every weight grow as a weaker
 * strength would.
 */
export const TEXT_PENALTIES = [1e-3, 1e-2] as const;

/**
 * What a head reads and how it is fitted: for text, the n-grams joined with `extra` at `share` (share 0: the n-grams
 * alone, whatever `extra`); for a dense head, its L2 strength (`l2`), the features as they are.
 */
export interface HeadView {
  extra: HeadExtra;
  share: number;
  l2?: number;
  /** A text head's L2 scaled column by column by how rare each n-gram is (rare-grams.ts). */
  rareGrams?: true;
}

/** A dense head's candidates: its own rows at each of PENALTIES. */
const PENALTY_VIEWS: readonly HeadView[] = PENALTIES.map((l2) => ({ extra: 'letters', share: 0, l2 }));

/** Every view tried at a choice, the n-grams alone first. */
export const HEAD_VIEWS: readonly HeadView[] = [
  ...SHORT_GRAM_SHARES.map((share): HeadView => ({ extra: 'letters', share })),
  ...WORD_SHARES.map((share): HeadView => ({ extra: 'words', share })),
  ...COUNT_SHARES.map((share): HeadView => ({ extra: 'counts', share })),
];
/** Fewer labels than this and five folds hold a handful of examples each: the choice would be noise. */
export const CHOICE_MIN_EXAMPLES = 40;
/**
 * The newest this many labels are cross-validated: enough to tell candidates a point apart (the standard error of
 * a paired difference is about 1 point here), and a bounded cost at the start of a training. With 2,000 it took
 * 88–108 s on 2,000 e-mails on a loaded 2-core machine (load ≈ 14) before the first training.
 */
export const CHOICE_MAX_EXAMPLES = 1_000;
/**
 * Up to this many labels the choice is made at the start of a training, which it then delays by about as long as
 * three trainings with the label check's five folds (well under a second on 300 e-mails on 2 cores); past it, in the
 * background after the training.
 */
export const CHOICE_INLINE_MAX = 300;
/**
 * An inline choice's bound on work as well as labels: one step of a candidate's cross-validated heads
 * (sparseStepWork), over the labels chosen on. Its value is what CHOICE_INLINE_MAX's labels came to on the longest
 * texts the bound was set with, SpamAssassin's 300 e-mails (4.9 million), so that bound's cost holds now also for many
 * classes or long texts: 13 classes of passages of 300 characters or more came to 5.5 million at 100 labels and 10.1 million at
 * 200, and the trainings that chose inline there took 22 and 28–36 s (docs/learning.md, More tasks). Past it the
 * choice is made in the background after the training, like a choice on more labels, a model's first choice too.
 */
export const CHOICE_INLINE_WORK = 5e6;
/** The choice is made again each time the labels have grown by this factor since the last one. */
const CHOICE_GROWTH = 2;
const FOLDS = 5;
/** Rounds of views for labels that arrived while follow made the previous round's (see follow). */
const FOLLOW_ROUNDS = 4;

/** A model with a text encoder: its vectors as joined (share 0), then each of ENCODER_SHARES but the joined one's. */
export function encoderViews(joinedShare: number): HeadView[] {
  return [0, ...ENCODER_SHARES.filter((share) => share !== joinedShare)].map((share) => ({ extra: 'encoder', share }));
}

/**
 * Which features a text model's head reads, chosen by cross-validation on the model's own labels: the n-grams alone
 * or joined with a group that weighs letters or words more, or counts the letters (head-views.ts), at the share that predicts the held-out
 * labels best (HEAD_VIEWS); with a text encoder, the embedding's share of the vector (encoderViews), which needs no
 * text, so it is chosen whether or not the model keeps its inputs. An n-gram head's L2 strength is chosen next, on the
 * view chosen (TEXT_PENALTIES). A numeric or image model whose head is solved to convergence chooses its L2 strength
 * alone (PENALTIES); past the solver's size it keeps the last choice.
 * It runs when the labels have doubled since the last choice: at the start of a training while the labels are few
 * enough for that to be quick (the head that training installs then reads what was chosen; a new choice makes it a
 * training from zeros), and otherwise in the background after the training, for the next training to apply. The
 * memory never changes with it.
 */
export class FeatureChoice {
  /** The follow in progress (or the last one), which the next one waits for. */
  private following: Promise<void> = Promise.resolve();

  constructor(private readonly session: ModelSession) {}

  /** The text featurizer with an encoder, when it is this model's. */
  private get encoder(): EncoderText | null {
    const { featurizer } = this.session;
    return isEncoderText(featurizer) ? featurizer : null;
  }

  /** The views this model chooses among; empty when it chooses none. */
  private get candidates(): readonly HeadView[] {
    const encoder = this.encoder;
    if (encoder) return encoderViews(encoder.share);
    if (this.ngrams) return HEAD_VIEWS;
    return this.solvesDense ? PENALTY_VIEWS : [];
  }

  /**
   * True for a numeric or image model whose choice would be cross-validated with heads solved to convergence: the
   * L2 strength matters there, where a fixed number of Adam steps stops before it does (docs/learning.md). A shipped
   * head (a Teachable Machine export's) keeps the default pull toward it.
   */
  private get solvesDense(): boolean {
    const { session } = this;
    if (session.spec.input === 'text' || session.featurizer.shipped) return false;
    const rows = Math.min(session.examples.size, CHOICE_MAX_EXAMPLES);
    return solvedToConvergence(rows, session.inputDim(), session.labels.length);
  }

  /** The n-gram featurizer, when it is this model's and every label's text is kept (the views need the texts). */
  private get ngrams(): TextNgrams | null {
    const { featurizer, handles } = this.session;
    return featurizer instanceof TextNgrams && handles.keepInputs ? featurizer : null;
  }

  /** The L2 strength chosen for the head; undefined before a choice and for an encoder model (the head's default). */
  get l2(): number | undefined {
    return this.session.meta.featureChoice?.l2;
  }

  /** Whether the head's L2 holds rare n-grams less firmly (rare-grams.ts): a text head's choice, never a default. */
  get rareGrams(): boolean {
    return this.session.meta.featureChoice?.rareGrams === true;
  }

  /** The head's penalty as trainHeads, trainCalibrated and trainWarm take it. */
  get penalty(): { l2?: number; rareGrams?: true } {
    const { l2, rareGrams } = this;
    return { ...(l2 !== undefined ? { l2 } : {}), ...(rareGrams ? { rareGrams } : {}) };
  }

  report(): FeatureChoiceReport | null {
    const choice = this.session.meta.featureChoice;
    if (!choice) return null;
    return {
      shortGramShare: choice.shortGramShare,
      extra: choice.extra ?? 'letters',
      l2: choice.l2 ?? null,
      rareGrams: choice.rareGrams === true,
      candidates: choice.candidates.map((c) => ({ ...c, extra: c.extra ?? 'letters', l2: c.l2 ?? null, rareGrams: c.rareGrams === true })),
      examples: choice.examples,
      time: choice.time,
    };
  }

  /** True when the labels have grown enough since the last choice to choose again. */
  private get due(): boolean {
    const size = this.session.examples.size;
    const last = this.session.meta.featureChoice?.examples ?? 0;
    return this.candidates.length > 0 && size >= CHOICE_MIN_EXAMPLES && size >= CHOICE_GROWTH * last;
  }

  /**
   * At the start of a training, when the choice is due and its labels are few enough to choose at once
   * (CHOICE_INLINE_MAX, CHOICE_INLINE_WORK): chooses and applies, so this training's head reads the choice. A model's first choice is
   * made here whatever the number of labels, on the newest CHOICE_INLINE_MAX of them, at the cost of a choice at that
   * size: left to the background, it was stopped by each newer training, so a model that started from many labels (a
   * bundle imported) and trained as often as a choice took kept the plain n-grams for good. The background then
   * chooses again on all of them (the record counts the labels chosen on, so the next choice is due at twice that).
   * The work bound holds for the first choice too (a first training on many labels of long texts, or of many classes,
   * as after an import, would otherwise wait for a choice on 300 of them before it installs any head): the background
   * makes it after the training, and background training applies it (training.ts). Best effort: a failure leaves the
   * previous choice, and only a reset (`shouldStop`) stops the training too.
   */
  async chooseBeforeTraining(shouldStop: () => Error | null): Promise<void> {
    if (!this.due) return;
    const first = !this.session.meta.featureChoice;
    if (!first && Math.min(this.session.examples.size, CHOICE_MAX_EXAMPLES) > CHOICE_INLINE_MAX) return;
    if (!this.fitsInline()) return;
    try {
      await this.choose(shouldStop, breather(), first ? CHOICE_INLINE_MAX : undefined);
      await this.followChoice();
    } catch (error) {
      if (isAbort(error)) throw error;
      console.warn('hitl-classifier: the feature choice failed; the features stay as they were', error);
    }
  }

  /** Whether a choice on the labels held now is within CHOICE_INLINE_WORK. */
  private fitsInline(): boolean {
    return choiceFitsInline(this.session.examples.snapshot().vectors.slice(-CHOICE_INLINE_MAX), this.session.labels.length);
  }

  /**
   * After a training (in its chain, like the label check), when the choice is still due: chooses in the background,
   * giving way to the page while `behindIt` says no training waits for it, and only records it. Applying it now would
   * leave the served head reading views it was not trained on; the next training applies it (followChoice).
   */
  async chooseInBackground(shouldStop: () => Error | null, behindIt: () => boolean): Promise<void> {
    if (!this.due) return;
    // A training waiting for the choice is work the page asked for (often a train() call in flight, which the
    // background breather would wait for at every yield: 34 s instead of 4 for a choice at 620 labels): with one
    // behind it, the choice yields like a training does.
    const quiet = backgroundBreather();
    const plain = breather();
    try {
      await this.choose(shouldStop, () => (behindIt() ? plain() : quiet()));
    } catch (error) {
      if (!isAbort(error)) console.warn('hitl-classifier: the feature choice failed; the features stay as they were', error);
    }
  }

  /**
   * Chooses on the newest CHOICE_MAX_EXAMPLES labels, or on the newest `cutShort` to choose at once (a first choice on
   * many labels), and records the choice.
   */
  private async choose(shouldStop: () => Error | null, breathe: () => Promise<void>, cutShort?: number): Promise<void> {
    const { session } = this;
    const candidates = this.candidates;
    const encoder = this.encoder;
    const generation = session.generation;
    const all = session.examples.snapshot();
    const from = Math.max(0, all.ids.length - (cutShort ?? CHOICE_MAX_EXAMPLES));
    const ids = all.ids.slice(from);
    const targets = all.targets.slice(from);
    const classes = session.labels.length;
    if (eligibleClasses(targets, classes).filter(Boolean).length < 2) return;
    const dense = candidates === PENALTY_VIEWS;
    // The encoder's views need no text (encoderView), nor do a dense head's strengths; the text groups do.
    const texts = encoder || dense ? [] : await this.texts(ids);
    if (!texts) return;
    // A dense head's rows as training reads them (numbers standardised); text rows as stored, each view made from them.
    const vectors = dense ? session.training.trainingRows(all.vectors.slice(from)).rows : all.vectors.slice(from);
    if (!dense && !vectors.every(isSparse)) return;
    // The counts' divisor from the labels chosen on; kept with the choice, so the head reads what it was chosen with.
    const countScale = candidates.some((c) => c.extra === 'counts') ? countScaleOf(texts) : 1;
    const text = !dense && !encoder;
    // Made ahead, a text at a time between yields: a long text's group costs a few milliseconds, so a thousand of
    // them in one piece held the worker for seconds.
    const groups = new Map<TextGroup, SparseVector[]>();
    for (const { share, extra } of text ? candidates : []) {
      if (share <= 0 || extra === 'encoder' || groups.has(extra)) continue;
      groups.set(extra, await mapYielding(texts, (t) => extraGroup(t, extra, countScale), breathe));
      const stop = shouldStop();
      if (stop) throw stop;
    }
    const groupOf = (extra: TextGroup) => groups.get(extra)!;
    const validate = (tried: readonly HeadView[]) =>
      crossValidate({
        candidates: tried,
        rowsFor: ({ extra, share }) =>
          share <= 0
            ? vectors
            : extra === 'encoder'
              ? vectors.map((v) => encoderView(v as SparseVector, share))
              : vectors.map((v, i) => joinShortGrams(v as SparseVector, groupOf(extra)[i]!, share)),
        l2For: ({ l2 }) => l2,
        rareGramsFor: ({ rareGrams }) => rareGrams === true,
        ...(dense ? {} : { rowsKey: ({ extra, share }: HeadView) => (share <= 0 ? 'n-grams' : `${extra} ${share}`) }),
        temperatureScaled: dense,
        targets,
        classes,
        inputDim: session.inputDim(),
        folds: FOLDS,
        shouldStop,
        breathe,
      });
    const scores = await validate(candidates);
    let stop = shouldStop();
    if (stop) throw stop;
    // The first choice has no choice from labels to protect (the n-grams alone were a default): it takes the best.
    const { featurizer } = session;
    const stored = session.meta.featureChoice;
    const current = !stored
      ? null
      : dense
        ? (candidates.find((c) => c.l2 === stored.l2) ?? null)
        : viewOf(candidates, featurizer.shortGramShare ?? 0, featurizer.extra ?? 'letters');
    let chosen = chooseCandidate(scores, current);
    if (text) {
      // The strength second, on the view chosen: every strength on every view would multiply the cost. The rare-gram
      // prior is a penalty too (a strength, column by column), so it is tried here at each strength, against the
      // plain ones: how firmly the common grams are held and how far the rare ones may go are separate questions
      // (13 classes of passages asked for both: docs/learning.md). Not where the view gets every held-out label right
      // at the plain penalty: there is no error for it to mend, and the likelihood would only reward its surer fit of
      // the labels' own wording.
      const plain = scores.find((s) => s.candidate === chosen)!;
      const rare: HeadView[] =
        plain.accuracy < 1
          ? [undefined, ...TEXT_PENALTIES].map((l2): HeadView => ({ ...chosen, rareGrams: true, ...(l2 !== undefined ? { l2 } : {}) }))
          : [];
      const strengths = await validate([...TEXT_PENALTIES.map((l2): HeadView => ({ ...chosen, l2 })), ...rare]);
      stop = shouldStop();
      if (stop) throw stop;
      // Judged as a dense head's strengths are, at the temperature each would be served with.
      const tried = byScaledLikelihood([plain, ...strengths]);
      // A view kept keeps its strength unless another beats it; a new view (a retrain from zeros anyway) takes the best.
      const kept =
        current === chosen
          ? (tried.find((s) => s.candidate.l2 === stored?.l2 && (s.candidate.rareGrams === true) === (stored?.rareGrams === true))?.candidate ?? null)
          : null;
      chosen = chooseCandidate(tried, kept);
      scores.push(...strengths);
    }
    // An encoder model's choice says 'encoder' at share 0 too: its candidates were shares of the embedding.
    const record: FeatureChoiceRecord = {
      shortGramShare: chosen.share,
      ...(chosen.extra !== 'letters' ? { extra: chosen.extra } : {}),
      ...(chosen.extra === 'counts' && chosen.share > 0 ? { countScale } : {}),
      ...(chosen.l2 !== undefined ? { l2: chosen.l2 } : {}),
      ...(chosen.rareGrams ? { rareGrams: true as const } : {}),
      candidates: scores.map(({ candidate: { share, extra, l2, rareGrams }, accuracy }) => ({
        shortGramShare: share,
        ...(extra !== 'letters' ? { extra } : {}),
        ...(l2 !== undefined ? { l2 } : {}),
        ...(rareGrams ? { rareGrams } : {}),
        accuracy,
      })),
      // The schedule's count: every label, except for a choice cut short, which counts what it read, so the
      // background chooses again on all of them once there are twice that.
      examples: cutShort === undefined ? all.ids.length : ids.length,
      time: Date.now(),
    };
    if (session.generation !== generation) return;
    session.meta = await session.store.saveMeta({ ...session.meta, featureChoice: record });
  }

  /** Before a training: the features of the stored choice (made here, or in another tab, or before a reload). */
  async followChoice(): Promise<void> {
    const chosen = this.session.meta.featureChoice;
    if (chosen) await this.follow(chosen.shortGramShare, chosen.extra, chosen.countScale);
  }

  /**
   * Makes `share` of `extra` (absent: letters; 'counts' over `countScale`) the featurizer's and attaches the matching view to every labelled example
   * (an encoder's share needs none: headRow re-splits each vector when it is read). Until a head trained on
   * it is installed, the served head reads vectors as it was trained to if it read the n-grams alone, and the n-grams
   * alone otherwise (headRow).
   */
  follow(share: number, given: HeadExtra = 'letters', countScale = 1): Promise<void> {
    // One at a time, in the order asked: each makes its views between yields, and the last one asked must end up applied.
    const done = this.following.then(() => this.followNow(share, given, countScale));
    this.following = done.catch(() => undefined);
    return done;
  }

  private async followNow(share: number, given: HeadExtra, countScale: number): Promise<void> {
    // The encoder's view is made when read (headRow): nothing to attach to the examples.
    const encoder = this.encoder;
    if (encoder) {
      if (share <= 0 || given === 'encoder') encoder.shortGramShare = share;
      return;
    }
    const ngrams = this.ngrams;
    // A head for another kind of model (an encoder's share) is no view of these n-grams: they stay as they are.
    if (given === 'encoder') return;
    const extra = share > 0 ? given : 'letters';
    const scale = extra === 'counts' ? countScale : 1;
    if (!ngrams) return;
    const { session } = this;
    const generation = session.generation;
    // Views first, between yields (10,000 long texts took ~50 s in one piece, and the page restarted the worker), then
    // the switch, with no await between: a training never reads half-switched rows. Labels that arrive meanwhile are
    // given the old view by the featurizer, so they are made in the next round.
    const views = new Map<SparseVector, SparseVector>();
    const lacking = (v: Vector): v is SparseVector => isSparse(v) && share > 0 && !views.has(v) && headRow(v, share, extra, scale) === v;
    const breathe = breather();
    for (let round = 0; round < FOLLOW_ROUNDS; round++) {
      const { ids, vectors } = session.examples.snapshot();
      const missing = vectors.flatMap((v, i) => (lacking(v) ? [{ v, id: ids[i]! }] : []));
      if (missing.length === 0) break;
      const texts = await this.texts(missing.map((m) => m.id));
      if (!texts) return;
      const made = await mapYielding(missing, ({ v }, i) => headView(v, texts[i]!, extra, share, scale), breathe);
      missing.forEach(({ v }, i) => views.set(v, made[i]!));
    }
    // The featurizer reads this choice already and every row had its view: nothing to switch.
    const settled = ngrams.shortGramShare === share && ngrams.extra === extra && ngrams.countScale === scale;
    if ((settled && views.size === 0) || session.generation !== generation) return;
    ngrams.shortGramShare = share;
    ngrams.extra = extra;
    ngrams.countScale = scale;
    // Rounds stop at FOLLOW_ROUNDS, so a steady stream of labels cannot hold this forever. A label that came during
    // the last one is read as the n-grams alone (headRow) until the next training's follow gives it its view.
    for (const v of session.examples.snapshot().vectors) {
      if (!isSparse(v)) continue;
      const view = views.get(v);
      if (view) v.head = { share, extra, scale, vector: view };
      else if (share <= 0 || headRow(v, share, extra, scale) === v) delete v.head;
    }
  }

  /** The stored texts of these examples, in order; null when one is not kept (then no view can be made). */
  private async texts(ids: readonly string[]): Promise<string[] | null> {
    const texts = await this.session.store.getInputs(ids);
    return texts.every((t): t is string => typeof t === 'string') ? texts : null;
  }
}

/**
 * Whether a text choice on these rows is within CHOICE_INLINE_WORK: its candidates' cross-validated heads, FOLDS of
 * them in one training, read the rows as stored or a view with somewhat more grams. A dense head's choice solves
 * small heads (PENALTY_VIEWS): always within.
 */
export function choiceFitsInline(vectors: readonly Vector[], classes: number): boolean {
  if (!vectors.every(isSparse)) return true;
  return sparseStepWork(vectors, classes, FOLDS) <= CHOICE_INLINE_WORK;
}

/** `make` over every item, with a turn for the page whenever `breathe` says one is due. */
async function mapYielding<T, R>(items: readonly T[], make: (item: T, i: number) => R, breathe: () => Promise<void>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    out.push(make(items[i]!, i));
    await breathe();
  }
  return out;
}

/** The candidate that the featurizer reads now (chooseCandidate compares candidates by identity). */
function viewOf(candidates: readonly HeadView[], share: number, extra: HeadExtra): HeadView | null {
  return candidates.find((v) => v.share === share && (share === 0 || v.extra === extra)) ?? null;
}
