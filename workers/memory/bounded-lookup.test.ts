// Issue 22: the floor lookup predictions use has a bounded cost on any text, and what it gives up is measured.
import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { nearDuplicateRecall } from '../../test/near-duplicate-recall.js';
import { TEXT_DIM, featurizeText } from '../featurizers/text.js';
import { ExampleMemory, LOOKUP_BUDGET, NEAR_DUPLICATE } from './example-memory.js';
import { Similarity } from './similarity.js';

const floor = NEAR_DUPLICATE.text;
const textMemory = () =>
  new ExampleMemory(
    new Similarity(
      'cosine',
      () => TEXT_DIM,
      () => null,
    ),
  );

const SLOTS = 'invoice refund charged twice billing payment card error crash export page login password reset account'.split(' ');

/** One form template with three slots and a number: every text shares most of its words with every other. */
function formText(random: () => number): string {
  const slot = () => `${SLOTS[Math.floor(random() * SLOTS.length)]}${Math.floor(random() * 40)}`;
  return (
    `New message from the contact form on example.com. Name: ${slot()}. Order number: ${Math.floor(random() * 1e6)}. ` +
    `Subject: ${slot()}. Message: Hello, I am writing about ${slot()} and would like an answer soon. ` +
    'This message was sent from the contact form; do not reply to this address, answer from the help desk.'
  );
}

describe('bounded floor lookups (issue 22)', () => {
  test('on texts that share most of their words the lookup stops at its budget and keeps near-duplicate recall', () => {
    const random = seededRandom(22);
    const memory = textMemory();
    const texts = Array.from({ length: 4_000 }, () => formText(random));
    texts.forEach((text, i) => memory.upsert(`t${i}`, Math.floor(random() * 2), featurizeText(text), i));
    // Fresh texts and copies of stored ones: both have many near-duplicates in each class.
    const queries = [...Array.from({ length: 60 }, () => formText(random)), ...texts.slice(0, 20)].map((t) => featurizeText(t));
    const measured = nearDuplicateRecall(memory, queries, 2, floor);
    expect(measured.pairs).toBeGreaterThan(100);
    // The budget is what bounds the cost here: without it, a lookup visits every stored example's prefix.
    expect(measured.stopped).toBeGreaterThan(queries.length / 2);
    expect(measured.maxPostings).toBeLessThanOrEqual(LOOKUP_BUDGET.postings);
    expect(measured.recall).toBeGreaterThanOrEqual(0.99);
    expect(measured.overstated).toBe(0);
    // An exact copy is always found: its every token is shared, the rarest first.
    for (const copy of queries.slice(60)) expect(memory.nearest(copy, 2, floor).top).toBeGreaterThan(1 - 1e-6);
  });

  test('a correction of one of many near-identical texts takes effect on the very next bounded lookup', () => {
    const random = seededRandom(5);
    const memory = textMemory();
    for (let i = 0; i < 4_000; i++) memory.upsert(`t${i}`, 0, featurizeText(formText(random)), i);
    const text = formText(random);
    const query = featurizeText(text);
    memory.upsert('corrected', 1, query, 10_000);
    const found = memory.nearest(query, 2, floor);
    expect(memory.lastLookup.stopped).toBe(true);
    expect(found.top).toBeGreaterThan(1 - 1e-6);
    expect(found.perClass[1]).toBeGreaterThan(found.perClass[0]!);
  });

  test('where the budget is not reached, the bounded lookup is the exact one', () => {
    const random = seededRandom(9);
    const memory = textMemory();
    // Ordinary texts: a vocabulary of 2,000 made-up words, a few words each.
    const words = Array.from({ length: 2_000 }, () =>
      Array.from({ length: 4 + Math.floor(random() * 5) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)]).join(''),
    );
    const sentence = () => Array.from({ length: 4 + Math.floor(random() * 8) }, () => words[Math.floor(random() * words.length)]).join(' ');
    for (let i = 0; i < 3_000; i++) memory.upsert(`s${i}`, Math.floor(random() * 3), featurizeText(sentence()), i);
    for (let q = 0; q < 100; q++) {
      const query = featurizeText(sentence());
      const bounded = memory.nearest(query, 3, floor);
      expect(memory.lastLookup.stopped).toBe(false);
      expect(bounded).toEqual(memory.nearest(query, 3, floor, 'exact'));
    }
  });
});
