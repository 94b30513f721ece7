import type { SquarePixels } from '../storage/index.js';

/**
 * Cells per side of an image's occlusion grid, at most: 64 covered copies of the picture go through the featurizer in
 * one batch, whatever the picture's size.
 */
export const IMAGE_GRID = 8;

/** Parts of a text removed one at a time, at most: neighbouring words are removed together past this. */
export const TEXT_UNITS = 64;

/**
 * The explained score from served probabilities: log p(label) minus the mean log probability of the other labels. For
 * a softmax head alone this is the label's logit minus the mean of the others, the same score a linear explanation
 * splits, so the two methods speak in one unit.
 */
export function scoreOf(probs: Float64Array, target: number): number {
  const log = (p: number) => Math.log(Math.max(p, 1e-12));
  let others = 0;
  for (let c = 0; c < probs.length; c++) if (c !== target) others += log(probs[c]!);
  return log(probs[target]!) - others / Math.max(1, probs.length - 1);
}

/** Groups `count` consecutive units into at most `limit` runs of near-equal length: [first, last] inclusive. */
export function groupRuns(count: number, limit: number): [number, number][] {
  const groups = Math.min(count, limit);
  return Array.from({ length: groups }, (_, g) => [Math.floor((g * count) / groups), Math.floor(((g + 1) * count) / groups) - 1]);
}

/** The cells of the occlusion grid over a picture: pixel bounds, row-major from the top left. */
export function gridCells(picture: SquarePixels): { side: number; cells: { x0: number; x1: number; y0: number; y1: number }[] } {
  const side = Math.max(1, Math.min(IMAGE_GRID, picture.width, picture.height));
  const cells = [];
  for (let gy = 0; gy < side; gy++) {
    for (let gx = 0; gx < side; gx++) {
      cells.push({
        x0: Math.floor((gx * picture.width) / side),
        x1: Math.floor(((gx + 1) * picture.width) / side),
        y0: Math.floor((gy * picture.height) / side),
        y1: Math.floor(((gy + 1) * picture.height) / side),
      });
    }
  }
  return { side, cells };
}

/**
 * A copy of the picture with each grid cell in turn painted its mean colour: covering a patch with the picture's own
 * average removes what the patch shows without adding an edge or a colour the picture never had.
 */
export function occludedPictures(picture: SquarePixels): { side: number; pictures: SquarePixels[] } {
  const { width, height, data } = picture;
  const mean = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let ch = 0; ch < 3; ch++) mean[ch]! += data[i + ch]!;
  const pixels = Math.max(1, width * height);
  const fill = mean.map((sum) => Math.round(sum / pixels));
  const { side, cells } = gridCells(picture);
  const pictures = cells.map(({ x0, x1, y0, y1 }) => {
    const copy = new Uint8ClampedArray(data);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const at = (y * width + x) * 4;
        for (let ch = 0; ch < 3; ch++) copy[at + ch] = fill[ch]!;
      }
    }
    return { width, height, data: copy };
  });
  return { side, pictures };
}
