import { featurizeText } from '../featurizers/text.js';
import type { SparseVector, Vector } from '../featurizers/vector.js';
import { nextTask } from '../learning/head.js';
import { HELPER_MIN_BATCH, HELPER_MIN_EXAMPLES, LookupHelper } from '../lookup-helper.js';
import { NEAR_DUPLICATE, type ExampleMemory, type Nearest } from '../memory/example-memory.js';
import { refineCount, reviewCandidates } from '../review.js';
import type { ReviewStrategy } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';
import type { Serving } from './serving.js';

/** Texts per block when a batch is shared with the lookup helper: ~50 ms of lookups at 10,000 stored. */
const SHARED_BLOCK = 250;

export interface Scored {
  vectors: Vector[];
  probs: Float64Array[];
  hasModel: boolean;
}

/**
 * Scores batches, sharing a large text batch over a large memory with the lookup helper (a second worker with an
 * exact copy of the memory) block by block from both ends: this worker featurizes and looks up from the front, the
 * helper from the back, until they meet, so each does what its speed allows. This worker also runs the head, blends
 * and answers for the whole batch. Blocks the helper fails are done here, and a failed helper is not used again.
 */
export class BatchSplit {
  private lookups: LookupHelper | null = null;

  constructor(
    private readonly textModel: boolean,
    private readonly memory: ExampleMemory,
    private readonly serving: Serving,
    private readonly classes: () => number,
    private readonly vectorize: (inputs: readonly StoredInput[]) => Promise<Vector[]>,
    /** Gives n-gram vectors made here or by the helper the head's view, when the model's feature choice has one. */
    private readonly attachHeadViews: (texts: readonly string[], vectors: SparseVector[]) => void,
  ) {}

  /** A text memory large enough for lookups to dominate a batch gets its helper, if the device has a core for it. */
  startWhenLarge(): void {
    if (this.lookups || !this.textModel || this.memory.size < HELPER_MIN_EXAMPLES) return;
    if (typeof Worker === 'undefined' || (navigator.hardwareConcurrency ?? 1) < 2) return;
    try {
      this.lookups = new LookupHelper(this.memory);
    } catch (error) {
      console.warn('hitl-classifier: could not start the lookup helper; large batches use one core', error);
    }
  }

  async score(canonical: readonly StoredInput[]): Promise<Scored> {
    const helper = this.lookups;
    if (!helper?.usable || canonical.length < HELPER_MIN_BATCH || !this.serving.hasHead || this.serving.voteWeight() !== 0) {
      const vectors = await this.vectorize(canonical);
      return { vectors, ...(await this.serving.probabilities(vectors)) };
    }
    const classes = this.classes();
    const floor = NEAR_DUPLICATE.text;
    const n = canonical.length;
    const vectors = new Array<Vector>(n);
    const found = new Array<Nearest>(n);
    const local = (start: number, end: number) => {
      for (let i = start; i < end; i++) {
        const vector = featurizeText(canonical[i] as string);
        vectors[i] = vector;
        found[i] = this.memory.nearest(vector, classes, floor);
      }
    };
    const block = Math.max(HELPER_MIN_BATCH, Math.min(SHARED_BLOCK, Math.ceil(n / 4)));
    let front = 0;
    let back = n;
    const failed: [number, number][] = [];
    // Two requests in flight, so the helper never waits for this worker between blocks.
    const feedHelper = async (): Promise<void> => {
      while (back > front) {
        const end = back;
        const start = Math.max(front, end - block);
        back = start;
        try {
          const answer = await helper.lookup(canonical.slice(start, end) as string[], classes, floor);
          answer.vectors.forEach((vector, j) => (vectors[start + j] = vector));
          answer.nearest.forEach((near, j) => (found[start + j] = near));
        } catch (error) {
          if (failed.length === 0) console.warn('hitl-classifier: the lookup helper failed; this batch is finished on one core', error);
          failed.push([start, end]);
          return;
        }
      }
    };
    // The helper's first block, then this worker's, then the helper's second: each side starts with one.
    const fed = [feedHelper()];
    let start = front;
    front = Math.min(back, start + block);
    fed.push(feedHelper());
    for (;;) {
      local(start, front);
      // Lets the helper's answers (and pings) in between blocks.
      await nextTask();
      if (back <= front) break;
      start = front;
      front = Math.min(back, start + block);
    }
    await Promise.all(fed);
    for (const [start, end] of failed) {
      local(start, end);
      await nextTask();
    }
    this.attachHeadViews(canonical as readonly string[], vectors as SparseVector[]);
    return { vectors, ...(await this.serving.probabilities(vectors, found)) };
  }

  /**
   * What a review ranking for `k` needs of a pool: the head's answer for every input, then the memory's blend for the
   * refineCount(n, k) most uncertain of them only (review.ts says why that many), rather than a near-duplicate lookup
   * for every input. Returns those candidates' vectors and answers and their indices in the pool. Without a head, or
   * with the nearest-neighbour vote in the answer (the memory then speaks for every input), the whole pool is scored.
   */
  async scoreForReview(canonical: readonly StoredInput[], k: number, strategy: ReviewStrategy): Promise<Scored & { indices: number[] }> {
    const count = refineCount(canonical.length, k);
    if (!this.serving.hasHead || this.serving.voteWeight() !== 0 || count >= canonical.length) {
      return { ...(await this.score(canonical)), indices: canonical.map((_, i) => i) };
    }
    // Block by block, answering pings in between: 10,000 long documents take tens of seconds to featurize.
    const vectors: Vector[] = [];
    for (let start = 0; start < canonical.length; start += SHARED_BLOCK) {
      for (const vector of await this.vectorize(canonical.slice(start, start + SHARED_BLOCK))) vectors.push(vector);
      await nextTask();
    }
    const classes = this.classes();
    // Looked up already, nothing near: the head's answer alone.
    const nothingNear = { perClass: new Float64Array(classes).fill(-Infinity), top: -Infinity, topSeq: -Infinity };
    const head = await this.serving.probabilities(
      vectors,
      vectors.map(() => nothingNear),
    );
    // In pool order, so that the ranking breaks ties by pool order as it does over a whole pool.
    const indices = reviewCandidates(head.probs, count, strategy).sort((a, b) => a - b);
    const picked = indices.map((i) => vectors[i]!);
    return { vectors: picked, ...(await this.serving.probabilities(picked)), indices };
  }

  dispose(): void {
    this.lookups?.dispose();
  }
}
