/**
 * The label-data benchmark on bench/label-data.html, for scripts/bench-label-data.mjs: SpamAssassin e-mails (their
 * subject lines, or subject and body as bench/data/spam.json holds them) labelled in one labelBatch, exported as CSV and imported into a fresh
 * model, a label renamed, and for comparison the same e-mails labelled one label() at a time. IndexedDB, as a site
 * uses it.
 */
import { createClassifier, type Classifier } from '../../src/classifier.js';

export interface LabelDataConfig {
  /** Each e-mail's subject line alone (a short text, as tickets or reviews are), or the whole e-mail. */
  text: 'subject' | 'e-mail';
  /** How many e-mails each run labels. */
  size: number;
  /** Of them, how many are also labelled one at a time with label(). */
  single: number;
  run: number;
}

export interface LabelDataResult extends LabelDataConfig {
  batchMs: number;
  exportMs: number;
  importMs: number;
  renameMs: number;
  singleMs: number;
  /** Mean characters per e-mail labelled. */
  chars: number;
}

declare global {
  interface Window {
    runLabelDataBenchmark?: (config: LabelDataConfig) => Promise<LabelDataResult>;
    benchProgress?: (message: string) => void;
  }
}

interface Dataset {
  train: { text: string; label: string }[];
  test: { text: string; label: string }[];
}

let data: Promise<Dataset> | null = null;

async function model(): Promise<Classifier> {
  return createClassifier({ name: `bench-label-data-${crypto.randomUUID()}`, labels: ['ham', 'spam'], autoTrain: false });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Says on the terminal how far a run got (scripts/bench-label-data.mjs exposes it). */
function progress(message: string): void {
  window.benchProgress?.(message);
}

window.runLabelDataBenchmark = async (config) => {
  data ??= fetch('/bench/data/spam.json').then((response) => response.json() as Promise<Dataset>);
  const { train, test } = await data;
  const all = [...train, ...test];
  // Each run starts at another place in the list, so no run labels the very texts a warm cache has seen.
  const offset = (config.run * 997) % all.length;
  const rows = Array.from({ length: config.size }, (_, i) => {
    const { text, label } = all[(offset + i) % all.length]!;
    // The subject is the first line (prepare-data.mjs writes subject, a blank line, then the body); the index keeps
    // two e-mails with the same subject apart.
    return { text: config.text === 'subject' ? `${text.split('\n', 1)[0]!.slice(0, 200)} #${i}` : text, label };
  });
  const source = await model();
  const target = await model();
  const single = await model();
  try {
    const batchMs = await timed(() => source.labelBatch(rows.map((r) => ({ input: r.text, label: r.label }))));
    progress(`  labelBatch: ${Math.round(batchMs)} ms`);
    let blob: Blob | null = null;
    const exportMs = await timed(async () => (blob = (await source.exportLabels({ format: 'csv' })).blob));
    const importMs = await timed(() => target.importLabels(blob!, { format: 'csv' }));
    progress(`  exportLabels: ${Math.round(exportMs)} ms, importLabels: ${Math.round(importMs)} ms`);
    const renameMs = await timed(() => source.renameLabel('spam', 'junk'));
    progress(`  renameLabel: ${Math.round(renameMs)} ms`);
    const singleMs = await timed(async () => {
      for (const r of rows.slice(0, config.single)) await single.label(r.text, r.label);
    });
    const chars = rows.reduce((sum, r) => sum + r.text.length, 0) / rows.length;
    return { ...config, batchMs, exportMs, importMs, renameMs, singleMs, chars };
  } finally {
    for (const clf of [source, target, single]) {
      await clf.reset();
      await clf.close();
    }
  }
};
