// `npm run bench:rank`: rankers (issue 20) on tasks with a hidden utility, in headless Chromium on bench/rank.html
// served by Vite. Numbers and texts with Bradley–Terry noise, and real words (cmudict) preferred by syllable count;
// active (informative) against random pair selection at 25, 50, 100, 200 and 400 comparisons; held-out pairwise
// accuracy against the noise ceiling, Kendall τ, ECE of probability(), warm score latency. Prints a table, writes
// bench/results/rank.json and the table in docs/ranking.md.
// Options: --quick (one seed, no docs), --seeds=3, --no-docs, --tasks=texts,syllables (only those tasks),
// --strategies=informative (only those), --merge (keep the runs of bench/results/rank.json that this run does not
// redo, same seeds: the tasks can run in pieces and the table still covers all three), --parallel=3 (that many
// runs at once, each in its own page and worker; the score latencies then include the others' load).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import { ROOT as root, elapsedLogger, freePort, gitCommit, markdownTable, textTable, writeGeneratedSection } from './lib.mjs';
import { prepareData } from './prepare-data.mjs';

const RESULTS = join(root, 'bench', 'results', 'rank.json');
const DOC = join(root, 'docs', 'ranking.md');
const CHECKPOINTS = [25, 50, 100, 200, 400];
const TASKS = ['numbers', 'texts', 'syllables'];
const STRATEGIES = ['informative', 'random'];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '3' },
    'no-docs': { type: 'boolean', default: false },
    tasks: { type: 'string', default: TASKS.join(',') },
    strategies: { type: 'string', default: STRATEGIES.join(',') },
    merge: { type: 'boolean', default: false },
    parallel: { type: 'string', default: '1' },
  },
});

/** A comma-separated option's values, each one of `allowed`. */
function listOption(/** @type {string} */ name, /** @type {string} */ value, /** @type {string[]} */ allowed) {
  const values = value.split(',').filter(Boolean);
  const unknown = values.filter((v) => !allowed.includes(v));
  if (values.length === 0 || unknown.length > 0)
    throw new Error(`--${name}: expected a comma-separated list of ${allowed.join(', ')}; got "${value}".`);
  return values;
}
const runTasks = listOption('tasks', args.tasks, TASKS);
const runStrategies = listOption('strategies', args.strategies, STRATEGIES);
const parallel = Number(args.parallel);
if (!(Number.isInteger(parallel) && parallel >= 1)) throw new Error(`--parallel: expected a whole number of pages ≥ 1, got "${args.parallel}".`);
const log = elapsedLogger();
const pct = (/** @type {number} */ x) => `${(100 * x).toFixed(1)} %`;
const mean = (/** @type {number[]} */ xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Mean over seeds of one figure at one checkpoint. */
function at(/** @type {any[]} */ runs, /** @type {number} */ n, /** @type {string} */ key) {
  return mean(runs.map((r) => r.checkpoints.find((/** @type {any} */ c) => c.comparisons === n)[key]));
}

/** The fewest comparisons (linear between checkpoints) at which `runs` reach `level` of accuracy; null if never. */
function reaches(/** @type {any[]} */ runs, /** @type {number} */ level) {
  let previous = null;
  for (const n of CHECKPOINTS) {
    const acc = at(runs, n, 'accuracy');
    if (acc >= level) {
      if (!previous) return n;
      const [pn, pa] = previous;
      return Math.round(pn + ((level - pa) / (acc - pa)) * (n - pn));
    }
    previous = [n, acc];
  }
  return null;
}

function summarise(/** @type {any[]} */ results) {
  return TASKS.filter((task) => STRATEGIES.every((strategy) => results.some((r) => r.task === task && r.strategy === strategy))).map((task) => {
    const active = results.filter((r) => r.task === task && r.strategy === 'informative');
    const random = results.filter((r) => r.task === task && r.strategy === 'random');
    const randomAt400 = at(random, 400, 'accuracy');
    return {
      task,
      ceiling: at(active, 400, 'ceiling'),
      active: CHECKPOINTS.map((n) => at(active, n, 'accuracy')),
      random: CHECKPOINTS.map((n) => at(random, n, 'accuracy')),
      shareOfCeilingAt200: at(active, 200, 'accuracy') / at(active, 200, 'ceiling'),
      tauAt400: at(active, 400, 'kendallTau'),
      eceAt400: at(active, 400, 'ece'),
      activeReachesRandom400At: reaches(active, randomAt400),
      scoreP50: mean(active.map((r) => r.scoreP50)),
      scoreP95: Math.max(...active.map((r) => r.scoreP95)),
      scoreMax: Math.max(...active.map((r) => r.scoreMax ?? NaN)),
      trainMsAt400: at(active, 400, 'trainMs'),
      // What the pairs asked were: the mean hidden-utility gap of the 400 (runs from before the field: null).
      askedGapAt400:
        active[0]?.checkpoints.at(-1)?.askedMeanGap === undefined ? null : [at(active, 400, 'askedMeanGap'), at(random, 400, 'askedMeanGap')],
    };
  });
}

function tables(/** @type {any[]} */ summary) {
  const curve = ['task', 'strategy', ...CHECKPOINTS.map(String), 'ceiling'];
  const curveRows = summary.flatMap((s) => [
    [s.task, 'informative', ...s.active.map(pct), pct(s.ceiling)],
    [s.task, 'random', ...s.random.map(pct), ''],
  ]);
  const figures = [
    'task',
    'accuracy/ceiling at 200',
    'Kendall τ at 400',
    'ECE at 400',
    'active reaches random@400 at',
    'score p50 / p95 / max',
    'train at 400',
    "asked pairs' utility gap, informative / random",
  ];
  const figureRows = summary.map((s) => [
    s.task,
    pct(s.shareOfCeilingAt200),
    s.tauAt400.toFixed(3),
    s.eceAt400.toFixed(3),
    s.activeReachesRandom400At === null ? 'not by 400' : `${s.activeReachesRandom400At}`,
    `${s.scoreP50.toFixed(2)} / ${s.scoreP95.toFixed(2)} / ${s.scoreMax.toFixed(1)} ms`,
    `${(s.trainMsAt400 / 1000).toFixed(2)} s`,
    s.askedGapAt400 ? s.askedGapAt400.map((gap) => gap.toFixed(2)).join(' / ') : '–',
  ]);
  return { curve, curveRows, figures, figureRows };
}

async function main() {
  prepareData({ log });
  const seeds = Array.from({ length: args.quick ? 1 : Number(args.seeds) }, (_, i) => i + 1);
  const port = await freePort();
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    mode: 'development',
    root,
    cacheDir: join(root, 'node_modules/.vite/bench-rank'),
    logLevel: 'warn',
    clearScreen: false,
    optimizeDeps: { entries: ['bench/rank.html'] },
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  const results = [];
  try {
    const context = await browser.newContext();
    const openPage = async () => {
      const page = await context.newPage();
      page.on('pageerror', (error) => log(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') log(`console ${message.type()}: ${message.text()}`);
      });
      await page.exposeFunction('benchProgress', (/** @type {string} */ message) => log(message));
      await page.goto(`http://127.0.0.1:${port}/bench/rank.html`);
      await page.waitForFunction(() => typeof window.runRankBenchmark === 'function');
      return page;
    };
    const configs = runTasks.flatMap((task) =>
      runStrategies.flatMap((strategy) => seeds.map((seed) => ({ task, strategy, seed, checkpoints: CHECKPOINTS, batch: 5 }))),
    );
    // Each page has its own engine worker: --parallel runs that many configurations at once, in the given order.
    let next = 0;
    const byConfig = new Map();
    await Promise.all(
      Array.from({ length: Math.min(parallel, configs.length) }, async () => {
        const page = await openPage();
        while (next < configs.length) {
          const config = configs[next++];
          byConfig.set(config, await page.evaluate((c) => window.runRankBenchmark(c), config));
        }
      }),
    );
    results.push(...configs.map((config) => byConfig.get(config)));
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  if (args.merge && existsSync(RESULTS)) {
    const previous = JSON.parse(readFileSync(RESULTS, 'utf8'));
    const redone = (/** @type {any} */ r) => results.some((n) => n.task === r.task && n.strategy === r.strategy);
    const kept = previous.results.filter((/** @type {any} */ r) => seeds.includes(r.seed) && !redone(r));
    for (const r of kept) r.commit ??= previous.commit;
    log(`--merge: kept ${kept.length} runs of ${previous.commit} from ${RESULTS}`);
    results.unshift(...kept);
  }
  const summary = summarise(results);
  const { curve, curveRows, figures, figureRows } = tables(summary);
  console.log(`\nHeld-out pairwise accuracy (mean of ${seeds.length} seed${seeds.length > 1 ? 's' : ''}) by comparisons made:\n`);
  console.log(textTable(curve, curveRows));
  console.log('');
  console.log(textTable(figures, figureRows));
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  const commits = [...new Set([gitCommit(), ...results.map((r) => r.commit).filter(Boolean)])];
  for (const r of results) r.commit ??= gitCommit();
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ commit: commits.join(' / '), date: new Date().toISOString(), machine, seeds, summary, results }, null, 1)}\n`,
  );
  log(`wrote ${RESULTS}`);
  if (!args.quick && !args['no-docs']) {
    const body = [
      `Mean of ${seeds.length} seeds, ${new Date().toISOString().slice(0, 10)}, commit ${commits.join(' / ')}, ${machine.cpus} × ${machine.cpuModel}.`,
      '',
      markdownTable(curve, curveRows),
      '',
      markdownTable(figures, figureRows),
    ].join('\n');
    log(`wrote ${writeGeneratedSection('bench:rank', body, DOC)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
