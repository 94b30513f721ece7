/**
 * The faithfulness benchmark of explanations (issue 18, item 1), run in the page scripts/bench-trust.mjs drives: a
 * text model is trained on SpamAssassin e-mails through the public API; then for each sampled test e-mail, the k words
 * `explain()` credits most for the predicted label are removed, and so are k words drawn at random. A faithful
 * explanation's words matter more to the model: removing them lowers the predicted label's probability more.
 */
import { createClassifier } from '../../src/index.js';

export interface FaithfulnessConfig {
  /** Training e-mails labelled before the one training. */
  train: number;
  /** Test e-mails explained. */
  test: number;
  /** Random removals per text and k, averaged. */
  draws: number;
  ks: number[];
  seed: number;
}

export interface FaithfulnessRow {
  k: number;
  /** Test texts with more than k words (the others are left out at this k). */
  texts: number;
  /** Texts where removing the attributed words lowered the probability more than removing random ones (on average). */
  wins: number;
  /** Texts where both removals changed the probability by exactly as much (a saturated probability). */
  ties: number;
  meanDropAttributed: number;
  meanDropRandom: number;
}

export interface FaithfulnessResult {
  examples: number;
  testTexts: number;
  accuracy: number;
  linear: number;
  rows: FaithfulnessRow[];
  trainMs: number;
  explainMsPerText: number;
}

interface Row {
  text: string;
  label: string;
}

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The text with the given spans cut out, a space in place of each so its neighbours stay apart. */
function without(text: string, spans: readonly { start: number; end: number }[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end } of sorted) {
    out += `${text.slice(at, start)} `;
    at = end;
  }
  return out + text.slice(at);
}

export async function runFaithfulness(config: FaithfulnessConfig, progress: (message: string) => void): Promise<FaithfulnessResult> {
  const response = await fetch(new URL('../data/spam.json', import.meta.url));
  if (!response.ok) throw new Error(`bench/data/spam.json: HTTP ${response.status}. Run \`npm run data\` first.`);
  const fixture = (await response.json()) as { labels: string[]; train: Row[]; test: Row[] };
  const next = random(config.seed);
  const train = shuffle([...fixture.train], next).slice(0, config.train);
  const test = shuffle([...fixture.test], next).slice(0, config.test);

  const clf = await createClassifier({ name: `faithfulness-${config.seed}`, labels: fixture.labels, storage: 'memory', autoTrain: false });
  try {
    const trainStart = performance.now();
    for (const [i, row] of train.entries()) {
      await clf.label(row.text, row.label);
      if ((i + 1) % 500 === 0) progress(`faithfulness: labelled ${i + 1} of ${train.length}`);
    }
    await clf.train();
    const trainMs = performance.now() - trainStart;

    const rows = config.ks.map((k) => ({ k, texts: 0, wins: 0, ties: 0, dropAttributed: 0, dropRandom: 0 }));
    let correct = 0;
    let linear = 0;
    let explainMs = 0;
    for (const [t, row] of test.entries()) {
      const started = performance.now();
      const explanation = await clf.explain(row.text, { k: 0 });
      explainMs += performance.now() - started;
      if (explanation.method === 'linear') linear += 1;
      if (explanation.predicted === row.label) correct += 1;
      const label = explanation.label;
      const spans = explanation.spans ?? [];
      const ranked = [...spans].sort((a, b) => b.contribution - a.contribution);
      const variants: string[] = [];
      const plan: { k: number; attributed: number; random: number[] }[] = [];
      for (const k of config.ks) {
        // A text of k words or fewer would be emptied by either removal: nothing to compare.
        if (spans.length <= k) continue;
        const attributed = variants.push(without(row.text, ranked.slice(0, k))) - 1;
        const randoms = Array.from({ length: config.draws }, () => variants.push(without(row.text, shuffle([...spans], next).slice(0, k))) - 1);
        plan.push({ k, attributed, random: randoms });
      }
      const [base, ...after] = await clf.predictBatch([row.text, ...variants]);
      const p0 = base!.scores[label]!;
      for (const { k, attributed, random: randoms } of plan) {
        const r = rows.find((x) => x.k === k)!;
        const dropAttributed = p0 - after[attributed]!.scores[label]!;
        const dropRandom = randoms.reduce((sum, i) => sum + (p0 - after[i]!.scores[label]!), 0) / randoms.length;
        r.texts += 1;
        if (dropAttributed > dropRandom) r.wins += 1;
        else if (dropAttributed === dropRandom) r.ties += 1;
        r.dropAttributed += dropAttributed;
        r.dropRandom += dropRandom;
      }
      if ((t + 1) % 50 === 0) progress(`faithfulness: ${t + 1} of ${test.length} test e-mails`);
    }
    return {
      examples: train.length,
      testTexts: test.length,
      accuracy: correct / Math.max(1, test.length),
      linear,
      rows: rows.map(({ k, texts, wins, ties, dropAttributed, dropRandom }) => ({
        k,
        texts,
        wins,
        ties,
        meanDropAttributed: dropAttributed / Math.max(1, texts),
        meanDropRandom: dropRandom / Math.max(1, texts),
      })),
      trainMs,
      explainMsPerText: explainMs / Math.max(1, test.length),
    };
  } finally {
    await clf.close();
  }
}
