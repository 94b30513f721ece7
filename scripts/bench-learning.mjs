// `npm run bench:learning`: prepares the fixtures if needed, serves bench/learning.html with Vite, runs the
// benchmark in headless Chromium (one fresh page per dataset; bench/learning/ holds the page's modules and the
// report), prints the tables and the target lines, and writes bench/results/learning.json and, after a run of every
// dataset and strategy, the accuracy tables in docs/benchmarks.md (between its `bench:learning` markers).
// Options (all optional):
//   --datasets=iris,cmudict,paraphrase,mnist,spam (also names,sotu, on request)   --strategies=least-confidence,margin,entropy,diverse,cold-start   --pool=3000
//   --candidates=500   --seed-size=10   --knn-k=1,3,10   --backend=auto   --no-ceiling   --minutes=35   --seed=7
// --seed picks the pool's label order (and each run's sampling); a seed other than 7 leaves docs/ alone, whose tables
// are the seed-7 run's.
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
import { KNN_MAIN_K, learningMarkdown, printDataset } from '../bench/learning/report.mjs';
import { issue17Targets, issue3Targets } from '../bench/learning/targets.mjs';
import { ROOT as root, elapsedLogger, freePort, gitCommit, readResults, writeGeneratedSection } from './lib.mjs';
import { prepareData } from './prepare-data.mjs';

const RESULTS = join(root, 'bench', 'results', 'learning.json');
const BUDGETS = [20, 50, 100, 200, 400, 800];
/** SetFit's budgets, in labels per class: each becomes (per class × classes) labels in the same random order. */
const PER_CLASS_BUDGETS = [8, 16, 32, 64];
const STRATEGIES = ['least-confidence', 'margin', 'entropy', 'diverse', 'cold-start'];
const THRESHOLD = 0.8;
/**
 * Relative share of the time budget per dataset (of what is left when it starts). The two tasks nobody tuned on are
 * small (short texts, 1,000 and 600 test items), so they need less than the large ones; a share a dataset leaves
 * unused goes to the ones after it.
 */
const SHARES = { iris: 0.03, cmudict: 0.15, paraphrase: 0.12, mnist: 0.33, spam: 0.37, names: 0.12, sotu: 0.15 };
/** Iris takes seconds; a share below this would only cut it short on a busy machine. */
const MIN_BUDGET_MS = 30_000;
/** Run order: the small ones first, mnist before spam, so the time it leaves when its model is skipped goes to spam. */
const RUN_ORDER = ['iris', 'cmudict', 'paraphrase', 'mnist', 'spam'];
/**
 * More tasks nobody tuned on (scripts/untuned-tasks.mjs), run only when named in --datasets: the default run and
 * docs/benchmarks.md's tables stay the five tasks the issues name, which already take about 26 minutes on 2 cores.
 */
const ON_REQUEST = ['names', 'sotu'];
/** Print order. */
const PRINT_ORDER = ['spam', 'iris', 'mnist', 'cmudict', 'paraphrase'];
/** A dataset still running this long after its budget is abandoned (the page is closed) and reported as an error. */
const OVERRUN_MS = 4 * 60_000;

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: RUN_ORDER.join(',') },
    strategies: { type: 'string', default: STRATEGIES.join(',') },
    pool: { type: 'string', default: '3000' },
    candidates: { type: 'string', default: '500' },
    minutes: { type: 'string', default: '35' },
    'seed-size': { type: 'string', default: '10' },
    seed: { type: 'string', default: '7' },
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

// ---- docs/benchmarks.md and the targets --------------------------------------------------------------------------

/** docs/ holds a whole comparison only: a run of some datasets or strategies would replace it with part of one. */
function writeDocs(output) {
  if (args['no-docs'] || args.seed !== '7') return;
  const complete =
    RUN_ORDER.every((d) => output.datasets.some((r) => r.dataset === d && r.status === 'ok')) &&
    STRATEGIES.every((m) => output.config.strategies.includes(m));
  if (complete) log(`wrote ${writeGeneratedSection('bench:learning', learningMarkdown(output, PRINT_ORDER))}`);
  else log('docs/benchmarks.md keeps the last complete run (this one left out a dataset or strategy, or one failed)');
}

/** Prints both blocks of target lines; returns them with their facts for the results file. */
function printTargets(results, strategies, when) {
  const issue3 = issue3Targets(results, strategies);
  const issue17 = issue17Targets(results);
  console.log(`\nTargets (issue 3), measured ${when}:`);
  for (const line of issue3.lines) console.log(`  ${line}`);
  console.log(`\nTargets (issue 17), measured ${when}:`);
  for (const line of issue17.lines) console.log(`  ${line}`);
  return { lines: [...issue3.lines, ...issue17.lines], ...issue3.facts, issue17: issue17.facts };
}

function report() {
  const output = readResults(RESULTS, 'bench:learning');
  for (const result of output.datasets) if (result.source) printDataset(result);
  output.summary = printTargets(output.datasets, output.config.strategies, `in the run of ${output.generatedAt} (commit ${output.commit})`);
  writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  writeDocs(output);
}

// ---- main --------------------------------------------------------------------------------------------------

async function main() {
  if (args.report) return report();
  const datasets = list(args.datasets);
  const known = [...RUN_ORDER, ...ON_REQUEST];
  for (const d of datasets) if (!known.includes(d)) throw new Error(`Unknown dataset ${d}: use ${known.join(', ')}.`);
  datasets.sort((a, b) => known.indexOf(a) - known.indexOf(b));
  const strategies = list(args.strategies);
  for (const s of strategies) if (!STRATEGIES.includes(s)) throw new Error(`Unknown strategy ${s}: use ${STRATEGIES.join(', ')}.`);
  const base = {
    budgets: BUDGETS,
    perClassBudgets: PER_CLASS_BUDGETS,
    strategies,
    seedSize: Number(args['seed-size']),
    poolSize: Number(args.pool),
    candidates: Number(args.candidates),
    knnK: list(args['knn-k']).map(Number),
    threshold: THRESHOLD,
    backend: args.backend,
    seed: Number(args.seed),
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
  const summary = printTargets(results, strategies, 'in this run');
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
    summary,
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
