import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { RunningStats } from '../featurizers/features.js';
import { TEXT_DIM, featurizeText } from '../featurizers/text.js';
import type { SparseVector, Vector } from '../featurizers/vector.js';
import { ExampleMemory } from './example-memory.js';
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

/** Cosine over the hashed text space, as a text model's memory compares its examples. */
function textCosine(): Similarity {
  return new Similarity(
    'cosine',
    () => TEXT_DIM,
    () => null,
  );
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
    const similarity = textCosine();
    const mirror = new Mirror(new ExampleMemory(similarity));
    const classes = 3;
    const texts: string[] = [];
    let seq = 0;
    // Room made ahead (as labelBatch does), for new lists and for lists that already hold postings: only capacity.
    const other = seededRandom(5);
    const reserveSome = () => mirror.memory.reserve(Array.from({ length: 200 }, () => featurizeText(sentence(other, 3 + Math.floor(other() * 12)))));
    for (let i = 0; i < 600; i++) {
      if (i === 0 || i === 300) reserveSome();
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
      expectSameAboveFloor(mirror.memory.nearest(query, classes, 0.8, 'exact'), want, 0.8);
      if (want.top > 0.8) above += 1;
      else below += 1;
    }
    // Both sides of the bar were exercised, or the test proves nothing.
    expect(above).toBeGreaterThan(50);
    expect(below).toBeGreaterThan(50);
  });

  test('only some ids: the answers of a scan over those examples alone, with and without a floor', () => {
    const random = seededRandom(17);
    const similarity = textCosine();
    const mirror = new Mirror(new ExampleMemory(similarity));
    const classes = 3;
    const texts: string[] = [];
    for (let i = 0; i < 500; i++) {
      const text =
        i > 0 && random() < 0.5 ? edit(texts[Math.floor(random() * texts.length)]!, random) : sentence(random, 3 + Math.floor(random() * 12));
      texts.push(text);
      mirror.upsert(`e${i}`, Math.floor(random() * classes), featurizeText(text), i);
    }
    mirror.upsert('empty', 1, featurizeText('  '), 500);
    // A training's split: four in five trained on, and the held-out rows look themselves up (their own copies are stored).
    const only = new Set(mirror.list.filter(() => random() < 0.8).map((e) => e.id));
    const kept = mirror.list.filter((e) => only.has(e.id));
    const heldOut = mirror.list.filter((e) => !only.has(e.id) && e.id !== 'empty');
    let above = 0;
    let excludedCopies = 0;
    for (const held of heldOut) {
      const want = scan(kept, similarity, held.vector, classes);
      const full = mirror.memory.nearest(held.vector, classes, undefined, 'bounded', only);
      expect(Array.from(full.perClass)).toEqual(Array.from(want.perClass));
      expectSameAboveFloor(mirror.memory.nearest(held.vector, classes, 0.8, 'exact', only), want, 0.8);
      const bounded = mirror.memory.nearest(held.vector, classes, 0.8, 'bounded', only);
      expect(mirror.memory.lastLookup.stopped).toBe(false);
      expectSameAboveFloor(bounded, want, 0.8);
      if (want.top > 0.8) above += 1;
      // Without `only` the row finds itself (unless a trained row is the same text): the filter is what this tests.
      if (want.top < 0.999) {
        expect(mirror.memory.nearest(held.vector, classes, 0.8).top).toBeGreaterThan(0.999);
        excludedCopies += 1;
      }
    }
    expect(heldOut.length).toBeGreaterThan(60);
    expect(above).toBeGreaterThan(20);
    expect(excludedCopies).toBeGreaterThan(60);
  });

  test('text floor lookups stay exact while the prefix index grows, shrinks and is rebuilt, at floors 0.5 to 0.95', () => {
    const random = seededRandom(23);
    const similarity = textCosine();
    const mirror = new Mirror(new ExampleMemory(similarity));
    const classes = 4;
    const floors = [0.8, 0.95, 0.9, 0.7, 0.85, 0.6, 0.5, 0.75];
    const texts = new Map<string, string>();
    let seq = 0;
    let next = 0;
    const pick = () => {
      const ids = Array.from(texts.keys());
      return ids[Math.floor(random() * ids.length)]!;
    };
    // Chains of edits make clusters of near-duplicates at every distance from the bar; some texts stand alone.
    const add = () => {
      const id = `t${next++}`;
      const text = texts.size > 0 && random() < 0.6 ? edit(texts.get(pick())!, random) : sentence(random, 2 + Math.floor(random() * 16));
      texts.set(id, text);
      mirror.upsert(id, Math.floor(random() * classes), featurizeText(text), seq++);
    };
    const above = new Map<number, number>();
    const query = (count: number) => {
      for (let i = 0; i < count; i++) {
        const kind = random();
        let text: string;
        if (kind < 0.2) text = texts.get(pick())!;
        else if (kind < 0.8) text = edit(texts.get(pick())!, random);
        else text = sentence(random, 1 + Math.floor(random() * 16));
        const vector = featurizeText(text);
        const want = scan(mirror.list, similarity, vector, classes);
        const floor = floors[Math.floor(random() * floors.length)]!;
        expectSameAboveFloor(mirror.memory.nearest(vector, classes, floor, 'exact'), want, floor);
        if (want.top > floor) above.set(floor, (above.get(floor) ?? 0) + 1);
        if (i % 8 === 0) {
          const full = mirror.memory.nearest(vector, classes);
          expect(Array.from(full.perClass)).toEqual(Array.from(want.perClass));
        }
      }
    };

    // Lookups from the first example on, so the index is built small and rebuilt at every doubling on the way up.
    // Every other round the index is prepared ahead (as an idle lookup helper does), for one of the floors.
    new ExampleMemory(similarity).prepare(0.8);
    for (let round = 0; round < 10; round++) {
      const target = 3 * 2 ** round;
      while (texts.size < Math.min(target, 700)) add();
      if (round % 2 === 1) mirror.memory.prepare(floors[round % floors.length]!);
      query(12);
    }
    // Relabels, replaced texts, and an example removed then added back, between rebuilds.
    for (let i = 0; i < 60; i++) {
      const id = pick();
      if (i % 3 === 0) mirror.upsert(id, (i % classes) as number, featurizeText(texts.get(id)!), seq++);
      else {
        texts.set(id, edit(texts.get(id)!, random));
        mirror.upsert(id, Math.floor(random() * classes), featurizeText(texts.get(id)!), seq++);
      }
    }
    const back = pick();
    mirror.remove(back);
    query(10);
    mirror.upsert(back, 3, featurizeText(texts.get(back)!), seq++);
    // Vectors the bounds do not cover: an empty text, and a text at twice its unit length.
    mirror.upsert('empty', 0, featurizeText(''), seq++);
    const doubled = featurizeText(texts.get(pick())!);
    mirror.upsert('doubled', 1, { indices: doubled.indices, values: doubled.values.map((v) => 2 * v) }, seq++);
    query(40);
    // Down again past several halvings, querying on the way.
    texts.delete(back);
    while (texts.size > 20) {
      for (let i = 0; i < Math.ceil(texts.size / 6); i++) {
        const id = pick();
        texts.delete(id);
        mirror.remove(id);
      }
      mirror.memory.prepare(0.8);
      query(8);
    }
    texts.set(back, sentence(random, 6));
    mirror.upsert(back, 2, featurizeText(texts.get(back)!), seq++);
    query(10);
    const empty = featurizeText('');
    expectSameAboveFloor(mirror.memory.nearest(empty, classes, 0.8, 'exact'), scan(mirror.list, similarity, empty, classes), 0.8);

    // Every floor saw near-duplicates, or a wrong prefix for it could go unnoticed.
    for (const floor of floors) expect(above.get(floor) ?? 0, `floor ${floor}`).toBeGreaterThan(15);
  });

  test('random sparse vectors: a floor just below the true nearest similarity still reports it exactly', () => {
    // The bounds are sharpest to test where the best match sits a hair above the floor: any bound that overstates
    // what an example lacks, or a prefix a token short, drops it.
    const random = seededRandom(31);
    const dim = 4096;
    const similarity = new Similarity(
      'cosine',
      () => dim,
      () => null,
    );
    const mirror = new Mirror(new ExampleMemory(similarity));
    const unit = (map: Map<number, number>): SparseVector => {
      const indices = Int32Array.from(Array.from(map.keys()).sort((a, b) => a - b));
      const norm = Math.sqrt(Array.from(map.values()).reduce((a, v) => a + v * v, 0));
      return { indices, values: Float32Array.from(indices, (i) => map.get(i)! / norm) };
    };
    // Skewed feature use (low indices common, high ones rare) and uneven values, as hashed text has.
    const feature = () => Math.floor(dim * random() ** 3);
    const fresh = () => {
      const map = new Map<number, number>();
      const nnz = 5 + Math.floor(random() * 60);
      while (map.size < nnz) map.set(feature(), (random() < 0.5 ? -1 : 1) * (0.1 + random() ** 2));
      return map;
    };
    const perturb = (map: Map<number, number>, strength: number) => {
      const out = new Map(map);
      for (const [i, v] of map) {
        const roll = random();
        if (roll < strength / 3) out.delete(i);
        else if (roll < strength) out.set(i, v * (0.3 + 1.4 * random()));
        else if (roll < strength * 1.05) out.set(i, -v);
      }
      for (let k = Math.floor(strength * 10 * random()); k > 0; k--) out.set(feature(), (random() < 0.5 ? -1 : 1) * random());
      if (out.size === 0) out.set(feature(), 1);
      return out;
    };
    const bases: Map<number, number>[] = [];
    for (let i = 0; i < 500; i++) {
      const map = bases.length > 0 && random() < 0.5 ? perturb(bases[Math.floor(random() * bases.length)]!, random()) : fresh();
      bases.push(map);
      mirror.upsert(`r${i}`, i % 3, unit(map), i);
    }
    let checked = 0;
    for (let q = 0; q < 400; q++) {
      const query = unit(perturb(bases[Math.floor(random() * bases.length)]!, random() * 0.8));
      const want = scan(mirror.list, similarity, query, 3);
      if (!(want.top > 0.5)) continue;
      const floor = want.top - (q % 4 === 0 ? 1e-7 : random() * 0.02);
      expectSameAboveFloor(mirror.memory.nearest(query, 3, floor, 'exact'), want, floor);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(200);
  });

  test('a near-duplicate whose only shared prefix token is the one that carries both prefixes past their mass', () => {
    // Floor 0.8, prefix mass 1 − 0.8² = 0.36; the order puts a and d first, then b, then c. The query's prefix is
    // a (0.15) then b (0.40), the example's d (0.15) then b (0.40): b, the only token they share before c, is the
    // one that crosses 0.36 on both sides. cos = 0.25 + 0.6 = 0.85.
    const similarity = new Similarity(
      'cosine',
      () => 64,
      () => null,
    );
    const memory = new ExampleMemory(similarity);
    const vector = (entries: [number, number][]): SparseVector => ({
      indices: Int32Array.from(entries, ([i]) => i),
      values: Float32Array.from(entries, ([, mass]) => Math.sqrt(mass)),
    });
    const [a, b, c, d] = [1, 2, 3, 4];
    const near = vector([
      [b, 0.25],
      [c, 0.6],
      [d, 0.15],
    ]);
    const query = vector([
      [a, 0.15],
      [b, 0.25],
      [c, 0.6],
    ]);
    memory.upsert('near', 1, near, 0);
    // Examples that make b less rare than d, and c common.
    memory.upsert(
      'b',
      0,
      vector([
        [b, 0.3],
        [20, 0.7],
      ]),
      1,
    );
    for (let i = 0; i < 6; i++)
      memory.upsert(
        `c${i}`,
        0,
        vector([
          [c, 0.5],
          [10 + i, 0.5],
        ]),
        2 + i,
      );
    // Indexed by the first lookup's build, then again one by one after a removal.
    for (const round of ['built', 'upserted']) {
      const got = memory.nearest(query, 2, 0.8, 'exact');
      expect(got.top, round).toBeGreaterThan(0.84);
      expect(got.top, round).toBe(memory.nearest(query, 2).top);
      memory.remove('near');
      memory.upsert('near', 1, near, 10);
    }
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
      expectSameAboveFloor(mirror.memory.nearest(query, 4, 0.8, 'exact'), want, 0.8);
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
      const got = mirror.memory.nearest(query, 10, 0.93, 'exact');
      expect(Array.from(got.perClass)).toEqual(Array.from(want.perClass));
      expect(got.top).toBe(want.top);
    }
  });
});
