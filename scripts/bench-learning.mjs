// `npm run bench:learning`: prepares the fixtures if needed, serves bench/learning.html with Vite, runs the
// benchmark in headless Chromium (one fresh page per dataset), prints the tables and the target lines, and
// writes bench/results/learning.json and, after a run of every dataset and strategy, the accuracy tables in
// docs/benchmarks.md (between its `bench:learning` markers). Options (all optional):
//   --datasets=iris,spam,mnist   --strategies=least-confidence,margin,entropy,diverse   --pool=3000
//   --candidates=500   --seed-size=10   --knn-k=1,3,10   --backend=auto   --no-ceiling   --minutes=10
// --minutes is the time budget for the datasets together; each run gets a share and stops at a checkpoint
// when its share is spent (the tables say so), so a slow engine gives a shorter curve, not a hang.
// --report prints the tables of the last run again from bench/results/learning.json (and rewrites docs/ from it);
// --no-docs leaves docs/ alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import {
  ROOT as root,
  elapsedLogger,
  freePort,
  gitCommit,
  grouped,
  markdownTable,
  readResults,
  textTable as table,
  writeGeneratedSection,
} from './lib.mjs';
import { prepareData } from './prepare-data.mjs';

const RESULTS = join(root, 'bench', 'results', 'learning.json');
const BUDGETS = [20, 50, 100, 200, 400, 800];
const STRATEGIES = ['least-confidence', 'margin', 'entropy', 'diverse'];
const THRESHOLD = 0.8;
/** The knn column of the tables; the best k of `--knn-k` is shown beside it. */
const KNN_MAIN_K = 3;
/** Relative share of the time budget per dataset (of what is left when it starts). */
const SHARES = { iris: 0.05, mnist: 0.45, spam: 0.5 };
/** Iris takes seconds; a share below this would only cut it short on a busy machine. */
const MIN_BUDGET_MS = 30_000;
/** Run order: mnist before spam, so the time it leaves when its model is skipped goes to spam. */
const RUN_ORDER = ['iris', 'mnist', 'spam'];
/** Print order. */
const PRINT_ORDER = ['spam', 'iris', 'mnist'];
/** A dataset still running this long after its budget is abandoned (the page is closed) and reported as an error. */
const OVERRUN_MS = 4 * 60_000;

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: RUN_ORDER.join(',') },
    strategies: { type: 'string', default: STRATEGIES.join(',') },
    pool: { type: 'string', default: '3000' },
    candidates: { type: 'string', default: '500' },
    minutes: { type: 'string', default: '10' },
    'seed-size': { type: 'string', default: '10' },
    'knn-k': { type: 'string', default: '1,3,10' },
    backend: { type: 'string', default: 'auto' },
    'no-ceiling': { type: 'boolean', default: false },
    // Prints the tables and target lines of the last run again from bench/results/learning.json, without running.
    report: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
  },
});

const list = (text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const started = performance.now();
const log = elapsedLogger();

// ---- formatting ------------------------------------------------------------------------------------------

const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}`);
const num = (v, digits = 3) => (v === null || v === undefined ? '–' : v.toFixed(digits));
const ms = (v) => (v === null || v === undefined ? '–' : String(Math.round(v)));

function knnAt(result, labels, k) {
  return result.peer?.checkpoints.find((c) => c.labels === labels)?.byK[k] ?? null;
}

function knnBest(result, labels) {
  const byK = result.peer?.checkpoints.find((c) => c.labels === labels)?.byK;
  if (!byK) return null;
  const [k, best] = Object.entries(byK).sort((a, b) => b[1].accuracy - a[1].accuracy)[0];
  return { k: Number(k), ...best };
}

function printDataset(result) {
  const title = `${result.dataset} · ${result.source} · input '${result.input}' · ${result.labels.length} labels`;
  console.log(`\n=== ${title}`);
  console.log(
    `train ${result.trainSize}, test ${result.testSize} (never labelled). Pool: a seeded random ${result.poolSize} of the train items; ` +
      `random labels it in a fixed random order; each active run starts from the first ${result.seedSize} of that order, then asks ` +
      `selectForReview for max(10, 10 % of labels) at a time out of a seeded random sample of ≤ ${result.candidates} unlabelled ` +
      `pool items, labels them with the truth and retrains. Time budget ${Math.round(result.budgetMs / 1000)} s.`,
  );
  if (result.status === 'error') {
    console.log(`ERROR: ${result.reason}`);
    return;
  }
  if (result.status === 'skipped') console.log(`OUR MODEL SKIPPED: ${result.reason}`);
  if (result.status === 'skipped' && Object.keys(result.errors ?? {}).length > 0) console.log(`errors: ${JSON.stringify(result.errors)}`);
  const methods = Object.keys(result.runs);
  const ks = result.peer?.k ?? [];
  const accRows = result.budgets.map((labels) => {
    const best = knnBest(result, labels);
    return [
      labels,
      ...methods.map((m) => pct(result.runs[m].find((c) => c.labels === labels)?.accuracy)),
      pct(knnAt(result, labels, KNN_MAIN_K)?.accuracy),
      best ? `${pct(best.accuracy)} (k=${best.k})` : '–',
    ];
  });
  console.log(`\nTest accuracy, % (knn: ${result.peer?.name ?? 'none'} on ${result.peer?.features ?? '–'}; ${result.peer?.backend ?? ''} backend)`);
  console.log(table(['labels', ...methods, `knn k=${KNN_MAIN_K}`, `knn best of k=${ks.join(',')}`], accRows));
  if (result.ceiling) {
    const c = result.ceiling;
    console.log(
      `ceiling (all ${c.labels} train labels, one train()): accuracy ${pct(c.accuracy)} %, ECE ${num(c.ece)}, ` +
        `coverage≥${result.threshold} ${pct(c.confident.coverage)} % at ${pct(c.confident.accuracy)} % accuracy, train ${ms(c.trainMs)} ms`,
    );
  }
  if (methods.length === 0) return;
  const rows = [];
  for (const m of methods) {
    for (const c of result.runs[m]) {
      rows.push([
        m,
        c.labels,
        pct(c.accuracy),
        num(c.ece),
        pct(c.confident.coverage),
        pct(c.confident.accuracy),
        ms(c.trainMs),
        c.selectMs === undefined ? '–' : ms(c.selectMs),
        ms(c.predictMs),
        c.calibration ? num(c.calibration.temperature, 2) : '–',
      ]);
    }
  }
  console.log(`\nPer checkpoint (confidence threshold ${result.threshold}; backend ${result.backend})`);
  console.log(
    table(
      ['method', 'labels', 'acc %', 'ECE', `cov≥${result.threshold} %`, `acc≥${result.threshold} %`, 'train ms', 'select ms Σ', 'predict ms', 'temp'],
      rows,
    ),
  );
  const stopped = Object.entries(result.stopped ?? {});
  if (stopped.length > 0) console.log(`\nStopped early:\n  ${stopped.map(([m, why]) => `${m}: ${why}`).join('\n  ')}`);
  const errors = Object.entries(result.errors ?? {});
  if (errors.length > 0)
    console.log(`\nFailed runs (checkpoints before the failure are kept):\n  ${errors.map(([m, why]) => `${m}: ${why}`).join('\n  ')}`);
  if (result.anomalies.length > 0) console.log(`\nAnomalies:\n  ${result.anomalies.join('\n  ')}`);
}

// ---- docs/benchmarks.md -------------------------------------------------------------------------------------------

/** How docs/benchmarks.md names each dataset: [title, what the input is, what one test item is]. */
const DATASET_TITLES = {
  spam: ['SpamAssassin', 'text', 'e-mails'],
  mnist: ['MNIST', 'images, wavelet features, no pretrained weights', 'digits'],
  iris: ['Iris', 'numbers', 'rows'],
};

/** The run's accuracy tables, one per dataset, as the section of docs/benchmarks.md. */
function learningMarkdown(output) {
  const results = PRINT_ORDER.map((d) => output.datasets.find((r) => r.dataset === d)).filter((r) => r?.status === 'ok');
  const backends = [...new Set(results.map((r) => r.backend))].join(', ');
  const parts = [
    `Latest run: ${output.generatedAt.slice(0, 10)}, commit ${output.commit}, ${output.machine.cpus} CPU cores, backend ${backends}, ` +
      `${Math.round(output.wallSeconds / 60)} min. Test-split accuracy, %; knn-classifier gets the random run's labels.`,
  ];
  for (const r of results) {
    const [title, kind, noun] = DATASET_TITLES[r.dataset];
    const methods = Object.keys(r.runs);
    const rows = r.budgets.map((labels) => {
      const at = (m) => r.runs[m].find((c) => c.labels === labels);
      const best = knnBest(r, labels);
      return [
        labels,
        ...methods.map((m) => pct(at(m)?.accuracy)),
        pct(knnAt(r, labels, KNN_MAIN_K)?.accuracy),
        best ? `${pct(best.accuracy)} (k=${best.k})` : '–',
        num(at('random')?.ece),
      ];
    });
    parts.push(
      '',
      `**${title}** (${kind}, ${r.labels.length} labels; ${grouped(r.testSize)} test ${noun})`,
      '',
      markdownTable(['labels', ...methods, `knn k=${KNN_MAIN_K}`, 'knn best k', 'ECE (random)'], rows),
    );
  }
  return parts.join('\n');
}

/** docs/ holds a whole comparison only: a run of some datasets or strategies would replace it with part of one. */
function writeDocs(output) {
  if (args['no-docs']) return;
  const complete =
    RUN_ORDER.every((d) => output.datasets.some((r) => r.dataset === d && r.status === 'ok')) &&
    STRATEGIES.every((m) => output.config.strategies.includes(m));
  if (complete) log(`wrote ${writeGeneratedSection('bench:learning', learningMarkdown(output))}`);
  else log('docs/benchmarks.md keeps the last complete run (this one left out a dataset or strategy, or one failed)');
}

// ---- targets -----------------------------------------------------------------------------------------------

function summarize(results) {
  const lines = [];
  const facts = {};
  const ok = results.filter((r) => r.status === 'ok');
  for (const r of results.filter((r) => r.status !== 'ok')) lines.push(`${r.dataset}: ${r.status} — ${r.reason}`);
  for (const r of ok) for (const [m, why] of Object.entries(r.errors ?? {})) lines.push(`${r.dataset} ${m}: FAILED — ${why}`);

  // (a) labels active learning needs to match random's accuracy at the largest budget.
  facts.labelsToMatchRandom = {};
  for (const r of ok) {
    const random = r.runs.random;
    const top = random?.at(-1);
    if (!top) continue;
    const parts = [];
    facts.labelsToMatchRandom[r.dataset] = { randomLabels: top.labels, randomAccuracy: top.accuracy, strategies: {} };
    for (const [m, checkpoints] of Object.entries(r.runs)) {
      if (m === 'random') continue;
      const reached = checkpoints.find((c) => c.accuracy >= top.accuracy);
      const furthest = checkpoints.at(-1)?.labels ?? 0;
      // Not reached on a curve that stopped early below half the budget: the target can still be met.
      const pass = reached !== undefined ? reached.labels <= top.labels / 2 : furthest < top.labels / 2 ? null : false;
      facts.labelsToMatchRandom[r.dataset].strategies[m] = { labels: reached?.labels ?? null, atMostHalf: pass, measuredUpTo: furthest };
      const shown = reached ? `${reached.labels}` : `not within ${furthest}${r.stopped?.[m] ? ' (stopped early)' : ''}`;
      parts.push(`${m} ${shown}${pass === null ? ' ?' : pass ? ' ✓' : ' ✗'}`);
    }
    let note = '';
    if (top.labels < r.budgets.at(-1)) note = ` (random stopped at ${top.labels} of ${r.budgets.at(-1)} labels: time budget)`;
    else if (top.labels >= r.poolSize) note = ' (the largest budget is the whole pool: every run has the same labels there)';
    lines.push(
      `(a) ${r.dataset}: random reaches ${pct(top.accuracy)} % at ${top.labels} labels; labels active learning needs for that ` +
        `(first checkpoint, target ≤ ${top.labels / 2}): ${parts.join(', ')}${note}`,
    );
  }

  // (b) our accuracy against knn's, same labels (the random run), at every budget.
  facts.beatsKnn = {};
  for (const r of ok) {
    const random = r.runs.random ?? [];
    const verdict = random.map((c) => {
      const knn = knnAt(r, c.labels, KNN_MAIN_K);
      const best = knnBest(r, c.labels);
      return { labels: c.labels, ours: c.accuracy, knn10: knn?.accuracy ?? null, knnBest: best?.accuracy ?? null, knnBestK: best?.k ?? null };
    });
    const beats10 = verdict.every((v) => v.knn10 !== null && v.ours > v.knn10);
    const beatsBest = verdict.every((v) => v.knnBest !== null && v.ours > v.knnBest);
    facts.beatsKnn[r.dataset] = { everyBudgetK10: beats10, everyBudgetBestK: beatsBest, budgets: verdict };
    const losses = verdict.filter((v) => !(v.ours > (v.knn10 ?? Infinity))).map((v) => `${v.labels} (${pct(v.ours)} vs ${pct(v.knn10)})`);
    lines.push(
      `(b) ${r.dataset}: random-order model beats knn k=${KNN_MAIN_K} at every budget: ${beats10 ? 'yes ✓' : `no ✗ — not at ${losses.join(', ')}`}; ` +
        `beats knn's best k at every budget: ${beatsBest ? 'yes' : 'no'}`,
    );
  }

  // (c) the fixed accuracy targets.
  const at = (dataset, labels) => {
    const r = ok.find((x) => x.dataset === dataset);
    if (!r) return null;
    return Object.fromEntries(Object.entries(r.runs).map(([m, cs]) => [m, cs.find((c) => c.labels === labels)?.accuracy ?? null]));
  };
  facts.accuracyTargets = { spamAt400: at('spam', 400), irisAt20: at('iris', 20), mnistAt800: at('mnist', 800) };
  for (const [name, dataset, labels, target] of [
    ['spam', 'spam', 400, 0.98],
    ['iris', 'iris', 20, 0.95],
    ['mnist', 'mnist', 800, 0.93],
  ]) {
    const values = at(dataset, labels);
    if (!values) {
      lines.push(`(c) ${name} at ${labels} labels: not measured (${results.find((r) => r.dataset === dataset)?.reason ?? 'dataset not run'})`);
      continue;
    }
    const r = ok.find((x) => x.dataset === dataset);
    const parts = Object.entries(values).map(([m, v]) => {
      if (v !== null) return `${m} ${pct(v)}${v >= target ? ' ✓' : ' ✗'}`;
      const last = r.runs[m]?.at(-1);
      return `${m} – (stopped at ${last ? `${last.labels} labels, ${pct(last.accuracy)} there` : 'the start'})`;
    });
    lines.push(`(c) ${name} at ${labels} labels (target ≥ ${target * 100} %): ${parts.join(', ')}`);
  }

  // (d) ECE at the largest budget.
  facts.eceAtLargestBudget = {};
  for (const r of ok) {
    const largest = r.budgets.at(-1);
    const values = Object.fromEntries(
      Object.entries(r.runs).map(([m, cs]) => [m, { labels: cs.at(-1)?.labels ?? null, ece: cs.at(-1)?.ece ?? null }]),
    );
    facts.eceAtLargestBudget[r.dataset] = { labels: largest, runs: values };
    const parts = Object.entries(values).map(
      ([m, v]) =>
        `${m} ${num(v.ece)}${v.labels !== largest ? ` (at ${v.labels ?? '–'}: stopped early)` : ''}${v.ece !== null && v.ece <= 0.05 ? ' ✓' : ' ✗'}`,
    );
    lines.push(`(d) ${r.dataset} ECE at ${r.budgets.at(-1)} labels (target ≤ 0.05): ${parts.join(', ')}`);
  }

  // (e) full train() time at 800 labels.
  facts.trainMsAt800 = {};
  for (const r of ok) {
    const values = Object.fromEntries(
      Object.entries(r.runs).flatMap(([m, cs]) => {
        const c = cs.find((x) => x.labels === 800);
        return c ? [[m, c.trainMs]] : [];
      }),
    );
    if (Object.keys(values).length === 0) continue;
    facts.trainMsAt800[r.dataset] = values;
    const limit = r.input === 'image' ? 15_000 : 3_000;
    const parts = Object.entries(values).map(([m, v]) => `${m} ${ms(v)}${v !== null && v <= limit ? ' ✓' : ' ✗'}`);
    lines.push(`(e) ${r.dataset} train() at 800 labels, ms (target ≤ ${limit}): ${parts.join(', ')}`);
  }
  for (const r of ok) if (r.ceiling) lines.push(`    ${r.dataset} ceiling train() with all ${r.ceiling.labels} labels: ${ms(r.ceiling.trainMs)} ms`);

  // (f) corrections: the corrected input every time, a near-duplicate at least 9 times in 10.
  facts.corrections = {};
  for (const r of ok) {
    const c = r.corrections;
    if (!c) continue;
    facts.corrections[r.dataset] = c;
    const exactOk = c.corrected > 0 && c.exact === c.corrected;
    const nearOk = c.nearTried > 0 && c.near / c.nearTried >= 0.9;
    lines.push(
      `(f) ${r.dataset} corrections at ${c.labels} labels: corrected input ${c.exact}/${c.corrected}${exactOk ? ' ✓' : ' ✗'}, ` +
        `near-duplicate ${c.near}/${c.nearTried}${c.nearTried ? ` (${Math.round((100 * c.near) / c.nearTried)} %)` : ''}${nearOk ? ' ✓' : ' ✗'} (target ≥ 90 %; ${c.nearDuplicate})`,
    );
  }

  // (g) which strategy is the default: mean accuracy over every budget that every strategy reached, all datasets.
  const cells = ok.flatMap((r) =>
    r.budgets
      .map((labels) => STRATEGIES.map((m) => r.runs[m]?.find((c) => c.labels === labels)?.accuracy ?? null))
      .filter((row) => row.every((v) => v !== null)),
  );
  if (cells.length > 0) {
    const means = STRATEGIES.map((m, j) => [m, cells.reduce((sum, row) => sum + row[j], 0) / cells.length]);
    means.sort((a, b) => b[1] - a[1]);
    facts.strategyMeans = Object.fromEntries(means);
    lines.push(
      `(g) mean accuracy over the ${cells.length} (dataset, budget) points every strategy reached: ` +
        `${means.map(([m, v]) => `${m} ${pct(v)}`).join(', ')} → the best, and so the default: ${means[0][0]}`,
    );
  }
  return { lines, facts };
}

function report() {
  const output = readResults(RESULTS, 'bench:learning');
  for (const result of output.datasets) if (result.source) printDataset(result);
  const { lines, facts } = summarize(output.datasets);
  console.log(`\nTargets (issue 3), measured in the run of ${output.generatedAt} (commit ${output.commit}):`);
  for (const line of lines) console.log(`  ${line}`);
  output.summary = { lines, ...facts };
  writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  writeDocs(output);
}

// ---- main --------------------------------------------------------------------------------------------------

async function main() {
  if (args.report) return report();
  const datasets = list(args.datasets);
  for (const d of datasets) if (!RUN_ORDER.includes(d)) throw new Error(`Unknown dataset ${d}: use ${RUN_ORDER.join(', ')}.`);
  datasets.sort((a, b) => RUN_ORDER.indexOf(a) - RUN_ORDER.indexOf(b));
  const strategies = list(args.strategies);
  for (const s of strategies) if (!STRATEGIES.includes(s)) throw new Error(`Unknown strategy ${s}: use ${STRATEGIES.join(', ')}.`);
  const base = {
    budgets: BUDGETS,
    strategies,
    seedSize: Number(args['seed-size']),
    poolSize: Number(args.pool),
    candidates: Number(args.candidates),
    knnK: list(args['knn-k']).map(Number),
    threshold: THRESHOLD,
    backend: args.backend,
    seed: 7,
    ceiling: !args['no-ceiling'],
  };
  if (!base.knnK.includes(KNN_MAIN_K)) base.knnK.push(KNN_MAIN_K);

  prepareData({ log });
  const budgetEnd = performance.now() + Number(args.minutes) * 60_000;
  const port = await freePort();
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    mode: 'development',
    // vite.config.ts serves demo/ outside tests; the benchmark page lives under the project root.
    root,
    cacheDir: join(root, 'node_modules/.vite/bench'),
    logLevel: 'warn',
    clearScreen: false,
    // Added to the config's list (Vite concatenates arrays): a dependency found mid-run would reload the page.
    optimizeDeps: { entries: ['bench/learning.html'], include: ['@tensorflow-models/knn-classifier'] },
    // No watcher and no HMR: others editing the checkout must not reload the page mid-run.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const origin = `http://127.0.0.1:${port}`;
  log(`Vite serves ${origin}/bench/learning.html`);

  const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  const browserVersion = `Chromium ${browser.version()}`;
  const results = [];
  const pageProblems = [];
  try {
    for (const dataset of datasets) {
      log(`--- ${dataset}`);
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => pageProblems.push(`${dataset}: page error: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        // Lit warns about its development build, which is what a Vite dev server serves; nothing to report.
        if (/Lit is in dev mode|Failed to load resource/.test(text)) return;
        if (message.type() === 'error' || message.type() === 'warning') pageProblems.push(`${dataset}: console ${message.type()}: ${text}`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) pageProblems.push(`${dataset}: HTTP ${response.status()} for ${response.url()}`);
      });
      await page.exposeFunction('benchProgress', (message) => log(message));
      try {
        await page.goto(`${origin}/bench/learning.html`);
        await page.waitForFunction(() => typeof window.runLearningBenchmark === 'function', undefined, { timeout: 120_000 });
        const left = budgetEnd - performance.now();
        const budgetMs = Math.max(
          MIN_BUDGET_MS,
          Math.round((left * SHARES[dataset]) / datasets.slice(datasets.indexOf(dataset)).reduce((sum, d) => sum + SHARES[d], 0)),
        );
        const config = { ...base, dataset, budgetMs };
        let timer;
        const timeout = new Promise((_, fail) => {
          const limit = budgetMs + OVERRUN_MS;
          timer = setTimeout(
            () => fail(new Error(`still running ${Math.round(limit / 60_000)} minutes in (budget + ${OVERRUN_MS / 60_000}); abandoned`)),
            limit,
          );
        });
        try {
          results.push(await Promise.race([page.evaluate((c) => window.runLearningBenchmark(c), config), timeout]));
        } finally {
          clearTimeout(timer);
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        log(`${dataset}: ERROR ${reason}`);
        // What the page measured before it failed or was abandoned still counts, marked with the error.
        const partial = await Promise.race([
          page.evaluate(() => window.benchState ?? null).catch(() => null),
          new Promise((done) => setTimeout(() => done(null), 10_000)),
        ]);
        if (partial?.source) {
          partial.errors = { ...partial.errors, benchmark: reason };
          results.push(partial);
        } else {
          results.push({ dataset, status: 'error', reason, runs: {}, budgets: [], anomalies: [] });
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  results.sort((a, b) => PRINT_ORDER.indexOf(a.dataset) - PRINT_ORDER.indexOf(b.dataset));
  for (const result of results) if (result.source) printDataset(result);
  for (const result of results) if (!result.source) console.log(`\n=== ${result.dataset}\nERROR: ${result.reason}`);
  const { lines, facts } = summarize(results);
  console.log('\nTargets (issue 3), measured in this run:');
  for (const line of lines) console.log(`  ${line}`);
  if (pageProblems.length > 0) {
    console.log(`\nBrowser console errors/warnings (${pageProblems.length}, first 20):`);
    for (const problem of pageProblems.slice(0, 20)) console.log(`  ${problem}`);
  }

  const output = {
    generatedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    browser: browserVersion,
    config: base,
    wallSeconds: Math.round((performance.now() - started) / 1000),
    summary: { lines, ...facts },
    datasets: results,
    pageProblems,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  log(`wrote ${RESULTS.slice(root.length + 1)} (${output.wallSeconds} s in all)`);
  writeDocs(output);
  if (results.some((r) => r.status === 'error')) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
