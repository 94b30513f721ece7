import { describe, expect, test } from 'vitest';
import { seededRandom } from '../scripts/seeded-random.mjs';
import { RunningStats } from './featurizers/features.js';
import { TEXT_DIM, featurizeText } from './featurizers/text.js';
import type { Vector } from './featurizers/vector.js';
import { ExampleMemory } from './memory.js';
import { Similarity } from './similarity.js';

/** The memory lookup as it was before the index: every stored example scored through Similarity.around. */
function scan(stored: { vector: Vector; target: number; seq: number }[], similarity: Similarity, query: Vector, classes: number) {
  const perClass = new Float64Array(classes).fill(-Infinity);
  let top = -Infinity;
  let topSeq = -Infinity;
  let topTarget = -1;
  similarity.around(query, (similar) => {
    for (const entry of stored) {
      const s = similar(entry.vector);
      if (s > perClass[entry.target]!) perClass[entry.target] = s;
      if (s > top || (s === top && entry.seq > topSeq)) {
        top = s;
        topSeq = entry.seq;
        topTarget = entry.target;
      }
    }
  });
  if (topTarget >= 0) perClass[topTarget] = top + 1e-9;
  return { perClass, top };
}

/** Keeps a plain list beside the memory, with the same upserts and removals, for the reference scan. */
class Mirror {
  readonly list: { id: string; vector: Vector; target: number; seq: number }[] = [];
  constructor(readonly memory: ExampleMemory) {}
  upsert(id: string, target: number, vector: Vector, seq: number) {
    this.memory.upsert(id, target, vector, seq);
    const at = this.list.findIndex((e) => e.id === id);
    if (at >= 0) this.list[at] = { id, vector, target, seq };
    else this.list.push({ id, vector, target, seq });
  }
  remove(id: string) {
    expect(this.memory.remove(id)).toBe(true);
    this.list.splice(
      this.list.findIndex((e) => e.id === id),
      1,
    );
  }
}

const WORDS = (
  'invoice refund charged twice billing payment card error crash export page login password reset account ' +
  'feature request dark mode slow sync mobile app update version email notification settings team admin ' +
  'the a to and of my is on in for please help thanks when after cannot does not work again since'
).split(' ');

function sentence(random: () => number, length: number): string {
  return Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
}

/** Drops, adds or swaps one word: a near-duplicate (cosine ~0.8–0.95) of a short text. */
function edit(text: string, random: () => number): string {
  const words = text.split(' ');
  const at = Math.floor(random() * words.length);
  const kind = Math.floor(random() * 3);
  if (kind === 0 && words.length > 3) words.splice(at, 1);
  else if (kind === 1) words.splice(at, 0, WORDS[Math.floor(random() * WORDS.length)]!);
  else words[at] = WORDS[Math.floor(random() * WORDS.length)]!;
  return words.join(' ');
}

/** Floor semantics: above the floor, exactly the scan's numbers; at or below it, the scan's number or −∞. */
function expectSameAboveFloor(got: { perClass: Float64Array; top: number }, want: { perClass: Float64Array; top: number }, floor: number) {
  for (let c = 0; c < want.perClass.length; c++) {
    if (want.perClass[c]! > floor) expect(got.perClass[c]).toBe(want.perClass[c]);
    else expect(got.perClass[c] === -Infinity || got.perClass[c] === want.perClass[c]).toBe(true);
  }
  if (want.top > floor) expect(got.top).toBe(want.top);
  else expect(got.top <= floor).toBe(true);
  // What the engine makes of it (the near-duplicate vote) is the same distribution.
  expect(ExampleMemory.distribution(got.perClass, false, floor)).toEqual(ExampleMemory.distribution(want.perClass, false, floor));
}

describe('example memory index gives the answers of a full scan', () => {
  test('text: every similarity without a floor, and everything above the near-duplicate bar with one', () => {
    const random = seededRandom(11);
    const similarity = new Similarity(
      'cosine',
      () => TEXT_DIM,
      () => null,
    );
    const mirror = new Mirror(new ExampleMemory(similarity));
    const classes = 3;
    const texts: string[] = [];
    let seq = 0;
    for (let i = 0; i < 600; i++) {
      const text =
        i > 0 && random() < 0.4 ? edit(texts[Math.floor(random() * texts.length)]!, random) : sentence(random, 3 + Math.floor(random() * 12));
      texts.push(text);
      mirror.upsert(`e${i}`, Math.floor(random() * classes), featurizeText(text), seq++);
    }
    // The same text under a second id with another label: a tie the newest label must win, as in a scan.
    mirror.upsert('dup', 2, featurizeText(texts[5]!), seq++);
    // Relabels, replaced vectors, removals and an empty text (a zero vector) keep the index in step.
    for (let i = 0; i < 40; i++) mirror.upsert(`e${i * 7}`, (i % classes) as number, featurizeText(edit(texts[i * 7]!, random)), seq++);
    for (let i = 0; i < 30; i++) mirror.remove(`e${i * 11 + 1}`);
    mirror.upsert('empty', 1, featurizeText('  '), seq++);
    mirror.upsert('e1', 0, featurizeText(texts[1]!), seq);

    const queries = [
      ...Array.from({ length: 150 }, () => edit(texts[Math.floor(random() * texts.length)]!, random)),
      ...Array.from({ length: 60 }, () => sentence(random, 2 + Math.floor(random() * 14))),
      texts[5]!,
      texts[100]!,
      '!!!',
    ];
    let above = 0;
    let below = 0;
    for (const text of queries) {
      const query = featurizeText(text);
      const want = scan(mirror.list, similarity, query, classes);
      const full = mirror.memory.nearest(query, classes);
      expect(Array.from(full.perClass)).toEqual(Array.from(want.perClass));
      expect(full.top).toBe(want.top);
      expectSameAboveFloor(mirror.memory.nearest(query, classes, 0.8), want, 0.8);
      if (want.top > 0.8) above += 1;
      else below += 1;
    }
    // Both sides of the bar were exercised, or the test proves nothing.
    expect(above).toBeGreaterThan(50);
    expect(below).toBeGreaterThan(50);
  });

  test('numeric rows: the early-stopping distance keeps every row above the floor exact', () => {
    const random = seededRandom(5);
    const dim = 24;
    const stats = new RunningStats(dim);
    const similarity = new Similarity(
      'gaussian',
      () => dim,
      () => stats.snapshot().std,
    );
    const mirror = new Mirror(new ExampleMemory(similarity));
    const rows: Float32Array[] = [];
    // Scattered rows, and tight clusters of a hundred: many rows in reach at once, so the column-by-column pass runs
    // long before the rows left are scored one by one. A few constant columns, as real data has.
    const centres = Array.from({ length: 3 }, () => Float32Array.from({ length: dim }, (_, j) => (j < 3 ? 1 : random() * 10)));
    for (let i = 0; i < 400; i++) {
      const clustered = i % 4 !== 3;
      const base = clustered ? centres[i % 3]! : Float32Array.from({ length: dim }, (_, j) => (j < 3 ? 1 : random() * 10));
      const row = Float32Array.from(base, (v, j) => (j < 3 ? v : v + (random() - 0.5) * (clustered ? 0.4 : 0.1)));
      rows.push(row);
      stats.add(row);
      mirror.upsert(`r${i}`, i % 4, row, i);
    }
    for (let i = 0; i < 20; i++) mirror.remove(`r${i * 13}`);
    let above = 0;
    let barely = 0;
    for (let q = 0; q < 300; q++) {
      const base = rows[Math.floor(random() * rows.length)]!;
      // Jitter from none to far: the nearest rows land all over (0.8, 1], where a pruning bound is most at risk.
      const spread = q % 3 === 0 ? 2 : random() * 1.5;
      const query = Float32Array.from(base, (v, j) => (j < 3 ? v : v + (random() - 0.5) * spread));
      const want = scan(mirror.list, similarity, query, 4);
      const full = mirror.memory.nearest(query, 4);
      expect(Array.from(full.perClass)).toEqual(Array.from(want.perClass));
      expectSameAboveFloor(mirror.memory.nearest(query, 4, 0.8), want, 0.8);
      if (want.top > 0.8) above += 1;
      if (want.top > 0.8 && want.top < 0.9) barely += 1;
    }
    expect(above).toBeGreaterThan(20);
    expect(barely).toBeGreaterThan(5);
  });

  test('dense cosine (image features): the same numbers with the norms kept per example', () => {
    const random = seededRandom(3);
    const dim = 64;
    const similarity = new Similarity(
      'cosine',
      () => dim,
      () => null,
    );
    const mirror = new Mirror(new ExampleMemory(similarity));
    for (let i = 0; i < 200; i++)
      mirror.upsert(
        `i${i}`,
        i % 10,
        Float32Array.from({ length: dim }, () => random()),
        i,
      );
    mirror.upsert(
      'i3',
      4,
      Float32Array.from({ length: dim }, () => random()),
      500,
    );
    for (let q = 0; q < 50; q++) {
      const query = Float32Array.from({ length: dim }, () => random());
      const want = scan(mirror.list, similarity, query, 10);
      const got = mirror.memory.nearest(query, 10, 0.93);
      expect(Array.from(got.perClass)).toEqual(Array.from(want.perClass));
      expect(got.top).toBe(want.top);
    }
  });
});
