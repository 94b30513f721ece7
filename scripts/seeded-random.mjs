// mulberry32: the one small seeded generator of the repo's scripts and benchmarks, so splits, fixture weights and
// samples depend on the seed only, never on Math.random.

/**
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A standard normal draw (Box–Muller) from `random`: with a seeded generator, the same draws on every run.
 * @param {() => number} random
 * @returns {number}
 */
export function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * The indices 0…length−1 in a random order (Fisher–Yates), drawn from `random`: with a seeded generator, the same
 * order on every run and machine.
 * @param {number} length
 * @param {() => number} random
 * @returns {number[]}
 */
export function shuffled(length, random) {
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
