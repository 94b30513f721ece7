// The tables of `npm run bench:perf`, from the results it writes (bench/results/perf.json): for the console, and as
// the Markdown section of docs/benchmarks.md. Each budgeted figure carries ✓ or ✗ against its issue-7 budget.
import { grouped, markdownTable } from './lib.mjs';

/** The issue-7 budgets on this machine (2 cores, no GPU, headless Chromium). */
export const BUDGETS = {
  mainJsGzipKB: 30,
  coldStartMs: 1500,
  warmPredictP95Ms: 10,
  correctionP95Ms: 100,
  batchPerSecond: 5000,
  selectMs: 2000,
  trainLongTasks: 0,
};

/** Issue 22's targets for every text distribution at 10,000 stored (wasm). */
export const DISTRIBUTION_BUDGETS = {
  warmPredictP95Ms: 5,
  batchPerSecond: 5000,
  selectMs: 2000,
  longTasks: 0,
  helperFailures: 0,
  recall: 0.99,
};

const missing = (v) => v === null || v === undefined || Number.isNaN(v);
const fmt = (v, digits = 0) => (missing(v) ? '–' : Number(v).toFixed(digits));
/** Whole numbers of 1,000 and more grouped, as the prose around the tables writes them. */
const int = (v) => (missing(v) ? '–' : grouped(Number(v)));
const kb = (bytes) => fmt(bytes / 1024, 1);
/** Latencies to a tenth of a millisecond; from 100 ms on, whole milliseconds (the tenth is noise there). */
const latency = (v) => fmt(v, v >= 100 ? 0 : 1);
const p50p95 = (m) => `${latency(m.p50)} / ${latency(m.p95)}`;
const longTasks = (t) => `${t.count} / ${t.maxMs}`;

/**
 * The rows of the main table: [measure, budget, one cell per run]. A row's `ok` (when it has one) decides the mark
 * after a cell; a cell a run could not measure is "–" and has no mark.
 * @param {any[]} runs the runs that finished (each with `cold` and `suite`)
 * @param {number[]} stored the two stored-example counts of the full-size runs
 */
export function perfRows(runs, stored) {
  const [small, big] = [Math.min(...stored), Math.max(...stored)];
  const train = (r, n) => {
    const t = r.suite.text.train[n];
    if (!t) return '–';
    if (t.over) return `> ${fmt(t.over / 1000, 0)} s${t.stillRunning ? ' (cancel ignored)' : ''}`;
    if (t.error) return 'error';
    return int(t.ms);
  };
  const trainLongTasks = (r) => {
    const all = Object.values(r.suite.text.train).map((t) => t.longTasks);
    return { count: all.reduce((s, t) => s + t.count, 0), maxMs: Math.max(0, ...all.map((t) => t.maxMs)) };
  };
  /** @type {{ measure: string; budget?: string; value: (r: any) => string; ok?: (r: any) => boolean }[]} */
  const specs = [
    { measure: 'backend in use', value: (r) => r.suite.backend + (r.isolated ? ' (isolated)' : '') },
    { measure: 'trained head served the figures', value: (r) => (r.suite.text.headServed ? 'yes' : 'no (training over the cap)') },
    {
      measure: 'main-thread JS, KB gzip',
      budget: `≤ ${BUDGETS.mainJsGzipKB}`,
      value: (r) => kb(r.cold.bytes.mainJs.gzip),
      ok: (r) => r.cold.bytes.mainJs.gzip / 1024 <= BUDGETS.mainJsGzipKB,
    },
    { measure: 'worker JS, KB gzip', value: (r) => kb(r.cold.bytes.workerJs.gzip) },
    {
      measure: 'wasm, KB (gzip)',
      value: (r) => (r.cold.bytes.wasm.raw ? `${kb(r.cold.bytes.wasm.raw)} (${kb(r.cold.bytes.wasm.gzip)})` : '0'),
    },
    {
      measure: 'cold start, first visit, ms',
      budget: `≤ ${grouped(BUDGETS.coldStartMs)}`,
      value: (r) => int(r.cold.firstVisitMs),
      ok: (r) => r.cold.firstVisitMs <= BUDGETS.coldStartMs,
    },
    {
      measure: 'cold start, stored model, ms',
      budget: `≤ ${grouped(BUDGETS.coldStartMs)}`,
      value: (r) => int(r.cold.storedModelMs),
      ok: (r) => r.cold.storedModelMs <= BUDGETS.coldStartMs,
    },
    ...[small, big].map((n) => ({
      measure: `predict text p50 / p95 ms, ${grouped(n)} stored`,
      budget: `p95 ≤ ${BUDGETS.warmPredictP95Ms}`,
      value: (r) => p50p95(r.suite.text.predict[n]),
      ok: (r) => r.suite.text.predict[n].p95 <= BUDGETS.warmPredictP95Ms,
    })),
    {
      measure: 'predict image p50 / p95 ms',
      budget: `p95 ≤ ${BUDGETS.warmPredictP95Ms}`,
      value: (r) => p50p95(r.suite.image.predict),
      ok: (r) => r.suite.image.predict.p95 <= BUDGETS.warmPredictP95Ms,
    },
    { measure: 'texts stored for the next two rows', value: (r) => int(Math.max(...r.config.stored)) },
    {
      measure: `predictBatch, texts/s (pool of ${grouped(runs[0]?.config.pool ?? 0)})`,
      budget: `≥ ${grouped(BUDGETS.batchPerSecond)}`,
      value: (r) => int(r.suite.text.batch.perSecond) + (r.suite.text.batch.projected ? ' (sample)' : ''),
      ok: (r) => r.suite.text.batch.perSecond >= BUDGETS.batchPerSecond,
    },
    {
      measure: `selectForReview over ${grouped(runs[0]?.config.pool ?? 0)} texts, ms`,
      budget: `≤ ${grouped(BUDGETS.selectMs)}`,
      value: (r) => `${int(r.suite.text.select.ms)}${r.suite.text.select.projected ? ' (proj.)' : ''}`,
      ok: (r) => r.suite.text.select.ms <= BUDGETS.selectMs,
    },
    {
      measure: 'correction-to-effect p95, ms',
      budget: `≤ ${BUDGETS.correctionP95Ms}`,
      value: (r) => `${fmt(r.suite.text.correction.p95)}${r.suite.text.correction.failures ? ` (${r.suite.text.correction.failures} failed)` : ''}`,
      ok: (r) => r.suite.text.correction.p95 <= BUDGETS.correctionP95Ms && !r.suite.text.correction.failures,
    },
    { measure: `full retrain, ${grouped(small)} texts, ms`, value: (r) => train(r, small) },
    { measure: `full retrain, ${grouped(big)} texts, ms`, value: (r) => train(r, big) },
    {
      measure: 'long tasks while training (n / max ms)',
      budget: `${BUDGETS.trainLongTasks}`,
      value: (r) => longTasks(trainLongTasks(r)),
      ok: (r) => trainLongTasks(r).count <= BUDGETS.trainLongTasks,
    },
    { measure: 'long tasks in predictBatch (n / max ms)', value: (r) => longTasks(r.suite.text.batch.longTasks) },
    { measure: 'long tasks in the cycles (n / max ms)', value: (r) => longTasks(r.suite.cycles.longTasks) },
    {
      measure: 'JS heap MB before → after the cycles',
      value: (r) => `${fmt(r.suite.cycles.heapMB.before, 1)} → ${fmt(r.suite.cycles.heapMB.after, 1)}`,
    },
    {
      measure: 'worker tensors before → after the cycles',
      budget: 'equal',
      value: (r) => `${r.suite.cycles.tensors.before} → ${r.suite.cycles.tensors.after}`,
      ok: (r) => r.suite.cycles.tensors.before === r.suite.cycles.tensors.after,
    },
  ];
  return specs.map(({ measure, budget = '', value, ok }) => [
    measure,
    budget,
    ...runs.map((r) => {
      try {
        const cell = value(r);
        if (cell === '–' || !ok) return cell;
        return `${cell} ${ok(r) ? '✓' : '✗'}`;
      } catch {
        // A figure this run did not measure (a forced backend skips the cycles and the larger size).
        return '–';
      }
    }),
  ]);
}

export const DISTRIBUTION_HEADERS = [
  'distribution',
  'stored',
  'load (1 min)',
  'label/s',
  `predict p50 / p95 ms (≤ ${DISTRIBUTION_BUDGETS.warmPredictP95Ms})`,
  `recall @ 0.8 (≥ ${DISTRIBUTION_BUDGETS.recall})`,
  'featurize p50 / p95 ms',
  'lookup bounded / exact p95 ms',
  `predictBatch texts/s (≥ ${grouped(DISTRIBUTION_BUDGETS.batchPerSecond)})`,
  `selectForReview ms (≤ ${grouped(DISTRIBUTION_BUDGETS.selectMs)})`,
  'long tasks n / max ms (0)',
  'helper failures (0)',
  'review picks as before',
];

/**
 * One row per distribution and stored count (the pool-wide figures and the failures belong to the largest count).
 * @param {any[]} distributions the `distributions` of bench/results/perf.json
 */
export function distributionRows(distributions) {
  const mark = (cell, ok) => `${cell} ${ok ? '✓' : '✗'}`;
  const rows = [];
  for (const d of distributions) {
    if (d.error || !d.stored) {
      rows.push([d.name, '–', fmt(d.load?.[0], 1), `failed: ${d.error}`, ...Array(DISTRIBUTION_HEADERS.length - 4).fill('–')]);
      continue;
    }
    const sizes = Object.keys(d.stored)
      .map(Number)
      .sort((a, b) => a - b);
    const big = Math.max(...sizes);
    for (const n of sizes) {
      const f = d.stored[n];
      const last = n === big;
      const tasks = [f.predictLongTasks, ...(last ? [d.select?.longTasks, d.batch?.longTasks] : [])].filter(Boolean);
      const longTaskCount = tasks.reduce((sum, t) => sum + t.count, 0);
      const longTaskMax = Math.max(0, ...tasks.map((t) => t.maxMs));
      rows.push([
        `${d.name} (${int(d.meanChars)} chars)`,
        int(n),
        fmt(d.load?.[0], 1),
        int(f.labelPerSecond),
        mark(p50p95(f.predict), f.predict.p95 <= DISTRIBUTION_BUDGETS.warmPredictP95Ms),
        mark(`${fmt(f.recall.recall, 3)} of ${f.recall.pairs}`, f.recall.recall >= DISTRIBUTION_BUDGETS.recall && f.recall.overstated === 0),
        p50p95(f.featurizeMs),
        `${latency(f.boundedLookupMs.p95)} / ${latency(f.exactLookupMs.p95)}`,
        last && d.batch
          ? mark(int(d.batch.perSecond) + (d.batch.projected ? ' (sample)' : ''), d.batch.perSecond >= DISTRIBUTION_BUDGETS.batchPerSecond)
          : '–',
        last && d.select ? mark(int(d.select.ms) + (d.select.projected ? ' (proj.)' : ''), d.select.ms <= DISTRIBUTION_BUDGETS.selectMs) : '–',
        mark(`${longTaskCount} / ${longTaskMax}`, longTaskCount <= DISTRIBUTION_BUDGETS.longTasks),
        last ? mark(String(d.helperFailures ?? '–'), d.helperFailures === DISTRIBUTION_BUDGETS.helperFailures) : '–',
        last && d.reviewOverlap ? `${d.reviewOverlap.same} of ${d.reviewOverlap.k}` : '–',
      ]);
    }
  }
  return rows;
}

export const PEER_HEADERS = ['stored', 'ours p50 / p95 ms', 'knn-classifier p50 / p95 ms', 'knn ÷ ours (p50)'];

/** The peer rows of the run that measured it (`auto`): the same rows predicted by us and by knn-classifier. */
export function peerRows(runs) {
  const run = runs.find((r) => r.suite.peer);
  if (!run) return [];
  const { ours, knn } = run.suite.peer;
  return Object.keys(ours)
    .map(Number)
    .map((n) => [grouped(n), p50p95(ours[n]), p50p95(knn[n]), `${fmt(knn[n].p50 / ours[n].p50, 1)}×`]);
}

/** The column heading of a run. */
export const runHeader = (r) => `${r.backend}${r.isolated ? ', isolated' : ''}`;

/**
 * The section of docs/benchmarks.md: when and where it ran, the main table and the peer's.
 * @param {any} output the object bench:perf writes to bench/results/perf.json
 */
export function perfMarkdown(output) {
  const runs = output.runs.filter((r) => r.suite && r.cold);
  const peerRun = runs.find((r) => r.suite.peer);
  const parts = [
    `Latest run: ${output.generatedAt.slice(0, 10)}, commit ${output.commit}, ${output.machine.cpus} CPU cores, ` +
      `${Math.round(output.wallSeconds / 60)} min. Forced backends store ${grouped(Math.min(...output.config.stored))} texts, ` +
      `\`auto\` ${grouped(Math.max(...output.config.stored))}; the cycles are ${grouped(output.config.cycles)} predict-and-label rounds.`,
    '',
    markdownTable(['measure', 'budget', ...runs.map(runHeader)], perfRows(runs, output.config.stored)),
  ];
  if (peerRun) {
    parts.push(
      '',
      `Peer: predict latency on the same rows (${peerRun.suite.peer.features}), ours on \`${peerRun.backend}\` ` +
        `(${peerRun.suite.backend}) against knn-classifier on the page's ${peerRun.suite.peer.knnBackend} backend:`,
      '',
      markdownTable(PEER_HEADERS, peerRows(runs)),
    );
  }
  if (output.distributions?.length > 0) {
    parts.push(
      '',
      `Text distributions (issue 22, scripts/perf-distributions.mjs), \`wasm\`, memory storage, trained once at each size; ` +
        `pools of ${grouped(output.distributionConfig.pool)} texts; recall is the bounded lookup's against the exact search ` +
        `over ${output.distributionConfig.recallQueries} queries; load is the machine's 1-minute load average when the distribution started:`,
      '',
      markdownTable(DISTRIBUTION_HEADERS, distributionRows(output.distributions)),
    );
  }
  const failed = output.runs.filter((r) => r.error);
  if (failed.length > 0) parts.push('', ...failed.map((r) => `- ${runHeader(r)}: failed — ${r.error}`));
  return parts.join('\n');
}
