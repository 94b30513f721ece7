import { breather } from '../learning/head.js';
import { BradleyTerry, type Pair } from './bt-model.js';
import { calibrated, fitCalibration, type Calibration } from './calibration.js';
import type { Outcomes } from './davidson.js';
import { logEvidence } from './evidence.js';

/** Folds of the cross-validation that chooses the L2 strength and measures held-out figures. */
const FOLDS = 5;
/** Fewer comparisons than this give folds too small to choose from: the default strength is kept. */
export const MIN_FOR_CHOICE = 10;
/**
 * The candidate L2 strengths, on columns scaled to unit spread (numbers) or unit-length vectors (text): a prior
 * standard deviation of each weight from about 0.3 to 10.
 */
export const L2_GRID = [0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
/** The strength used before a choice: the middle of the grid. */
export const DEFAULT_L2 = 1;
/** Only the newest comparisons are cross-validated, so a training's cost stops growing with a long history. */
const MAX_CROSS_VALIDATED = 1500;

export interface OutOfFold {
  /** The outcome probabilities of each held-out comparison, from a model that did not learn from it. */
  predictions: Outcomes[];
  pairs: Pair[];
}

export interface Choice {
  l2: number;
  /** Fitted to the out-of-fold predictions at that strength: how the served probabilities read the model. */
  calibration: Calibration;
  /** The out-of-fold predictions at that strength, through the calibration. */
  outOfFold: OutOfFold;
  /**
   * Each comparison's out-of-fold negative log-likelihood at that strength, before the calibration: for comparing
   * feature views comparison by comparison (preference-model.ts).
   */
  losses: Float64Array;
  /** The Laplace log evidence at that strength (evidence.ts): what chose it, and what compares feature views. */
  evidence: number;
}

/** One fold model's held-out readings: each comparison's moderated score difference and the fold's θ. */
interface Held {
  margins: number[];
  thetas: number[];
}

/** Each comparison's negative log-likelihood of what happened under the probabilities given for it. */
function logLosses(predictions: readonly Outcomes[], pairs: readonly Pair[]): Float64Array {
  return Float64Array.from(predictions, (p, i) => {
    const y = pairs[i]!.y;
    return -Math.log(Math.max(1e-12, y > 0 ? p.a : y < 0 ? p.b : p.tie));
  });
}

/**
 * The walk down the grid stops once this many strengths in a row have done worse than the best so far: the
 * evidence rises and then falls as the penalty weakens, and the weakest strengths are the costliest fits
 * (their weights travel furthest). Needed since a feature choice walks the grid once per view (preference-model.ts).
 */
const STOP_AFTER_WORSE = 2;

/** Steps each fold's fit may take: the choice compares strengths, it does not need every last digit. */
const FOLD_ITERATIONS = 100;

/**
 * Out-of-fold predictions at one strength; folds interleave by position (comparisons arrive in no special order).
 * Each fold's model starts from its own fit at the previous strength of the grid (a continuation path: the optimum
 * moves little from one strength to the next, so a warm start converges in a fraction of the steps; the problem is
 * convex, so where it starts does not change where it ends). Gives way between folds, so the page's calls (and the
 * heartbeat's pings) are answered during a long choice. Keeps each held-out comparison's moderated score difference
 * and its fold's θ for the calibration.
 */
async function outOfFold(
  folds: BradleyTerry[],
  pairs: readonly Pair[],
  l2: number,
  breathe: () => Promise<void>,
): Promise<{ predictions: Outcomes[]; held: Held }> {
  const predictions: Outcomes[] = new Array<Outcomes>(pairs.length);
  const held: Held = { margins: new Array<number>(pairs.length), thetas: new Array<number>(pairs.length) };
  for (let fold = 0; fold < FOLDS; fold++) {
    await breathe();
    const train = pairs.filter((_, i) => i % FOLDS !== fold);
    const fitted = folds[fold]!;
    fitted.l2 = l2;
    fitted.fit(train, FOLD_ITERATIONS);
    pairs.forEach((pair, i) => {
      if (i % FOLDS !== fold) return;
      predictions[i] = fitted.outcome(pair.diff);
      held.margins[i] = fitted.margin(pair.diff);
      held.thetas[i] = fitted.theta;
    });
  }
  return { predictions, held };
}

/**
 * Chooses the L2 strength by the Laplace evidence of the comparisons (evidence.ts: unlike the out-of-fold loss, it is
 * not misled when the ranker picked the pairs itself), fits the calibration (a scale of the moderated score difference
 * and the tie parameter) to the out-of-fold predictions at that strength, and keeps those predictions, calibrated, for
 * the held-out figures. Null below MIN_FOR_CHOICE comparisons.
 */
export async function chooseL2(model: BradleyTerry, all: readonly Pair[]): Promise<Choice | null> {
  if (all.length < MIN_FOR_CHOICE) return null;
  const breathe = breather();
  const pairs = all.slice(-MAX_CROSS_VALIDATED);
  let best: { l2: number; held: Held; losses: Float64Array; evidence: number } | null = null;
  let bestEvidence = -Infinity;
  // Strongest first: at a strong L2 the weights are small, so the path starts near the zero a fresh model holds.
  const folds = Array.from({ length: FOLDS }, () => model.blank());
  const whole = model.blank();
  let worse = 0;
  for (const l2 of [...L2_GRID].reverse()) {
    const { predictions, held } = await outOfFold(folds, pairs, l2, breathe);
    await breathe();
    whole.l2 = l2;
    whole.fit(pairs, FOLD_ITERATIONS);
    const evidence = logEvidence(whole, pairs);
    if (evidence > bestEvidence) {
      bestEvidence = evidence;
      best = { l2, held, losses: logLosses(predictions, pairs), evidence };
      worse = 0;
    } else if (++worse === STOP_AFTER_WORSE) {
      break;
    }
  }
  if (!best) return null;
  const { margins, thetas } = best.held;
  // Newton starts at the folds' own reading (scale 1, their mean θ); the problem is convex, so only the steps depend on it.
  const start = { scale: 1, theta: thetas.reduce((sum, theta) => sum + theta, 0) / thetas.length };
  const calibration = fitCalibration(
    margins,
    pairs.map((pair) => pair.y),
    start,
  );
  return {
    l2: best.l2,
    calibration,
    outOfFold: { predictions: margins.map((m) => calibrated(m, calibration)), pairs: [...pairs] },
    losses: best.losses,
    evidence: best.evidence,
  };
}
