// `npm run bench:soak`: one page of headless Chromium stores 10,000 labels through the public API (each a durable
// IndexedDB write) and retrains 50 times along the way, sampling the engine worker's JS heap (DevTools protocol),
// the page's heap and the TensorFlow.js tensor count after every retrain; then a new page reloads the model and
// checks that every label and the last model are there. Prints a table, writes bench/results/soak.json and, for a
// run of the default sizes, the summary in docs/benchmarks.md (between its `bench:soak` markers).
// Options: --labels=10000 --retrains=50 --out=bench/results/soak.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import { ROOT as root, elapsedLogger, gitCommit, grouped, markdownTable, writeGeneratedSection } from './lib.mjs';
import { seededRandom } from './seeded-random.mjs';

const DEFAULTS = { labels: '10000', retrains: '50' };
const { values: args } = parseArgs({
  options: {
    labels: { type: 'string', default: DEFAULTS.labels },
    retrains: { type: 'string', default: DEFAULTS.retrains },
    out: { type: 'string', default: join('bench', 'results', 'soak.json') },
  },
});
const LABEL_COUNT = Number(args.labels);
const RETRAINS = Number(args.retrains);
if (!(LABEL_COUNT > 0 && RETRAINS > 0 && RETRAINS <= LABEL_COUNT)) throw new Error('--labels and --retrains must be positive, retrains ≤ labels');

const started = performance.now();
const log = elapsedLogger();

// ---- data: distinct support-ticket-like texts from per-label vocabularies, seeded ---------------------------------
const LABELS = ['billing', 'bug', 'feature'];
const VOCAB = {
  billing: 'invoice refund charged twice payment card VAT subscription plan renewal receipt price discount bank transfer'.split(' '),
  bug: 'crash error broken blank page freezes spinner exception timeout fails login upload export button slow'.split(' '),
  feature: 'please add dark mode export PDF shortcut integration API schedule report would love support option'.split(' '),
};
const COMMON = 'the my our a when after since today again it this account team please help thanks hello'.split(' ');
function makeItems(count) {
  const random = seededRandom(6);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const items = [];
  for (let i = 0; i < count; i++) {
    const label = LABELS[i % LABELS.length];
    const words = Array.from({ length: 8 + Math.floor(random() * 10) }, () => (random() < 0.55 ? pick(VOCAB[label]) : pick(COMMON)));
    // Label noise (5 %) keeps the model from being trivially sure of everything.
    const shown = random() < 0.05 ? pick(LABELS) : label;
    items.push([`${words.join(' ')} (ticket ${i})`, shown]);
  }
  return items;
}

// ---- worker heap through the browser's DevTools session ------------------------------------------------------------
async function workerHeaps(browserSession) {
  const { targetInfos } = await browserSession.send('Target.getTargets');
  const heaps = [];
  for (const target of targetInfos.filter((t) => t.type === 'worker')) {
    const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    const answer = new Promise((done) => {
      const listener = (event) => {
        if (event.sessionId !== sessionId) return;
        const message = JSON.parse(event.message);
        if (message.id !== 1) return;
        browserSession.off('Target.receivedMessageFromTarget', listener);
        done(message.result);
      };
      browserSession.on('Target.receivedMessageFromTarget', listener);
    });
    // A full collection first (answered before the next message), so the figure is what is live, not what is garbage.
    await browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 0, method: 'HeapProfiler.collectGarbage' }) });
    await browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) });
    const result = await answer;
    await browserSession.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    heaps.push({ url: target.url, usedSize: result.usedSize, totalSize: result.totalSize });
  }
  return heaps;
}

// ---- run ------------------------------------------------------------------------------------------------------------
const server = await createServer({
  configFile: join(root, 'vite.config.ts'),
  mode: 'development',
  root,
  cacheDir: join(root, 'node_modules', '.vite', 'bench-soak'),
  logLevel: 'warn',
  clearScreen: false,
  server: { host: '127.0.0.1', port: 0, hmr: false, watch: { ignored: ['**'] } },
});
await server.listen();
const address = server.httpServer.address();
const origin = `http://127.0.0.1:${address.port}`;
const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
const result = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  labels: LABEL_COUNT,
  retrains: RETRAINS,
  samples: [],
  reload: null,
};
try {
  const context = await browser.newContext();
  const browserSession = await browser.newBrowserCDPSession();
  const openPage = async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/bench/soak.html`);
    await page.waitForFunction(() => document.title === 'soak ready', undefined, { timeout: 180_000 });
    return page;
  };
  const items = makeItems(LABEL_COUNT);
  const name = `soak-${Date.now()}`;
  let page = await openPage();
  const pageSession = await context.newCDPSession(page);
  const opened = await page.evaluate(([n, l]) => window.soak.open(n, l), [name, LABELS]);
  if (!opened.persistent) throw new Error('IndexedDB is not available to the benchmark page.');
  const chunk = Math.ceil(LABEL_COUNT / RETRAINS);
  try {
    for (let r = 0; r < RETRAINS; r++) {
      const slice = items.slice(r * chunk, Math.min(LABEL_COUNT, (r + 1) * chunk));
      const labelMs = await page.evaluate((s) => window.soak.label(s), slice);
      const trained = await page.evaluate(() => window.soak.train());
      const memory = await page.evaluate(() => window.soak.memory());
      const heaps = await workerHeaps(browserSession);
      const worker = heaps.find((w) => /engine\.worker/.test(w.url));
      // From 2,000 text labels the lookup helper keeps a second copy of the example memory in a worker of its own.
      const helper = heaps.find((w) => /lookup\.worker/.test(w.url));
      await pageSession.send('HeapProfiler.collectGarbage');
      const pageHeap = await pageSession.send('Runtime.getHeapUsage');
      const sample = {
        retrain: r + 1,
        examples: memory.examples,
        modelVersion: trained.modelVersion,
        labelMsPerLabel: labelMs / slice.length,
        trainMs: trained.ms,
        tensors: memory.tensors,
        tensorBytes: memory.tensorBytes,
        workerHeapBytes: worker?.usedSize ?? null,
        helperHeapBytes: helper?.usedSize ?? null,
        pageHeapBytes: pageHeap.usedSize,
      };
      result.samples.push(sample);
      // Written as it goes: a run stopped early still leaves its figures.
      mkdirSync(dirname(resolve(root, args.out)), { recursive: true });
      writeFileSync(resolve(root, args.out), `${JSON.stringify({ ...result, partial: true }, null, 2)}\n`);
      log(
        `retrain ${sample.retrain}/${RETRAINS}: ${sample.examples} labels, v${sample.modelVersion}, train ${Math.round(sample.trainMs)} ms, ` +
          `worker heap ${(sample.workerHeapBytes / 2 ** 20).toFixed(1)} MB, helper heap ${sample.helperHeapBytes === null ? '–' : `${(sample.helperHeapBytes / 2 ** 20).toFixed(1)} MB`}, page heap ${(sample.pageHeapBytes / 2 ** 20).toFixed(1)} MB, ${sample.tensors} tensors`,
      );
    }
  } catch (error) {
    // A failure is a finding, not a crash of the benchmark: keep the figures so far and say what happened.
    result.failure = `after ${result.samples.length} retrains: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    log(`FAILED ${result.failure}`);
  }
  // A reload: a new page of the same origin opens the model from IndexedDB alone.
  await page.close();
  page = await openPage();
  const reopened = await page.evaluate(([n, l]) => window.soak.open(n, l), [name, LABELS]);
  const labelled = result.failure ? items.slice(0, result.samples.at(-1)?.examples ?? 0) : items;
  const sample = labelled.filter((_, i) => i % Math.max(1, Math.floor(labelled.length / 500)) === 0);
  const check = await page.evaluate((s) => window.soak.check(s), sample);
  result.reload = {
    examples: reopened.examples,
    expectedAtLeast: labelled.length,
    modelVersion: reopened.modelVersion,
    checked: sample.length,
    ...check,
  };
  await context.close();
} finally {
  await browser.close();
  await server.close();
}

// ---- report ---------------------------------------------------------------------------------------------------------
result.wallSeconds = Math.round((performance.now() - started) / 1000);
const mb = (bytes) => (bytes === null || bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(1));
const rows = result.samples.filter((s, i, all) => i === 0 || s.retrain % Math.max(1, Math.round(RETRAINS / 10)) === 0 || i === all.length - 1);
console.log(
  `\n${markdownTable(
    ['retrain', 'labels', 'version', 'label ms (mean)', 'train ms', 'worker heap MB', 'helper heap MB', 'page heap MB', 'tensors', 'tensor MB'],
    rows.map((s) => [
      s.retrain,
      s.examples,
      s.modelVersion,
      s.labelMsPerLabel.toFixed(1),
      Math.round(s.trainMs),
      mb(s.workerHeapBytes),
      mb(s.helperHeapBytes),
      mb(s.pageHeapBytes),
      s.tensors,
      mb(s.tensorBytes),
    ]),
  )}`,
);
const first = result.samples[0];
const last = result.samples.at(-1);
const tensorsFlat = result.samples.every((s) => s.tensors === first.tensors);
const heapPerLabel =
  last.workerHeapBytes !== null && first.workerHeapBytes !== null
    ? (last.workerHeapBytes - first.workerHeapBytes) / Math.max(1, last.examples - first.examples)
    : null;
result.summary = {
  tensorsConstant: tensorsFlat,
  workerHeapBytesPerLabel: heapPerLabel,
  reloadComplete:
    result.reload.examples >= result.reload.expectedAtLeast &&
    result.reload.modelVersion >= result.samples.length &&
    result.reload.storedRight === result.reload.checked,
};
if (result.failure) console.log(`\nFAILED ${result.failure}`);
console.log(`\nTensors after every retrain: ${tensorsFlat ? `constant at ${first.tensors}` : `NOT constant (${first.tensors} → ${last.tensors})`}.`);
if (heapPerLabel !== null)
  console.log(`Worker heap grows ${(heapPerLabel / 1024).toFixed(2)} KB per stored label (the example memory), nothing per retrain beyond that.`);
console.log(
  `After a reload: ${result.reload.examples} labels (at least ${result.reload.expectedAtLeast} stored), model v${result.reload.modelVersion} (at least v${result.samples.length}); ` +
    `${result.reload.storedRight} of ${result.reload.checked} sampled labels read back right, ${result.reload.predictedRight} predicted right.`,
);
mkdirSync(dirname(resolve(root, args.out)), { recursive: true });
writeFileSync(resolve(root, args.out), `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${args.out}`);
if (args.labels === DEFAULTS.labels && args.retrains === DEFAULTS.retrains) log(`wrote ${writeGeneratedSection('bench:soak', soakMarkdown(result))}`);
else log('docs/benchmarks.md keeps the last run of the default sizes (this run used other --labels or --retrains)');
if (result.failure || !result.summary.reloadComplete || !tensorsFlat) process.exitCode = 1;

/** The run in a few lines for docs/benchmarks.md: what the prose there explains, from the samples alone. */
function soakMarkdown(run) {
  const samples = run.samples;
  const range = (values, unit, digits = 1) => {
    const [low, high] = [Math.min(...values).toFixed(digits), Math.max(...values).toFixed(digits)];
    return low === high ? `${low} ${unit}` : `${low}–${high} ${unit}`;
  };
  const labels = (n) => `${grouped(n)} labels`;
  const at = (share) => samples.find((s) => s.examples >= share * run.labels) ?? samples.at(-1);
  const lines = [
    `Latest run: ${run.date.slice(0, 10)}, commit ${run.commit}, ${run.machine.cpus} CPU cores; ${labels(run.labels)} of ${LABELS.length} classes, ` +
      `${run.retrains} retrains, ${grouped(run.wallSeconds)} s in all.`,
    '',
  ];
  if (run.failure) lines.push(`- **Stopped ${run.failure}.**`);
  lines.push(
    `- Labelling: ${range(
      samples.map((s) => s.labelMsPerLabel),
      'ms',
    )} a label, each a durable IndexedDB write.`,
  );
  const engine = samples.filter((s) => s.workerHeapBytes !== null);
  if (engine.length > 0) {
    const [from, to] = [engine[0], engine.at(-1)];
    const perLabel = (to.workerHeapBytes - from.workerHeapBytes) / Math.max(1, to.examples - from.examples) / 1024;
    lines.push(
      `- Engine worker heap (after a full GC): ${mb(from.workerHeapBytes)} MB at ${labels(from.examples)}, ${mb(to.workerHeapBytes)} MB at ` +
        `${grouped(to.examples)} (${perLabel.toFixed(2)} KB a stored label).`,
    );
  }
  const helper = samples.filter((s) => s.helperHeapBytes !== null);
  if (helper.length > 0)
    lines.push(
      `- Lookup helper heap: ${mb(helper[0].helperHeapBytes)} MB at ${labels(helper[0].examples)}, when it started, ` +
        `${mb(helper.at(-1).helperHeapBytes)} MB at ${grouped(helper.at(-1).examples)}.`,
    );
  else lines.push('- Lookup helper: not started.');
  const pageMB = samples.map((s) => s.pageHeapBytes / 2 ** 20);
  lines.push(`- Page heap: ${range(pageMB, 'MB')}${Math.min(...pageMB).toFixed(1) === Math.max(...pageMB).toFixed(1) ? ' throughout' : ''}.`);
  const tensors = samples.map((s) => s.tensors);
  lines.push(`- Live tensors after every retrain: ${range(tensors, '', 0).trim()}.`);
  const late = samples.filter((s) => s.examples >= 0.9 * run.labels);
  lines.push(
    `- A retrain: ${(at(0.1).trainMs / 1000).toFixed(1)} s at ${labels(at(0.1).examples)}, ${(at(0.5).trainMs / 1000).toFixed(1)} s at ` +
      `${grouped(at(0.5).examples)}, ${range(
        late.map((s) => s.trainMs / 1000),
        's',
      )} from ${grouped(late[0].examples)} to ${grouped(late.at(-1).examples)}.`,
  );
  const r = run.reload;
  lines.push(
    `- After the reload: ${labels(r.examples)}, model v${r.modelVersion}; ${r.storedRight} of ${r.checked} sampled labels read back right, ` +
      `${r.predictedRight} predicted right.`,
  );
  return lines.join('\n');
}
