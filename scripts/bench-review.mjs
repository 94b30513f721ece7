// `npm run bench:review`: the streaming deployment of issue 19 (bench/review/stream.ts) in headless Chromium on
// bench/review.html served by Vite: per task, seeded orders of the items, in random and in active-learning order,
// with autoAccept { maxError: 0.02, confidence: 0.9 }. Prints a table, writes bench/results/review.json and, unless
// --quick or --no-docs, the docs/benchmarks.md section.
// Options (all optional):
//   --quick                 3 orders per task and shorter streams: a quick look; writes no docs
//   --seeds=20              orders per task and way of working
//   --tasks=spam,iris,…     which tasks (spam, mnist, iris, cmudict, paraphrase)
//   --orders=random,active  which ways of working
//   --no-docs               leave docs/benchmarks.md alone
//   --merge                 keep the other tasks' runs of the last full run (same seeds): run the tasks in pieces
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import { ROOT as root, elapsedLogger, freePort } from './lib.mjs';
import { prepareData } from './prepare-data.mjs';
import { reviewConfigs, reportReview } from '../bench/review/report.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '20' },
    tasks: { type: 'string', default: 'spam,mnist,iris,cmudict,paraphrase' },
    orders: { type: 'string', default: 'random,active' },
    'no-docs': { type: 'boolean', default: false },
    merge: { type: 'boolean', default: false },
  },
});

const log = elapsedLogger();

async function main() {
  prepareData({ log });
  const options = {
    quick: args.quick,
    seeds: args.quick ? Math.min(3, Number(args.seeds)) : Number(args.seeds),
    tasks: args.tasks
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    orders: args.orders
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    noDocs: args['no-docs'],
    merge: args.merge,
  };
  const configs = reviewConfigs(options);
  const port = await freePort();
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    mode: 'development',
    root,
    cacheDir: join(root, 'node_modules/.vite/bench-review'),
    logLevel: 'warn',
    clearScreen: false,
    optimizeDeps: { entries: ['bench/review.html'] },
    // No watcher and no HMR: others editing the checkout must not reload the page mid-run.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const origin = `http://127.0.0.1:${port}`;
  log(`Vite serves ${origin}/bench/review.html`);
  const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  const browserVersion = `Chromium ${browser.version()}`;
  const problems = [];
  const results = [];
  try {
    // One page per task: a task's runs share its loaded data; a fresh page keeps tasks apart.
    for (const task of options.tasks) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`${task}: page error: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (/Lit is in dev mode|Failed to load resource/.test(text)) return;
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${task}: console ${message.type()}: ${text}`);
      });
      await page.exposeFunction('benchProgress', (message) => log(message));
      try {
        await page.goto(`${origin}/bench/review.html`);
        await page.waitForFunction(() => typeof window.runReviewBenchmark === 'function', undefined, { timeout: 120_000 });
        for (const config of configs.filter((c) => c.dataset === task)) {
          const result = await page.evaluate((c) => window.runReviewBenchmark(c), config);
          log(
            `${task} ${config.order} seed ${config.seed}: ${result.accepted} auto-accepted, realised error ` +
              `${result.realisedError === null ? '—' : (100 * result.realisedError).toFixed(2) + ' %'}, ${(result.ms / 1000).toFixed(0)} s`,
          );
          results.push(result);
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  reportReview(results, {
    ...options,
    browser: browserVersion,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    log,
  });
  if (problems.length > 0) {
    console.log(`\nBrowser console errors/warnings (${problems.length}, first 20):`);
    for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
