// The learning benchmark's tables: the console report of each dataset and the Markdown section of
// docs/benchmarks.md, both from the results the page returns (scripts/bench-learning.mjs runs it and writes files).
import { grouped, markdownTable, textTable as table } from '../../scripts/lib.mjs';
import { commonBudgets, curveArea } from './curve.mjs';

/** The knn column of the tables; the best k of `--knn-k` (picked on the test split) is shown beside it. */
export const KNN_MAIN_K = 3;

export const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}`);
export const num = (v, digits = 3) => (v === null || v === undefined ? '–' : v.toFixed(digits));
export const ms = (v) => (v === null || v === undefined ? '–' : String(Math.round(v)));

export function knnAt(result, labels, k) {
  return result.peer?.checkpoints.find((c) => c.labels === labels)?.byK[k] ?? null;
}

export function knnBest(result, labels) {
  const byK = result.peer?.checkpoints.find((c) => c.labels === labels)?.byK;
  if (!byK) return null;
  const [k, best] = Object.entries(byK).sort((a, b) => b[1].accuracy - a[1].accuracy)[0];
  return { k: Number(k), ...best };
}

/**
 * The reference curves a target compares with, by name: knn at k = 3 (its default; the best k is picked on the
 * test split, so it is shown but never compared with) and every cross-validated reference.
 */
export function referenceCurves(result) {
  const curves = {};
  if (result.peer) {
    curves[`knn k=${KNN_MAIN_K}`] = result.peer.checkpoints.flatMap((c) => {
      const v = c.byK[KNN_MAIN_K];
      return v ? [{ labels: c.labels, accuracy: v.accuracy }] : [];
    });
  }
  for (const [name, ref] of Object.entries(result.references ?? {})) curves[name] = ref.checkpoints;
  return curves;
}

/** Our curves (random order and each strategy), by name. */
export function ourCurves(result) {
  return result.runs ?? {};
}

/**
 * Areas under every curve over one range: the budgets that the random run and every cross-validated reference
 * reached, so their whole curves and ours are compared on the same labels. knn does not set the range (on short
 * texts it is the slowest part and often stops early); a curve that stopped before the range's end, knn's or a
 * strategy's, has no area (null).
 */
export function curveAreas(result) {
  const references = referenceCurves(result);
  const base = [result.runs?.random ?? [], ...Object.values(result.references ?? {}).map((ref) => ref.checkpoints)];
  const budgets = commonBudgets(base, result.budgets ?? []);
  const areas = {};
  for (const [name, points] of [...Object.entries(ourCurves(result)), ...Object.entries(references)]) areas[name] = curveArea(points, budgets);
  return { budgets, areas };
}

/** "64 (16/class)" for SetFit's budgets. */
function budgetLabel(result, labels) {
  const perClass = result.perClass?.[labels];
  return perClass ? `${labels} (${perClass}/class)` : String(labels);
}

function accuracyRows(result, columns) {
  return result.budgets.map((labels) => [budgetLabel(result, labels), ...columns.map((column) => column.at(labels))]);
}

/** The columns of the accuracy table: ours, then the references. */
function accuracyColumns(result) {
  const columns = Object.keys(result.runs).map((m) => ({
    title: m,
    at: (labels) => pct(result.runs[m].find((c) => c.labels === labels)?.accuracy),
    area: m,
  }));
  const ks = result.peer?.k ?? [];
  columns.push({ title: `knn k=${KNN_MAIN_K}`, at: (labels) => pct(knnAt(result, labels, KNN_MAIN_K)?.accuracy), area: `knn k=${KNN_MAIN_K}` });
  columns.push({
    title: `knn best of k=${ks.join(',')}`,
    at: (labels) => {
      const best = knnBest(result, labels);
      return best ? `${pct(best.accuracy)} (k=${best.k})` : '–';
    },
    area: null,
  });
  if (result.encoder) {
    // Our model with the text encoder, given the random run's labels at SetFit's budgets (bench/learning/encoder.ts).
    const points = result.encoder.checkpoints;
    columns.push({ title: 'random + encoder', at: (labels) => pct(points.find((c) => c.labels === labels)?.accuracy), area: null });
  }
  for (const name of Object.keys(result.references ?? {})) {
    columns.push({ title: name, at: (labels) => pct(result.references[name].checkpoints.find((c) => c.labels === labels)?.accuracy), area: name });
  }
  return columns;
}

function areaRow(result, columns) {
  const { budgets, areas } = curveAreas(result);
  const range = budgets.length >= 2 ? `AUC ${budgets[0]}–${budgets.at(-1)}` : 'AUC';
  return [range, ...columns.map((column) => (column.area === null ? '' : pct(areas[column.area])))];
}

export function printDataset(result) {
  const title = `${result.dataset} · ${result.source} · input '${result.input}' · ${result.labels.length} labels`;
  console.log(`\n=== ${title}`);
  console.log(
    `${result.note}. train ${result.trainSize}, test ${result.testSize} (never labelled). Pool: a seeded random ${result.poolSize} of the ` +
      `train items; random labels it in a fixed random order; each active run starts from the first ${result.seedSize} of that order, then ` +
      `asks selectForReview for max(10, 10 % of labels) at a time out of a seeded random sample of ≤ ${result.candidates} unlabelled pool ` +
      `items, labels them with the truth and retrains. Time budget ${Math.round(result.budgetMs / 1000)} s.`,
  );
  if (result.status === 'error') {
    console.log(`ERROR: ${result.reason}`);
    return;
  }
  if (result.status === 'skipped') console.log(`OUR MODEL SKIPPED: ${result.reason}`);
  const columns = accuracyColumns(result);
  console.log(
    `\nTest accuracy, % (knn: ${result.peer?.name ?? 'none'} on ${result.peer?.features ?? '–'}; ${result.peer?.backend ?? ''} backend). ` +
      "Every reference has the random run's labels. AUC: mean accuracy over log2(labels), trapezoids, on the budgets the random run and every cross-validated reference reached.",
  );
  console.log(table(['labels', ...columns.map((c) => c.title)], [...accuracyRows(result, columns), areaRow(result, columns)]));
  const references = Object.entries(result.references ?? {});
  if (references.length > 0) {
    console.log(
      '\nReference learners: the setting cross-validation chose on the labels given (stratified, 5 folds below 200 labels, 3 from 200), its CV accuracy, and ms',
    );
    for (const [name, ref] of references) console.log(`  ${name}: ${ref.title}; chosen among ${ref.grid}`);
    const rows = result.budgets.map((labels) => [
      labels,
      ...references.map(([, ref]) => {
        const c = ref.checkpoints.find((x) => x.labels === labels);
        return c ? `${c.choice} (${pct(c.cvAccuracy)}) ${ms(c.ms)}` : '–';
      }),
    ]);
    console.log(table(['labels', ...references.map(([name]) => name)], rows));
  }
  if (result.ceiling) {
    const c = result.ceiling;
    console.log(
      `ceiling (all ${c.labels} train labels, one train()): accuracy ${pct(c.accuracy)} %, ECE ${num(c.ece)}, ` +
        `coverage≥${result.threshold} ${pct(c.confident.coverage)} % at ${pct(c.confident.accuracy)} % accuracy, train ${ms(c.trainMs)} ms`,
    );
  }
  const methods = Object.keys(result.runs);
  if (methods.length > 0) {
    const rows = methods.flatMap((m) =>
      result.runs[m].map((c) => [
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
      ]),
    );
    console.log(`\nPer checkpoint (confidence threshold ${result.threshold}; backend ${result.backend})`);
    console.log(
      table(
        [
          'method',
          'labels',
          'acc %',
          'ECE',
          `cov≥${result.threshold} %`,
          `acc≥${result.threshold} %`,
          'train ms',
          'select ms Σ',
          'predict ms',
          'temp',
        ],
        rows,
      ),
    );
  }
  const stopped = Object.entries(result.stopped ?? {});
  if (stopped.length > 0) console.log(`\nStopped early:\n  ${stopped.map(([m, why]) => `${m}: ${why}`).join('\n  ')}`);
  const errors = Object.entries(result.errors ?? {});
  if (errors.length > 0)
    console.log(`\nFailed runs (checkpoints before the failure are kept):\n  ${errors.map(([m, why]) => `${m}: ${why}`).join('\n  ')}`);
  if (result.anomalies?.length > 0) console.log(`\nAnomalies:\n  ${result.anomalies.join('\n  ')}`);
}

/** How docs/benchmarks.md names each dataset: [title, what the input is, what one test item is]. */
const DATASET_TITLES = {
  spam: ['SpamAssassin', 'text', 'e-mails'],
  mnist: ['MNIST', 'images, wavelet features, no pretrained weights', 'digits'],
  iris: ['Iris', 'numbers', 'rows'],
  cmudict: ['CMUdict syllables', 'single words, not tuned on', 'words'],
  paraphrase: ['Paraphrased intents', 'short requests, test phrased unlike training, not tuned on', 'sentences'],
  names: ['First names by gender', 'single words, not tuned on, on request', 'names'],
  sotu: ['State of the Union passages by party', 'prose, test from other addresses, not tuned on, on request', 'passages'],
};

/** The run's accuracy tables, one per dataset, as the section of docs/benchmarks.md. */
export function learningMarkdown(output, printOrder) {
  const results = printOrder.map((d) => output.datasets.find((r) => r.dataset === d)).filter((r) => r?.status === 'ok');
  const backends = [...new Set(results.map((r) => r.backend))].join(', ');
  const parts = [
    `Latest run: ${output.generatedAt.slice(0, 10)}, commit ${output.commit}, ${output.machine.cpus} CPU cores, backend ${backends}, ` +
      `${Math.round(output.wallSeconds / 60)} min. Test-split accuracy, %; every reference gets the random run's labels; ` +
      'AUC is the mean accuracy over log2(labels) on the budgets the random run and every cross-validated reference reached.',
  ];
  for (const r of results) {
    const [title, kind, noun] = DATASET_TITLES[r.dataset];
    const columns = accuracyColumns(r).map((c) => (c.title.startsWith('knn best') ? { ...c, title: 'knn best k' } : c));
    columns.push({ title: 'ECE (random)', at: (labels) => num(r.runs.random?.find((c) => c.labels === labels)?.ece), area: null });
    parts.push(
      '',
      `**${title}** (${kind}, ${r.labels.length} labels; ${grouped(r.testSize)} test ${noun})`,
      '',
      markdownTable(['labels', ...columns.map((c) => c.title)], [...accuracyRows(r, columns), areaRow(r, columns)]),
    );
  }
  return parts.join('\n');
}
