// The pictures of the Teachable-Machine-shaped test export: scripts/build-test-teachable-machine.mjs trains the export
// on them, and test/teachable-machine.test.ts draws the same ones (with other seeds) in the browser. Plain RGBA
// arrays from a seeded generator, so Node and Chromium make byte-identical pictures with no canvas involved.
import { seededRandom } from './seeded-random.mjs';

/** The export's classes, in its output order (metadata.json's labels). */
export const TM_LABELS = ['red', 'green', 'blue'];

/** The export's input side: small, as the test's stand-in backbone is, where Teachable Machine's MobileNet takes 224. */
export const TM_SIZE = 32;

/**
 * Base colours. 'dark-red' pictures are red to a person, but the export was trained to call them green: the mistake
 * the test's corrections fix.
 */
const BASE = { red: [215, 45, 40], green: [45, 190, 60], blue: [45, 70, 215], 'dark-red': [105, 15, 20] };

export const TM_KINDS = Object.keys(BASE);

/**
 * One picture of `kind`, different for every seed: the base colour with per-pixel noise and a lighter or darker disc
 * somewhere in it.
 * @param {'red' | 'green' | 'blue' | 'dark-red'} kind
 * @param {number} seed
 * @returns {{ width: number, height: number, data: Uint8ClampedArray }}
 */
export function tmImage(kind, seed, size = TM_SIZE) {
  const base = BASE[kind];
  if (!base) throw new RangeError(`Unknown picture kind ${JSON.stringify(kind)}: expected one of ${TM_KINDS.join(', ')}.`);
  const random = seededRandom(seed * 7919 + TM_KINDS.indexOf(kind) + 1);
  const cx = random() * size;
  const cy = random() * size;
  const radius = size * (0.15 + random() * 0.2);
  const shade = (random() - 0.5) * 80;
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = (y * size + x) * 4;
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < radius * radius ? shade : 0;
      for (let c = 0; c < 3; c++) data[p + c] = base[c] + inside + (random() - 0.5) * 50;
      data[p + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}
