// `npm run bench:trust`: the accountability benchmarks of issue 18, in headless Chromium on bench/trust.html served
// by Vite (one fresh page per part). Each part lives in bench/trust/ with its own page module, table, results file
// and docs/benchmarks.md section; this script only serves, launches and runs them.
// Options (all optional):
//   --parts=label-check,faithfulness   which parts to run (all by default)
//   --quick                    one seed and a small spam sample: a quick look; writes no docs
//   --seeds=3                  seeds per dataset (label check)
//   --spam-size=2000           e-mails the label check draws from SpamAssassin
//   --no-docs                  leave docs/benchmarks.md alone
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import { ROOT as root, elapsedLogger, freePort } from './lib.mjs';
import { prepareData } from './prepare-data.mjs';
import { runLabelCheckPart } from '../bench/trust/label-check-report.mjs';
import { runFaithfulnessPart } from '../bench/trust/faithfulness-report.mjs';

/** Each part: what it runs in a fresh page of bench/trust.html, given the options and a logger. */
const PARTS = {
  'label-check': runLabelCheckPart,
  faithfulness: runFaithfulnessPart,
};

const { values: args } = parseArgs({
  options: {
    parts: { type: 'string', default: Object.keys(PARTS).join(',') },
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '3' },
    'spam-size': { type: 'string', default: '2000' },
    'no-docs': { type: 'boolean', default: false },
  },
});

const log = elapsedLogger();

async function main() {
  const parts = args.parts
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts) if (!(part in PARTS)) throw new Error(`Unknown part ${part}: use ${Object.keys(PARTS).join(', ')}.`);
  prepareData({ log });
  const port = await freePort();
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    mode: 'development',
    root,
    cacheDir: join(root, 'node_modules/.vite/bench-trust'),
    logLevel: 'warn',
    clearScreen: false,
    optimizeDeps: { entries: ['bench/trust.html'] },
    // No watcher and no HMR: others editing the checkout must not reload the page mid-run.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const origin = `http://127.0.0.1:${port}`;
  log(`Vite serves ${origin}/bench/trust.html`);
  const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  const options = {
    quick: args.quick,
    seeds: Number(args.seeds),
    spamSize: Number(args['spam-size']),
    noDocs: args['no-docs'],
    browser: `Chromium ${browser.version()}`,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  const problems = [];
  try {
    for (const part of parts) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`${part}: page error: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (/Lit is in dev mode|Failed to load resource/.test(text)) return;
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${part}: console ${message.type()}: ${text}`);
      });
      await page.exposeFunction('benchProgress', (message) => log(message));
      try {
        await page.goto(`${origin}/bench/trust.html`);
        await PARTS[part](page, options, log);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (problems.length > 0) {
    console.log(`\nBrowser console errors/warnings (${problems.length}, first 20):`);
    for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
