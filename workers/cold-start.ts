import { isSparse, type SparseVector, type Vector } from './featurizers/vector.js';
import { shuffleInPlace } from './learning/shuffle.js';
import type { Similarity } from './memory/similarity.js';

/**
 * Cold-start selection after TypiClust (Hacohen, Dekel and Weinshall, "Active Learning on a Budget", ICML 2022):
 * while the head's probabilities cannot be trusted, the most useful labels are the typical items of the parts of the
 * pool no label covers yet. The pool (a sample of it) and the labelled items are clustered into |labelled| + k
 * clusters; each pick is the most typical item of the largest cluster with the fewest labels, typicality being the
 * inverse mean distance to an item's nearest neighbours in its cluster.
 */

/** Pool items clustered at most: k-means costs clusters × items similarities per pass, so this bounds a 10,000 pool. */
export const COLD_START_SAMPLE = 2000;
/**
 * Clusters at most (the paper caps them too, at 500): past it a batch takes several picks from a cluster, the least
 * labelled first. 100 keeps a pass at 100 × 2,500 similarities, about a second for long e-mails.
 */
const MAX_CLUSTERS = 100;
/** Labelled items clustered with the pool at most: enough to say which parts of it labels cover. */
const MAX_LABELLED = 500;
/** k-means passes after the k-means++ seeding; the seeding already spreads the centres, a few passes settle them. */
const KMEANS_PASSES = 4;
/** Neighbours typicality averages over: the paper's 20 (its min(20, cluster size / 2) for small clusters). */
const TYPICALITY_NEIGHBOURS = 20;
/** Clusters smaller than this are outliers to the paper, picked from only when no larger cluster has items left. */
const MIN_CLUSTER_SIZE = 5;
/** Members of a cluster an item's neighbours are sought among, so a cluster of 2,000 costs 2,000 × this, not 2,000². */
const TYPICALITY_REFERENCE = 200;

/** Indices cold start clusters: all of a small pool, else a seeded sample of `size` (COLD_START_SAMPLE), in order. */
export function coldStartSample(poolSize: number, seed = 1, size = COLD_START_SAMPLE): number[] {
  const all = Array.from({ length: poolSize }, (_, i) => i);
  if (poolSize <= size) return all;
  shuffleInPlace(all, seed);
  return all.slice(0, size).sort((a, b) => a - b);
}

/**
 * Indices into `pool` of `k` representative items, in the order a person should label them: one per cluster, each
 * next pick the one farthest from everything labelled or picked before it, so the first few of a batch already span
 * the pool. Deterministic for the same inputs.
 */
export function typicalFirst(pool: readonly Vector[], labelled: readonly Vector[], k: number, similarity: Similarity): number[] {
  const n = pool.length;
  const take = Math.min(Math.max(0, Math.floor(k)), n);
  if (take === 0) return [];
  // Bounded whatever the labels and k: a model with labels of one class only stays in cold start however many it has.
  const known = labelled.length > MAX_LABELLED ? coldStartSample(labelled.length, 2, MAX_LABELLED).map((i) => labelled[i]!) : labelled;
  const points = [...pool, ...known];
  const distance = (a: Vector, b: Vector) => similarity.around(a, (to) => Math.max(0, 1 - to(b)));
  const centres = kMeansPlusPlus(points, Math.min(points.length, labelled.length + take, MAX_CLUSTERS), similarity);
  const assignment = kMeans(points, centres, similarity);

  const clusters = centres.map(() => ({ members: [] as number[], labels: 0 }));
  assignment.forEach((c, p) => (p < n ? clusters[c]!.members.push(p) : (clusters[c]!.labels += 1)));
  const ranked = clusters.map((cluster) => ({ ...cluster, byTypicality: byTypicality(cluster.members, pool, similarity) }));

  // The paper passes over clusters under 5 items: they hold outliers, not a part of the pool. When k is large against
  // the pool, clusters are small anyway, so the bar is at most half the mean cluster size.
  const minSize = Math.min(MIN_CLUSTER_SIZE, Math.ceil(n / (2 * clusters.length)));
  const chosen: number[] = [];
  const taken = new Uint8Array(n);
  while (chosen.length < take) {
    // Real clusters before outliers, then fewest labels first (the uncovered), then the largest: the paper's rule.
    const key = (cluster: (typeof ranked)[number]) => [cluster.members.length < minSize ? 1 : 0, cluster.labels, -cluster.members.length];
    let best = -1;
    ranked.forEach((cluster, c) => {
      if (!cluster.byTypicality.some((p) => !taken[p])) return;
      if (best < 0 || before(key(cluster), key(ranked[best]!))) best = c;
    });
    const cluster = ranked[best]!;
    const pick = cluster.byTypicality.find((p) => !taken[p])!;
    taken[pick] = 1;
    cluster.labels += 1;
    chosen.push(pick);
  }
  return farthestFirst(chosen, pool, known, distance);
}

/** Whether key `a` sorts before `b`, element by element. */
function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** Orders picks so each next one is the farthest from the labels and the picks before it (ties: the order given). */
function farthestFirst(picks: number[], pool: readonly Vector[], labelled: readonly Vector[], distance: (a: Vector, b: Vector) => number): number[] {
  const nearest = picks.map((p) => labelled.reduce((d, l) => Math.min(d, distance(pool[p]!, l)), Infinity));
  const order: number[] = [];
  const used = new Uint8Array(picks.length);
  for (let t = 0; t < picks.length; t++) {
    let best = -1;
    for (let i = 0; i < picks.length; i++) if (!used[i] && (best < 0 || nearest[i]! > nearest[best]!)) best = i;
    used[best] = 1;
    order.push(picks[best]!);
    for (let i = 0; i < picks.length; i++) if (!used[i]) nearest[i] = Math.min(nearest[i]!, distance(pool[picks[i]!]!, pool[picks[best]!]!));
  }
  return order;
}

/** A cluster's members, most typical first (ties: pool order). */
function byTypicality(members: readonly number[], pool: readonly Vector[], similarity: Similarity): number[] {
  if (members.length <= 2) return [...members];
  const reference = [...members];
  if (reference.length > TYPICALITY_REFERENCE) {
    shuffleInPlace(reference, members.length);
    reference.length = TYPICALITY_REFERENCE;
  }
  const neighbours = Math.max(1, Math.min(TYPICALITY_NEIGHBOURS, Math.floor(members.length / 2)));
  const typicality = new Map<number, number>();
  for (const m of members) {
    const distances = similarity.around(pool[m]!, (to) => reference.filter((r) => r !== m).map((r) => Math.max(0, 1 - to(pool[r]!))));
    distances.sort((a, b) => a - b);
    const near = distances.slice(0, neighbours);
    const mean = near.reduce((s, d) => s + d, 0) / Math.max(1, near.length);
    typicality.set(m, 1 / (mean + 1e-9));
  }
  return [...members].sort((a, b) => typicality.get(b)! - typicality.get(a)! || a - b);
}

/**
 * k-means++ seeding (Arthur and Vassilvitskii 2007) on distance 1 − similarity, with a fixed seed: each next centre
 * drawn with probability proportional to its squared distance from the centres so far.
 */
function kMeansPlusPlus(points: readonly Vector[], count: number, similarity: Similarity): Vector[] {
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  const centres: Vector[] = [points[0]!];
  const closest = new Float64Array(points.length).fill(Infinity);
  while (centres.length < count) {
    similarity.around(centres.at(-1)!, (to) => {
      points.forEach((p, i) => (closest[i] = Math.min(closest[i]!, Math.max(0, 1 - to(p)) ** 2)));
    });
    const total = closest.reduce((s, d) => s + d, 0);
    // Every point sits on a centre already (duplicates): more centres would only repeat them.
    if (total <= 0) break;
    let target = random() * total;
    let chosen = points.length - 1;
    for (let i = 0; i < points.length; i++) {
      target -= closest[i]!;
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
    centres.push(points[chosen]!);
  }
  return centres;
}

/** A few k-means passes from `centres` (updated in place); returns each point's cluster. */
function kMeans(points: readonly Vector[], centres: Vector[], similarity: Similarity): Int32Array {
  const assignment = new Int32Array(points.length);
  for (let pass = 0; pass <= KMEANS_PASSES; pass++) {
    const best = new Float64Array(points.length).fill(-Infinity);
    centres.forEach((centre, c) => {
      similarity.around(centre, (to) => {
        points.forEach((p, i) => {
          const s = to(p);
          if (s > best[i]!) {
            best[i] = s;
            assignment[i] = c;
          }
        });
      });
    });
    if (pass === KMEANS_PASSES) break;
    centres.forEach((centre, c) => {
      const members = points.filter((_, i) => assignment[i] === c);
      if (members.length > 0) centres[c] = mean(members, similarity.metric === 'cosine');
    });
  }
  return assignment;
}

/** The mean of some vectors, of unit length for cosine (sparse stays sparse, so text centres cost what texts cost). */
function mean(vectors: readonly Vector[], unit: boolean): Vector {
  const first = vectors[0]!;
  if (!isSparse(first)) {
    const sum = new Float32Array(first.length);
    for (const v of vectors) if (!isSparse(v)) for (let j = 0; j < sum.length; j++) sum[j]! += v[j]! / vectors.length;
    return unit ? normalized(sum) : sum;
  }
  const sum = new Map<number, number>();
  for (const v of vectors) {
    const { indices, values } = v as SparseVector;
    for (let j = 0; j < indices.length; j++) sum.set(indices[j]!, (sum.get(indices[j]!) ?? 0) + values[j]!);
  }
  const indices = Int32Array.from([...sum.keys()].sort((a, b) => a - b));
  const values = Float32Array.from(indices, (i) => sum.get(i)!);
  let squares = 0;
  for (const v of values) squares += v * v;
  const norm = unit ? Math.sqrt(squares) || 1 : vectors.length;
  for (let j = 0; j < values.length; j++) values[j]! /= norm;
  return { indices, values };
}

function normalized(values: Float32Array): Float32Array {
  let squares = 0;
  for (const v of values) squares += v * v;
  const norm = Math.sqrt(squares) || 1;
  return values.map((v) => v / norm);
}
