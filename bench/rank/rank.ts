// One task of `npm run bench:rank` (scripts/bench-rank.mjs), in the page: a hidden utility over items, a simulated
// person who compares pairs with Bradley–Terry noise (P(a) = σ(u(a) − u(b)); ties where the task has them), a ranker
// that learns from those comparisons (pairs chosen at random or by selectPairs' informative strategy), and its figures
// on held-out items at 25, 50, 100, 200 and 400 comparisons.
import { createRanker, type Ranker } from '../../src/ranker-entry.js';
import { gaussian, shuffled } from '../../scripts/seeded-random.mjs';
import { seededRandom } from '../../workers/ranker/pair-selection.js';

export type RankTaskName = 'numbers' | 'texts' | 'syllables';
export type RankStrategy = 'informative' | 'random';

export interface RankConfig {
  task: RankTaskName;
  strategy: RankStrategy;
  seed: number;
  checkpoints: number[];
  /** Pairs asked for and compared per turn. */
  batch: number;
}

export interface Checkpoint {
  comparisons: number;
  /** Held-out pairs with a winner whose winner the ranker scored higher. */
  accuracy: number;
  /** The same for the hidden utility itself (its expected accuracy against the noisy outcomes): the noise ceiling. */
  ceiling: number;
  kendallTau: number;
  ece: number;
  /** The 10 bins behind `ece`: how many sides fell in each, their mean probability and how often they happened. */
  reliability: { n: number; p: number; hit: number }[];
  /** Mean P(tie) given on the sampled held-out pairs, and the share of them the person called a tie. */
  tieProbability: number;
  tieShare: number;
  /** Of the comparisons asked so far: the share the person called a tie, and the mean hidden-utility gap of their pairs. */
  askedTieShare: number;
  askedMeanGap: number;
  /** The ranker's own `stats().ece`: its out-of-fold comparisons at the chosen L2. */
  outOfFoldEce: number | null;
  /** What the ranker chose to read of a text (`stats().features`), null for numbers. */
  features: { counts: boolean; shortGramShare: number } | null;
  trainMs: number;
}

export interface RankResult extends Omit<RankConfig, 'checkpoints'> {
  items: number;
  pool: number;
  heldOutPairs: number;
  checkpoints: Checkpoint[];
  /** Warm `score` latency (ms, one item per call) after the last checkpoint. */
  scoreP50: number;
  scoreP95: number;
  /** The slowest call: one pause of the worker (a garbage collection, say) shows here and not in the p95. */
  scoreMax: number;
}

type Item = string | number[];
interface Task {
  items: Item[];
  utility: number[];
  /** The outcome a person gives for items i and j, drawn with `random`. */
  judge(i: number, j: number, random: () => number): 'a' | 'b' | 'tie';
  /** Expected accuracy of the hidden utility on pair (i, j), ties left out: the noise ceiling's term. */
  ceiling(i: number, j: number): number | null;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Bradley–Terry noise over a utility: the person prefers a with probability σ(u(a) − u(b)). */
function btTask(items: Item[], utility: number[]): Task {
  return {
    items,
    utility,
    judge: (i, j, random) => (random() < sigmoid(utility[i]! - utility[j]!) ? 'a' : 'b'),
    ceiling: (i, j) => {
      const p = sigmoid(utility[i]! - utility[j]!);
      return Math.max(p, 1 - p);
    },
  };
}

/** 8 numeric columns, a linear utility of them scaled so that a random pair is right about 80 % of the time. */
function numbersTask(random: () => number): Task {
  const weights = Array.from({ length: 8 }, () => gaussian(random));
  const norm = Math.hypot(...weights);
  const items = Array.from({ length: 400 }, () => Array.from({ length: 8 }, () => gaussian(random)));
  return btTask(
    items,
    items.map((x) => (2 * x.reduce((s, v, k) => s + v * weights[k]!, 0)) / norm),
  );
}

/** Support replies made of phrases, each with a hidden value to the person reading (polite, specific, rude, vague…). */
const PHRASES: [string, number][] = [
  ['Thanks for reaching out.', 0.6],
  ['Sorry for the trouble.', 0.8],
  ['I have refunded the charge to your card.', 1.6],
  ['I reset your password and sent a new link.', 1.5],
  ['Your order ships tomorrow with tracking.', 1.4],
  ['I escalated this to the billing team.', 0.9],
  ['Here are the steps to fix it:', 1.0],
  ['Let me know if anything else comes up.', 0.5],
  ['Please read the FAQ.', -1.0],
  ['We cannot help with that.', -1.6],
  ['This is not our problem.', -2.0],
  ['As stated before,', -0.7],
  ['Try again later.', -0.9],
  ['Per our policy,', -0.4],
  ['Have a great day!', 0.4],
  ['Ticket closed.', -1.2],
  ['I checked your account myself.', 1.1],
  ['You should have read the manual.', -1.8],
  ['I added a credit of ten dollars for the wait.', 1.3],
  ['Reply to this mail with a screenshot.', 0.2],
];

function textsTask(random: () => number): Task {
  const items: string[] = [];
  const utility: number[] = [];
  const seen = new Set<string>();
  while (items.length < 400) {
    const count = 2 + Math.floor(random() * 3);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(random() * PHRASES.length));
    const order = [...chosen].sort((a, b) => a - b);
    const text = order.map((k) => PHRASES[k]![0]).join(' ');
    if (seen.has(text)) continue;
    seen.add(text);
    items.push(text);
    utility.push(order.reduce((s, k) => s + PHRASES[k]![1], 0));
  }
  return btTask(items, utility);
}

/** Real words (cmudict): people prefer the word with more syllables, and call two words of as many syllables a tie. */
async function syllablesTask(random: () => number): Promise<Task> {
  const response = await fetch(new URL('../data/cmudict.json', import.meta.url));
  if (!response.ok) throw new Error(`bench/data/cmudict.json: HTTP ${response.status}. Run \`npm run data\` first.`);
  const data = (await response.json()) as { train: { text: string; label: string }[]; test: { text: string; label: string }[] };
  const all = [...data.train, ...data.test];
  const words = shuffled(all.length, random)
    .slice(0, 400)
    .map((i) => all[i]!);
  const syllables = words.map((w) => (w.label === '4+' ? 4 : Number(w.label)));
  return {
    items: words.map((w) => w.text),
    utility: syllables,
    judge: (i, j) => (syllables[i] === syllables[j] ? 'tie' : syllables[i]! > syllables[j]! ? 'a' : 'b'),
    ceiling: (i, j) => (syllables[i] === syllables[j] ? null : 1),
  };
}

function kendallTau(scores: number[], utility: number[]): number {
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < scores.length; i++)
    for (let j = i + 1; j < scores.length; j++) {
      const s = Math.sign(scores[i]! - scores[j]!) * Math.sign(utility[i]! - utility[j]!);
      if (s > 0) concordant += 1;
      else if (s < 0) discordant += 1;
    }
  return (concordant - discordant) / Math.max(1, concordant + discordant);
}

/** ECE of P(a preferred) against what the simulated person said, both sides of each pair, 10 bins (and the bins). */
function calibration(
  probabilities: { a: number; b: number }[],
  outcomes: ('a' | 'b' | 'tie')[],
): { ece: number; reliability: Checkpoint['reliability'] } {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, hit: 0 }));
  probabilities.forEach((pair, k) => {
    // Each side with its own probability: 1 − P(a) would add the tie's share to b's.
    for (const [p, hit] of [
      [pair.a, outcomes[k] === 'a' ? 1 : 0],
      [pair.b, outcomes[k] === 'b' ? 1 : 0],
    ] as const) {
      const bin = bins[Math.min(9, Math.floor(p * 10))]!;
      bin.n += 1;
      bin.p += p;
      bin.hit += hit;
    }
  });
  const total = probabilities.length * 2;
  return {
    ece: bins.reduce((e, b) => (b.n === 0 ? e : e + (b.n / total) * Math.abs(b.p / b.n - b.hit / b.n)), 0),
    reliability: bins.map((b) => ({ n: b.n, p: b.n === 0 ? 0 : b.p / b.n, hit: b.n === 0 ? 0 : b.hit / b.n })),
  };
}

async function evaluate(ranker: Ranker, task: Task, heldOut: number[], pairs: [number, number][], outcomes: ('a' | 'b' | 'tie')[]) {
  const items = heldOut.map((i) => task.items[i]!);
  const scores = (await ranker.scoreBatch(items)).map((s) => s.score);
  const at = new Map(heldOut.map((item, k) => [item, k]));
  let right = 0;
  let decided = 0;
  let ceiling = 0;
  let counted = 0;
  pairs.forEach(([i, j], k) => {
    const term = task.ceiling(i, j);
    if (term !== null) {
      ceiling += term;
      counted += 1;
    }
    if (outcomes[k] === 'tie') return;
    decided += 1;
    const predicted = scores[at.get(i)!]! > scores[at.get(j)!]! ? 'a' : 'b';
    if (predicted === outcomes[k]) right += 1;
  });
  // probability() as a page calls it, for the calibration figure: a sample of the held-out pairs.
  const sample = pairs.slice(0, 600);
  const probabilities = await Promise.all(sample.map(([i, j]) => ranker.probabilities(task.items[i]!, task.items[j]!)));
  const sampledOutcomes = outcomes.slice(0, sample.length);
  return {
    accuracy: right / Math.max(1, decided),
    ceiling: ceiling / Math.max(1, counted),
    kendallTau: kendallTau(
      scores,
      heldOut.map((i) => task.utility[i]!),
    ),
    ...calibration(probabilities, sampledOutcomes),
    tieProbability: probabilities.reduce((sum, p) => sum + p.tie, 0) / Math.max(1, probabilities.length),
    tieShare: sampledOutcomes.filter((o) => o === 'tie').length / Math.max(1, sampledOutcomes.length),
    ...(await ranker.stats().then((stats) => ({
      outOfFoldEce: stats.ece,
      features: stats.features && { counts: stats.features.counts, shortGramShare: stats.features.shortGramShare },
    }))),
  };
}

export async function runRank(config: RankConfig, progress: (message: string) => void): Promise<RankResult> {
  const random = seededRandom(config.seed * 7919 + 17);
  const task = config.task === 'numbers' ? numbersTask(random) : config.task === 'texts' ? textsTask(random) : await syllablesTask(random);
  // Fisher–Yates, not sort(() => random() − 0.5): that order depends on the engine's sort, so Node and Chromium built
  // different tasks from one seed.
  const order = shuffled(task.items.length, random);
  const pool = order.slice(0, 250);
  const heldOut = order.slice(250);
  const heldPairs: [number, number][] = [];
  while (heldPairs.length < 2000) {
    const i = heldOut[Math.floor(random() * heldOut.length)]!;
    const j = heldOut[Math.floor(random() * heldOut.length)]!;
    if (i !== j) heldPairs.push([i, j]);
  }
  const heldOutcomes = heldPairs.map(([i, j]) => task.judge(i, j, random));
  const ranker = await createRanker({
    name: `bench-rank-${config.task}-${config.strategy}-${config.seed}`,
    input: config.task === 'numbers' ? 'features' : 'text',
    storage: 'memory',
    autoTrain: false,
  });
  progress(`${config.task} ${config.strategy} seed ${config.seed}: ranker open`);
  const person = seededRandom(config.seed * 104729 + 3);
  const poolItems = pool.map((i) => task.items[i]!);
  const checkpoints: Checkpoint[] = [];
  let made = 0;
  let askedTies = 0;
  let askedGap = 0;
  try {
    for (const target of config.checkpoints) {
      while (made < target) {
        const want = Math.min(config.batch, target - made);
        const pairs = await ranker.selectPairs(poolItems, want, { strategy: config.strategy, seed: config.seed * 1000 + made });
        if (pairs.length === 0) throw new Error(`selectPairs gave no pairs at ${made} comparisons (${config.task}, ${config.strategy}).`);
        for (const [p, q] of pairs) {
          const [i, j] = [pool[p]!, pool[q]!];
          const said = task.judge(i, j, person);
          if (said === 'tie') askedTies += 1;
          askedGap += Math.abs(task.utility[i]! - task.utility[j]!);
          await ranker.compare(task.items[i]!, task.items[j]!, said);
          made += 1;
        }
      }
      const trained = await ranker.train();
      const figures = await evaluate(ranker, task, heldOut, heldPairs, heldOutcomes);
      checkpoints.push({ comparisons: made, trainMs: trained.ms, askedTieShare: askedTies / made, askedMeanGap: askedGap / made, ...figures });
      progress(
        `${config.task} ${config.strategy} seed ${config.seed}: ${made} comparisons, accuracy ${(100 * figures.accuracy).toFixed(1)} % of ceiling ${(100 * figures.ceiling).toFixed(1)} %`,
      );
    }
    const times: number[] = [];
    // 1,000 calls (about 0.3 s): over 200, the p95 was the 10th slowest call, and one pause of the worker of some 50 ms
    // that delays the calls behind it for a tenth of a second decided it (syllables: p95 5.8 ms, p50 0.2 ms).
    for (let k = 0; k < 1000; k++) {
      const item = task.items[heldOut[k % heldOut.length]!]!;
      const start = performance.now();
      await ranker.score(item);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return {
      ...config,
      items: task.items.length,
      pool: pool.length,
      heldOutPairs: heldPairs.length,
      checkpoints,
      scoreP50: times[Math.floor(times.length * 0.5)]!,
      scoreP95: times[Math.floor(times.length * 0.95)]!,
      scoreMax: times.at(-1)!,
    };
  } finally {
    await ranker.reset();
    await ranker.close();
  }
}
