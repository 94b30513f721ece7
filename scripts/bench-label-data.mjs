// `npm run bench:label-data`: labelBatch, CSV export and import, and a rename on SpamAssassin e-mails in headless
// Chromium (bench/label-data.html served by Vite, IndexedDB storage), against label() one at a time. Prints a table,
// writes bench/results/label-data.json and, unless --quick or --no-docs, the docs/benchmarks.md section.
// Options (all optional):
//   --quick          one run of 5,000 subject lines and one of 5,000 whole e-mails: a quick look; writes no docs
//   --runs=3         runs per size
//   --sizes=1000,5000
//   --no-docs        leave docs/benchmarks.md alone
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import { ROOT as root, elapsedLogger, freePort, gitCommit, grouped, markdownTable, textTable, writeGeneratedSection } from './lib.mjs';
import { prepareData } from './prepare-data.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '1000,5000' },
    'no-docs': { type: 'boolean', default: false },
  },
});

const log = elapsedLogger();
/** label() one at a time is slow by design (a durable write each): measured on this many e-mails of each run. */
const SINGLE = 200;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  prepareData({ log });
  const sizes = args.quick ? [5000] : args.sizes.split(',').map(Number);
  const kinds = ['subject', 'e-mail'];
  const runs = args.quick ? 1 : Number(args.runs);
  const port = await freePort();
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    mode: 'development',
    root,
    cacheDir: join(root, 'node_modules/.vite/bench-label-data'),
    logLevel: 'warn',
    clearScreen: false,
    optimizeDeps: { entries: ['bench/label-data.html'] },
    // No watcher and no HMR: others editing the checkout must not reload the page mid-run.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  const browserVersion = `Chromium ${browser.version()}`;
  const results = [];
  const problems = [];
  try {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    await page.exposeFunction('benchProgress', (message) => log(message));
    await page.goto(`http://127.0.0.1:${port}/bench/label-data.html`);
    await page.waitForFunction(() => typeof window.runLabelDataBenchmark === 'function', undefined, { timeout: 120_000 });
    // One run first, not counted: Vite's first transforms and the worker's first start are not what is measured.
    log('warm-up run');
    await page.evaluate((c) => window.runLabelDataBenchmark(c), { text: 'subject', size: 200, single: 10, run: 99 });
    log('warm-up done');
    for (const text of kinds) {
      for (const size of sizes) {
        for (let run = 0; run < runs; run++) {
          const result = await page.evaluate((c) => window.runLabelDataBenchmark(c), { text, size, single: Math.min(SINGLE, size), run });
          log(
            `${grouped(size)} ${text}s, run ${run + 1}: labelBatch ${Math.round(result.batchMs)} ms (${grouped(size / (result.batchMs / 1000))} labels/s)`,
          );
          results.push(result);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const headers = [
    'texts',
    'mean characters',
    'labelBatch labels/s',
    'label() labels/s',
    'importLabels (CSV) rows/s',
    'exportLabels (CSV) ms',
    'renameLabel ms',
  ];
  const rows = kinds.flatMap((text) =>
    sizes.map((size) => {
      const of = results.filter((r) => r.size === size && r.text === text);
      const m = (key) => median(of.map((r) => r[key]));
      return [
        `${grouped(size)} ${text === 'subject' ? 'subject lines' : 'whole e-mails'}`,
        grouped(m('chars')),
        grouped(size / (m('batchMs') / 1000)),
        grouped(median(of.map((r) => r.single / (r.singleMs / 1000)))),
        grouped(size / (m('importMs') / 1000)),
        grouped(m('exportMs')),
        grouped(m('renameMs')),
      ];
    }),
  );
  console.log(`\n${textTable(headers, rows)}\n`);
  // The load average at the end says how much else the machine ran meanwhile (timings stretch with it).
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, load: Number(loadavg()[0].toFixed(1)) };
  const commit = gitCommit();
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/label-data.json'),
    `${JSON.stringify({ commit, browser: browserVersion, machine, runs, results }, null, 1)}\n`,
  );
  log('wrote bench/results/label-data.json');
  if (!args.quick && !args['no-docs']) {
    const body =
      `${markdownTable(headers, rows)}\n\n` +
      `${runs === 1 ? 'One run' : `Medians of ${runs} runs`} per size; SpamAssassin e-mails, their subject lines or whole, in IndexedDB; ` +
      `label() one at a time on the first ${SINGLE} of each run. ${browserVersion}, ${machine.cpus} cores (${machine.cpuModel}) ` +
      `at a load average of ${machine.load} (other work shared them), commit ${commit}.`;
    log(`wrote ${writeGeneratedSection('bench:label-data', body)}`);
  }
  if (problems.length > 0) console.log(`\nBrowser problems:\n  ${problems.slice(0, 20).join('\n  ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
