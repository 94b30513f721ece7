/**
 * The label-check benchmark (issue 18, item 2), run in the page scripts/bench-trust.mjs drives: a share of the labels
 * of a real dataset is flipped at random (seeded), every label goes through the public API, one training runs, and
 * the labels `suspiciousLabels()` flags are compared with the ones flipped. Nothing here knows which were flipped
 * but the scoring.
 */
import { createClassifier, type ClassifierInput } from '../../src/index.js';

export interface LabelCheckConfig {
  dataset: 'spam' | 'iris';
  /** Labelled examples drawn from the dataset (all of it when larger). */
  size: number;
  /** Share of them given a wrong label. */
  flipRate: number;
  seed: number;
}

export interface LabelCheckResult {
  dataset: string;
  seed: number;
  examples: number;
  flipped: number;
  flagged: number;
  /** Flagged and flipped. */
  caught: number;
  precision: number | null;
  recall: number | null;
  /** Of the flags on flipped labels, the share whose suggestion is the label before the flip. */
  suggestionRight: number | null;
  trainMs: number;
  /** From the end of train() to the flags: the out-of-fold check that follows a training. */
  checkMs: number;
}

interface Row {
  input: ClassifierInput;
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

async function rows(dataset: LabelCheckConfig['dataset']): Promise<{ labels: string[]; input: 'text' | 'features'; rows: Row[] }> {
  const response = await fetch(new URL(`../data/${dataset}.json`, import.meta.url));
  if (!response.ok) throw new Error(`bench/data/${dataset}.json: HTTP ${response.status}. Run \`npm run data\` first.`);
  const fixture = (await response.json()) as {
    labels: string[];
    input: 'text' | 'features';
    train: ({ text: string; label: string } | { x: number[]; label: string })[];
    test: ({ text: string; label: string } | { x: number[]; label: string })[];
  };
  // Both splits: the check looks at labels, and there is no model to test here.
  const all = [...fixture.train, ...fixture.test].map((r) => ({ input: 'text' in r ? r.text : r.x, label: r.label }));
  // One row per input: a repeated input is one example (its id is a hash of the input), labelled once.
  const seen = new Set<string>();
  const unique = all.filter((r) => {
    const key = JSON.stringify(r.input);
    return !seen.has(key) && seen.add(key) !== undefined;
  });
  return { labels: fixture.labels, input: fixture.input, rows: unique };
}

export async function runLabelCheck(config: LabelCheckConfig, progress: (message: string) => void): Promise<LabelCheckResult> {
  const data = await rows(config.dataset);
  const next = random(config.seed);
  const chosen = shuffle([...data.rows], next).slice(0, config.size);
  const flips = Math.round(chosen.length * config.flipRate);
  const flippedAt = new Set(shuffle([...chosen.keys()], next).slice(0, flips));
  const given = chosen.map((row, i) => {
    if (!flippedAt.has(i)) return row.label;
    const others = data.labels.filter((l) => l !== row.label);
    return others[Math.floor(next() * others.length)]!;
  });
  const clf = await createClassifier({
    name: `bench-label-check-${config.dataset}-${config.seed}-${crypto.randomUUID()}`,
    labels: data.labels,
    input: data.input,
    storage: 'memory',
    autoTrain: false,
  });
  try {
    const ids = new Map<string, number>();
    for (const [i, row] of chosen.entries()) {
      const { exampleId } = await clf.label(row.input, given[i]!);
      ids.set(exampleId, i);
      if ((i + 1) % 500 === 0) progress(`${config.dataset} seed ${config.seed}: ${i + 1} of ${chosen.length} labelled`);
    }
    let started = performance.now();
    await clf.train();
    const trainMs = performance.now() - started;
    started = performance.now();
    const flagged = await clf.suspiciousLabels();
    const checkMs = performance.now() - started;
    const caughtFlags = flagged.filter((f) => flippedAt.has(ids.get(f.id)!));
    const caught = caughtFlags.length;
    return {
      dataset: config.dataset,
      seed: config.seed,
      examples: chosen.length,
      flipped: flips,
      flagged: flagged.length,
      caught,
      precision: flagged.length > 0 ? caught / flagged.length : null,
      recall: flips > 0 ? caught / flips : null,
      suggestionRight: caught > 0 ? caughtFlags.filter((f) => f.suggested === chosen[ids.get(f.id)!]!.label).length / caught : null,
      trainMs: Math.round(trainMs),
      checkMs: Math.round(checkMs),
    };
  } finally {
    await clf.reset();
    await clf.close();
  }
}
