import type { InputKind, RawPrediction, Stats } from '../../src/protocol.js';
import { standardize } from '../featurizers/features.js';
import { headRow, type Vector } from '../featurizers/vector.js';
import { nextTask, ServingHead, type HeadParams } from '../learning/head.js';
import { nearestVote } from '../learning/calibration.js';
import { ExampleMemory, NEAR_DUPLICATE, type Nearest } from '../memory/example-memory.js';
import { followNearDuplicates } from '../memory/near-duplicate.js';
import type { HeadExtra, WeightsRecord } from '../storage/index.js';
import { DEFAULT_VOTE_WEIGHT, VOTE_MAX_EXAMPLES } from './policy.js';

/** Near-duplicate lookups made ahead of time at the near-duplicate floor (by the batch split), one per vector. */
export type FoundNearest = readonly (Nearest | undefined)[];

/**
 * What answers predictions: the trained head (if any) blended with the instant memory, so that an input near a
 * labelled example follows its human label at once while the head generalises elsewhere.
 */
export class Serving {
  private head: ServingHead | null = null;
  private headStats: { mean: Float32Array; std: Float32Array } | null = null;
  /** The saved head as trained; re-expanded when labels are added after it. */
  private weights: WeightsRecord | null = null;
  calibration: Stats['calibration'] = null;
  modelVersion = 0;
  private share = 0;
  private extra: HeadExtra = 'letters';
  private countScale = 1;
  /**
   * Set for a model that starts from a shipped head: the labels in memory then cover only what people corrected, so a
   * vote among them would pull every input toward the corrected labels; near-duplicates still follow their label.
   */
  withoutVote = false;

  constructor(
    private readonly input: InputKind,
    private readonly memory: ExampleMemory,
    private readonly labels: () => readonly string[],
  ) {}

  /** The short character grams' share of what the served head reads (its WeightsRecord's; text-short-grams.ts). */
  get headShare(): number {
    return this.share;
  }

  /** Which group that share is (its WeightsRecord's; head-views.ts). */
  get headExtra(): HeadExtra {
    return this.extra;
  }

  /** With extra 'counts': what the letters' counts are divided by (its WeightsRecord's). */
  get headCountScale(): number {
    return this.countScale;
  }

  get hasHead(): boolean {
    return this.head !== null;
  }

  /** The served head's parameters and standardisation, read together so an export never mixes two models. */
  snapshot(): { params: HeadParams; standardization: { mean: Float32Array; std: Float32Array } | null } | null {
    return this.head ? { params: this.head.params, standardization: this.headStats } : null;
  }

  /** Serves a stored head. Its columns are matched to the model's labels by name, never by position. */
  install(record: WeightsRecord): void {
    const labels = this.labels();
    const classes = labels.length;
    let { weights, bias } = record;
    const source = labels.map((label) => record.labels.indexOf(label));
    if (source.length !== record.labels.length || source.some((r, c) => r !== c)) {
      // Labels added after this head was trained: their columns start at zero with a low bias until the next training.
      const from = record.labels.length;
      const expanded = new Float32Array(record.inputDim * classes);
      for (let a = 0; a < record.inputDim; a++) {
        for (let c = 0; c < classes; c++) if (source[c]! >= 0) expanded[a * classes + c] = weights[a * from + source[c]!]!;
      }
      const minBias = Math.min(...bias);
      bias = Float32Array.from(source, (r) => (r >= 0 ? bias[r]! : minBias - 4));
      weights = expanded;
    }
    this.weights = record;
    this.share = record.shortGramShare ?? 0;
    this.extra = record.extra ?? 'letters';
    this.countScale = record.countScale ?? 1;
    this.calibration = record.calibration ?? null;
    this.head?.dispose();
    this.head = new ServingHead({ inputDim: record.inputDim, labels: [...labels], weights, bias });
    this.headStats = record.mean && record.std ? { mean: record.mean, std: record.std } : null;
    this.modelVersion = record.version;
  }

  /** The head being served as it was stored, or null. */
  get record(): WeightsRecord | null {
    return this.weights;
  }

  /** Serves the same head again under the current labels (a label was added since it was installed). */
  reinstall(): void {
    if (this.weights) this.install(this.weights);
  }

  /** Back to no trained model: the memory alone answers until the next training. */
  drop(): void {
    this.head?.dispose();
    this.head = null;
    this.headStats = null;
    this.weights = null;
    this.calibration = null;
    this.modelVersion = 0;
    this.share = 0;
    this.extra = 'letters';
    this.countScale = 1;
  }

  /**
   * How much the nearest-neighbour vote weighs next to the head: what the last training fitted on held-out labels
   * (0 for heads saved before the vote existed, whose temperature was fitted without it), or DEFAULT_VOTE_WEIGHT
   * while there are too few labels to fit it; 0 past VOTE_MAX_EXAMPLES, where the vote costs a scan of every label.
   */
  voteWeight(): number {
    if (!this.head || this.memory.size > VOTE_MAX_EXAMPLES || this.withoutVote) return 0;
    const fitted = this.weights?.calibration;
    if (fitted) return fitted.voteWeight ?? 0;
    return DEFAULT_VOTE_WEIGHT;
  }

  /**
   * The similarity from which the human label of a labelled example (its sequence number `seq`) overrides the head:
   * the bar the last training chose on held-out labels (near-duplicate.ts), for the examples that training learnt
   * from; the floor for the kind of input for a label given since, which the head has not learnt, so that a correction
   * carries to inputs like it at once, and before any training chose a bar.
   */
  nearDuplicateBar(seq: number): number {
    const floor = NEAR_DUPLICATE[this.input];
    return this.givenSince(seq) ? floor : (this.weights?.calibration?.nearDuplicate ?? floor);
  }

  /**
   * How sure an answer that follows a near-duplicate is: the temperature the last training fitted for such answers,
   * for the examples it learnt from (with the bar it chose); 1 for a label given since, which follows from the floor.
   */
  followTemperature(seq: number): number {
    return this.givenSince(seq) ? 1 : (this.weights?.calibration?.followTemperature ?? 1);
  }

  /** Whether the label with sequence number `seq` came after the served head's training, which did not learn it. */
  private givenSince(seq: number): boolean {
    const end = this.weights?.labelSeqEnd;
    return end !== undefined && seq >= end;
  }

  /**
   * Class probabilities per input: the trained head, blended with the instant memory near labelled examples.
   * `found` holds near-duplicate lookups already made with the near-duplicate floor (here or in the lookup helper),
   * used while the model still looks them up with that floor.
   */
  async probabilities(vectors: readonly Vector[], found?: FoundNearest): Promise<{ probs: Float64Array[]; hasModel: boolean }> {
    const classes = this.labels().length;
    let headProbs: Float32Array | null = null;
    if (this.head) {
      const stats = this.headStats;
      const rows = stats
        ? vectors.map((v) => standardize(v as Float32Array, stats.mean, stats.std))
        : vectors.map((v) => headRow(v, this.share, this.extra, this.countScale));
      headProbs = await this.head.predict(rows);
    }
    const hasModel = this.memory.size > 0 || headProbs !== null;
    const voteWeight = this.voteWeight();
    const blend = (vector: Vector, r: number): Float64Array => {
      if (!hasModel) return new Float64Array(classes).fill(1 / classes);
      // With a head and no vote only near-duplicates count, so the memory need not score examples below the bar.
      const floored = headProbs !== null && voteWeight === 0;
      const { perClass, top, topSeq } =
        (floored && found?.[r]) || this.memory.nearest(vector, classes, floored ? NEAR_DUPLICATE[this.input] : undefined);
      if (!headProbs) return ExampleMemory.distribution(perClass, true);
      let head = Float64Array.from(headProbs.subarray(r * classes, (r + 1) * classes));
      if (voteWeight > 0) {
        const vote = nearestVote(perClass);
        head = head.map((p, c) => (1 - voteWeight) * p + voteWeight * vote[c]!);
      }
      return followNearDuplicates(head, perClass, top, this.nearDuplicateBar(topSeq), this.followTemperature(topSeq));
    };
    // The memory scan grows with the labels (seconds for a large batch over thousands of them): yield now and
    // then so pings are answered and a busy worker is never mistaken for a hung one.
    const probs: Float64Array[] = [];
    let since = performance.now();
    for (let r = 0; r < vectors.length; r++) {
      probs.push(blend(vectors[r]!, r));
      if (performance.now() - since > 50) {
        // A message-channel turn: setTimeout(0) from within a timer is clamped to 4 ms, ~8 % of a long batch.
        await nextTask();
        since = performance.now();
      }
    }
    return { probs, hasModel };
  }

  /** Scores → predictions with their label, confidence, id and the version that answered. */
  toPredictions(probs: readonly Float64Array[], hasModel: boolean): RawPrediction[] {
    const labels = this.labels();
    return probs.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      const scores: Record<string, number> = {};
      let best = 0;
      labels.forEach((label, c) => {
        scores[label] = row[c]! / sum;
        if (row[c]! > row[best]!) best = c;
      });
      const top = hasModel ? { label: labels[best]!, confidence: scores[labels[best]!]! } : { label: null, confidence: 0 };
      return { id: crypto.randomUUID(), ...top, scores, modelVersion: this.modelVersion };
    });
  }

  dispose(): void {
    this.head?.dispose();
    this.head = null;
  }
}
