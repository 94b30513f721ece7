import type { PairStrategy } from '../../src/protocol.js';
import type { BradleyTerry, Pair } from './bt-model.js';
import { channelTable } from './answer-information.js';
import { PoolPosterior } from './posterior.js';
import type { Row } from './sparse.js';

/** Pools up to this many pairs are scored whole; larger pools score each item against its neighbours in score. */
const ALL_PAIRS_LIMIT = 60_000;
const SCORE_NEIGHBOURS = 12;
const RANDOM_PARTNERS = 6;

/** A small seeded generator (mulberry32): the same seed draws the same pairs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k distinct unordered pairs of distinct items, uniformly (the baseline). */
function randomPairs(n: number, k: number, random: () => number): [number, number][] {
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const possible = (n * (n - 1)) / 2;
  while (out.length < Math.min(k, possible)) {
    const i = Math.floor(random() * n);
    const j = Math.floor(random() * n);
    if (i === j || seen.has(Math.min(i, j) * n + Math.max(i, j))) continue;
    seen.add(Math.min(i, j) * n + Math.max(i, j));
    out.push([i, j]);
  }
  return out;
}

/** The candidate pairs of a pool: all of them when few, else each item with its neighbours in score and a few others. */
function candidatePairs(scores: readonly number[], random: () => number): [number, number][] {
  const n = scores.length;
  if ((n * (n - 1)) / 2 <= ALL_PAIRS_LIMIT) {
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) all.push([i, j]);
    return all;
  }
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const add = (i: number, j: number) => {
    const key = Math.min(i, j) * n + Math.max(i, j);
    if (i !== j && !seen.has(key)) {
      seen.add(key);
      out.push([Math.min(i, j), Math.max(i, j)]);
    }
  };
  order.forEach((item, rank) => {
    for (let r = rank + 1; r <= Math.min(n - 1, rank + SCORE_NEIGHBOURS); r++) add(item, order[r]!);
    for (let t = 0; t < RANDOM_PARTNERS; t++) add(item, Math.floor(random() * n));
  });
  return out;
}

/**
 * Pairs whose outcome the ranker should learn to predict, standing for the pairs it will be asked about: random pairs
 * of the pool, so common kinds of item weigh as much as they are common.
 */
const TARGET_PAIRS = 128;
/** Pairs kept, best first, after the first round of a batch (see selectPairs). */
const SHORT_LIST = 2000;
/** Larger pools are scored on a seeded sample of this many items (the posterior costs one solve per item). */
const MAX_POOL_ITEMS = 1000;

/** What one candidate pair would tell: its items, the variance of its difference now, the precision of the Gaussian channel its answer is (channelPrecision). */
interface Candidate {
  i: number;
  j: number;
  variance: number;
  information: number;
}

/** One pair chosen earlier in the batch, as a pseudo-observation: cov(sᵢ, its difference) for every item, and its noise. */
interface Chosen {
  z: Float64Array;
  s: number;
}

/**
 * The k pairs to ask a person about next. 'informative': greedily, the pair whose answer is expected to tell most
 * about the outcomes of random pairs of the pool — the expected predictive information gain (EPIG, Bickford Smith et
 * al. 2023; MacKay's 1992 mean marginal information over a set of interest). Under the Laplace posterior with its
 * correlations (PoolPosterior) and the Gaussian channel each comparison is in that approximation (a score difference
 * seen with noise variance 1/h, h matched to what its answer can tell: channelPrecision), a comparison e changes the variance of a target
 * difference t from σ²ₜ to σ²ₜ − cov(t, e)²/(1/hₑ + var(e)); the information about t's outcome is
 * ½·log((1 + hₜσ²ₜ)/(1 + hₜσ'²ₜ)), summed over the targets.
 *
 * Unlike the information about the weights themselves, which is largest for items unlike anything compared (outliers,
 * rare n-grams), this is largest for pairs that settle what many pool pairs depend on: close in score, uncertain, and
 * typical. Each chosen pair is then conditioned on as if answered (its outcome does not change the variances), so
 * the next pick is diverse by the same measure rather than by a rule. Conditioning seldom raises a pair's value, so
 * the greedy choice re-scores lazily (stale values taken as bounds, the usual lazy-greedy approximation) among the
 * SHORT_LIST best of the first round. Identical items (a zero difference) are never paired.
 *
 * Drawing pairs with probability ∝ value instead (power acquisition, Kirsch et al. 2023) was measured too
 * (docs/ranking.md): better on the syllables task's first 100 comparisons, worse on texts and with a less calibrated
 * model there (ECE 0.074 against 0.025 at 400), so the pick stays greedy.
 */
export function selectPairs(
  model: BradleyTerry,
  compared: readonly Pair[],
  rows: readonly Row[],
  k: number,
  strategy: PairStrategy,
  seed: number,
): [number, number][] {
  const random = seededRandom(seed);
  if (rows.length < 2 || k === 0) return [];
  if (strategy === 'random') return randomPairs(rows.length, k, random);
  const items = rows.length <= MAX_POOL_ITEMS ? rows.map((_, i) => i) : sample(rows.length, MAX_POOL_ITEMS, random);
  const pool = items.map((i) => rows[i]!);
  const m = pool.length;
  const posterior = new PoolPosterior(model, compared, pool);
  // When every pair is a candidate, every covariance is needed anyway: computed once, read by the targets too.
  const whole = (m * (m - 1)) / 2 <= ALL_PAIRS_LIMIT ? new Float64Array(m * m) : null;
  if (whole) for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) whole[i * m + j] = whole[j * m + i] = posterior.cov(i, j);
  const cov = whole ? (i: number, j: number) => whole[i * m + j]! : (i: number, j: number) => posterior.cov(i, j);
  const scores = pool.map((row) => model.score(row));
  const variances = pool.map((_, i) => cov(i, i));
  const channel = channelTable(model.theta);
  const fisher = (i: number, j: number, v: number) => channel(scores[i]! - scores[j]!, v);

  // Targets: their endpoints' covariance with every item, kept as the covariance of each target difference.
  const targets = randomPairs(m, Math.min(TARGET_PAIRS, (m * (m - 1)) / 2), random);
  const columns = new Map<number, Float64Array>();
  const column = (u: number) => {
    let c = columns.get(u);
    if (!c) {
      c = new Float64Array(m);
      for (let i = 0; i < m; i++) c[i] = cov(u, i);
      columns.set(u, c);
    }
    return c;
  };
  const targetCov = targets.map(([u, v]) => {
    const cu = column(u);
    const cv = column(v);
    return cu.map((x, i) => x - cv[i]!);
  });
  const targetVar = targets.map(([u, v], t) => Math.max(0, targetCov[t]![u]! - targetCov[t]![v]!));
  const targetInfo = targets.map(([u, v], t) => fisher(u, v, targetVar[t]!));

  const candidates: Candidate[] = [];
  for (const [i, j] of candidatePairs(scores, random)) {
    const v = Math.max(0, variances[i]! + variances[j]! - 2 * cov(i, j));
    if (v <= 1e-12 && scores[i] === scores[j]) continue;
    candidates.push({ i, j, variance: v, information: fisher(i, j, v) });
  }

  const chosenSoFar: Chosen[] = [];
  const currentVariance = (c: Candidate) => {
    let v = c.variance;
    for (const { z, s } of chosenSoFar) v -= (z[c.i]! - z[c.j]!) ** 2 / s;
    return Math.max(0, v);
  };
  const base = new Float64Array(targets.length);
  const value = (c: Candidate) => {
    if (!(c.information > 0)) return 0;
    const noise = 1 / c.information + currentVariance(c);
    let gain = 0;
    for (let t = 0; t < targets.length; t++) {
      const cov = targetCov[t]![c.i]! - targetCov[t]![c.j]!;
      const after = Math.max(0, targetVar[t]! - (cov * cov) / noise);
      gain += base[t]! - Math.log1p(targetInfo[t]! * after);
    }
    // A pair the model cannot score (it should not happen) still counts, last, rather than ending the batch early.
    return Number.isFinite(gain) ? gain / 2 : 0;
  };
  const refreshBase = () => targets.forEach((_, t) => (base[t] = Math.log1p(targetInfo[t]! * targetVar[t]!)));

  refreshBase();
  const stale = candidates.map(value);
  // Later picks come from the best of the first round: conditioning on a chosen pair lowers values far more often
  // than it raises them, and a short list keeps the lazy re-scoring cheap.
  const open = candidates
    .map((_, index) => index)
    .sort((a, b) => stale[b]! - stale[a]!)
    .slice(0, SHORT_LIST);
  const chosen: [number, number][] = [];
  while (chosen.length < k && open.length > 0) {
    open.sort((a, b) => stale[b]! - stale[a]!);
    let best = 0;
    if (chosen.length > 0) {
      // Lazy greedy: a stale value bounds the fresh one, so scoring stops once no stale value can beat the best.
      let bestFresh = -Infinity;
      for (let r = 0; r < open.length && stale[open[r]!]! > bestFresh; r++) {
        stale[open[r]!] = value(candidates[open[r]!]!);
        if (stale[open[r]!]! > bestFresh) {
          bestFresh = stale[open[r]!]!;
          best = r;
        }
      }
    }
    const index = open.splice(best, 1)[0]!;
    const pair = candidates[index]!;
    chosen.push(random() < 0.5 ? [items[pair.i]!, items[pair.j]!] : [items[pair.j]!, items[pair.i]!]);
    if (chosen.length === k) break;
    condition(pair);
  }
  return chosen;

  /** Conditions the variances on a chosen pair as if its answer were in: a rank-one downdate of the covariance. */
  function condition(pair: Candidate): void {
    const ca = column(pair.i);
    const cb = column(pair.j);
    const z = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let cov = ca[i]! - cb[i]!;
      for (const prior of chosenSoFar) cov -= (prior.z[i]! * (prior.z[pair.i]! - prior.z[pair.j]!)) / prior.s;
      z[i] = cov;
    }
    const s = 1 / pair.information + currentVariance(pair);
    targets.forEach(([u, v], t) => {
      const zt = z[u]! - z[v]!;
      const row = targetCov[t]!;
      for (let i = 0; i < m; i++) row[i]! -= (zt * z[i]!) / s;
      targetVar[t] = Math.max(0, targetVar[t]! - (zt * zt) / s);
    });
    chosenSoFar.push({ z, s });
    refreshBase();
  }
}

/** `count` distinct indices below n, seeded. */
function sample(n: number, count: number, random: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}
