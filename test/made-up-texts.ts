import { seededRandom } from '../scripts/seeded-random.mjs';

/**
 * Texts of made-up words for tests that need many labelled texts of two classes: of 900 words, class `a` leans on the
 * first third and `b` on the last, both share the middle third. `own` is the chance a word comes from the class's
 * own third; a text has `minWords` to `minWords + spread - 1` words. Seeded: the same texts on every run.
 */
export function madeUpTexts(seed: number, { own = 0.5, minWords = 6, spread = 10 } = {}) {
  const random = seededRandom(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = Array.from({ length: 900 }, () =>
    Array.from({ length: 3 + Math.floor(random() * 6) }, () => letters[Math.floor(random() * 26)]).join(''),
  );
  const text = (label: 'a' | 'b') => {
    const start = label === 'a' ? 0 : 600;
    return Array.from({ length: minWords + Math.floor(random() * spread) }, () =>
      random() < own ? words[start + Math.floor(random() * 300)] : words[300 + Math.floor(random() * 300)],
    ).join(' ');
  };
  return { random, text };
}
