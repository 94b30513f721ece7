// The table, targets, results file and docs section of `npm run bench:review` (scripts/bench-review.mjs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, gitCommit, markdownTable, textTable, writeGeneratedSection } from '../../scripts/lib.mjs';

export const RESULTS = join(ROOT, 'bench', 'results', 'review.json');
const SECTION = 'bench:review';
/** The issue's settings and targets. */
const MAX_ERROR = 0.02;
const CONFIDENCE = 0.9;
const SPOT_CHECK_RATE = 0.05;
const SPAM_COVERAGE_TARGET = 0.7;
/** Items streamed per task (all of the dataset when smaller), full and --quick. */
const SIZES = { spam: [3000, 1500], mnist: [2000, 1000], iris: [150, 150], cmudict: [2000, 1000], paraphrase: [2200, 1000] };

const pct = (/** @type {number | null} */ x, digits = 1) => (x === null ? '—' : `${(100 * x).toFixed(digits)} %`);

/**
 * @param {{ quick: boolean, seeds: number, tasks: string[], orders: string[] }} options
 */
export function reviewConfigs(options) {
  const configs = [];
  for (const dataset of options.tasks) {
    if (!(dataset in SIZES)) throw new Error(`Unknown task ${dataset}: use ${Object.keys(SIZES).join(', ')}.`);
    for (const order of options.orders) {
      if (order !== 'random' && order !== 'active') throw new Error(`Unknown order ${order}: use random or active.`);
      for (let seed = 1; seed <= options.seeds; seed++) {
        const size = SIZES[/** @type {keyof typeof SIZES} */ (dataset)][options.quick ? 1 : 0];
        configs.push({ dataset, size, order, seed, maxError: MAX_ERROR, confidence: CONFIDENCE, spotCheckRate: SPOT_CHECK_RATE });
      }
    }
  }
  return configs;
}

const median = (/** @type {number[]} */ xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One row per task and way of working, over its orders. */
function summarise(/** @type {any[]} */ results) {
  const groups = new Map();
  for (const r of results) {
    const key = `${r.dataset}|${r.order}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((runs) => {
    const within = runs.filter((r) => r.realisedError === null || r.realisedError <= MAX_ERROR).length;
    const fixed = (/** @type {number} */ t) => {
      const scores = runs.map((r) => r.fixed.find((f) => f.threshold === t));
      return {
        error: median(scores.filter((f) => f.realisedError !== null).map((f) => f.realisedError)),
        within: scores.filter((f) => f.realisedError === null || f.realisedError <= MAX_ERROR).length,
        coverage: median(scores.map((f) => f.coverage)),
      };
    };
    return {
      dataset: runs[0].dataset,
      order: runs[0].order,
      orders: runs.length,
      items: runs[0].items,
      withinShare: within / runs.length,
      withAny: runs.filter((r) => r.accepted > 0).length,
      errorMedian: median(runs.filter((r) => r.realisedError !== null).map((r) => r.realisedError)),
      errorWorst: runs.reduce((m, r) => Math.max(m, r.realisedError ?? 0), 0),
      coverage: median(runs.map((r) => r.coverage)),
      coverageAfter500: median(runs.filter((r) => r.coverageAfter500 !== null).map((r) => r.coverageAfter500)),
      humanPer1000: median(runs.map((r) => r.humanPer1000)),
      spotChecks: median(runs.map((r) => r.spotChecks)),
      fixed80: fixed(0.8),
      fixed95: fixed(0.95),
    };
  });
}

const HEADERS = [
  'task',
  'order',
  'orders',
  'items',
  'orders with error ≤ 2 %',
  'median error',
  'worst error',
  'coverage',
  'coverage after 500',
  'human decisions / 1,000',
  'spot checks',
  '0.8: error (≤ 2 %)',
  '0.8: coverage',
  '0.95: error (≤ 2 %)',
  '0.95: coverage',
];

function rowsOf(/** @type {any[]} */ summary) {
  return summary.map((s) => [
    s.dataset,
    s.order,
    s.orders,
    s.items,
    `${Math.round(s.withinShare * s.orders)} / ${s.orders}${s.withAny < s.orders ? ` (${s.orders - s.withAny} let nothing through)` : ''}`,
    pct(s.errorMedian, 2),
    pct(s.errorWorst, 2),
    pct(s.coverage),
    pct(s.coverageAfter500),
    s.humanPer1000 === null ? '—' : Math.round(s.humanPer1000),
    s.spotChecks,
    `${pct(s.fixed80.error, 2)} (${s.fixed80.within} / ${s.orders})`,
    pct(s.fixed80.coverage),
    `${pct(s.fixed95.error, 2)} (${s.fixed95.within} / ${s.orders})`,
    pct(s.fixed95.coverage),
  ]);
}

function targetLines(/** @type {any[]} */ summary) {
  const lines = summary.map(
    (s) =>
      `${s.withinShare >= CONFIDENCE ? 'MET' : 'NOT MET'}: ${s.dataset}, ${s.order} order — realised error ≤ ${pct(MAX_ERROR, 0)} in ` +
      `${pct(s.withinShare, 0)} of ${s.orders} orders (target ≥ ${pct(CONFIDENCE, 0)})`,
  );
  for (const s of summary.filter((x) => x.dataset === 'spam')) {
    lines.push(
      `${s.coverageAfter500 !== null && s.coverageAfter500 >= SPAM_COVERAGE_TARGET ? 'MET' : 'NOT MET'}: spam, ${s.order} order — ` +
        `median coverage after the first 500 items ${pct(s.coverageAfter500)} (target ≥ ${pct(SPAM_COVERAGE_TARGET, 0)})`,
    );
  }
  return lines;
}

/**
 * Prints the table and the target lines, writes the results file and, unless `noDocs` or a quick run, the docs section.
 * @param {any[]} results
 * @param {{ quick: boolean, seeds: number, noDocs: boolean, merge: boolean, browser: string, machine: object, log: (m: string) => void }} options
 */
export function reportReview(results, options) {
  if (options.merge && existsSync(RESULTS)) {
    // Runs of other tasks from the last full run at the same settings: a long benchmark in pieces, one table.
    const previous = JSON.parse(readFileSync(RESULTS, 'utf8'));
    const ran = new Set(results.map((r) => r.dataset));
    if (!previous.config.quick && previous.config.seeds === options.seeds)
      results = [...previous.runs.filter((r) => !ran.has(r.dataset)), ...results];
  }
  const summary = summarise(results);
  console.log(
    `\nStreaming review: autoAccept { maxError: ${MAX_ERROR}, confidence: ${CONFIDENCE} }, spotCheckRate ${SPOT_CHECK_RATE}; ` +
      'medians over the orders; the fixed thresholds scored on the same predictions\n',
  );
  console.log(textTable(HEADERS, rowsOf(summary)));
  const targets = targetLines(summary);
  console.log('\nTargets (issue 19):');
  for (const line of targets) console.log(`  ${line}`);
  const output = {
    generatedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: options.machine,
    browser: options.browser,
    config: { maxError: MAX_ERROR, confidence: CONFIDENCE, spotCheckRate: SPOT_CHECK_RATE, seeds: options.seeds, quick: options.quick },
    targets,
    summary,
    runs: results,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  options.log(`wrote ${RESULTS.slice(ROOT.length + 1)}`);
  if (!options.noDocs && !options.quick) {
    const body = [
      `Measured ${output.generatedAt.slice(0, 10)} (commit ${output.commit}, ${output.browser}, ${options.machine.cpus} cores). ` +
        `autoAccept { maxError: ${MAX_ERROR}, confidence: ${CONFIDENCE} }, spotCheckRate ${SPOT_CHECK_RATE}, seeds 1–${options.seeds} per task and order.`,
      '',
      markdownTable(HEADERS, rowsOf(summary)),
      '',
      ...targets.map((line) => `- ${line}`),
    ].join('\n');
    options.log(`wrote ${writeGeneratedSection(SECTION, body)}`);
  }
}
