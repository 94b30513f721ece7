/** Shape pictures drawn the way a page would: on a canvas. Shared by the image and learning tests. */
export const SHAPES = ['circle', 'square', 'cross'] as const;

/** A picture of a shape, drawn the way a page would: on a canvas, with a little jitter per seed. */
export function draw(shape: 'circle' | 'square' | 'cross', seed: number, size = 64): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = seed % 2 ? '#101820' : '#202830';
  ctx.fillRect(0, 0, size, size);
  ctx.fillStyle = ctx.strokeStyle = ['#f2f2f2', '#ffd166', '#8ecae6'][seed % 3]!;
  ctx.lineWidth = size / 10;
  const jitter = ((seed * 7) % 9) - 4;
  const c = size / 2 + jitter;
  const r = size / 4 + ((seed * 3) % 5);
  if (shape === 'circle') {
    ctx.beginPath();
    ctx.arc(c, c, r, 0, Math.PI * 2);
    ctx.fill();
  } else if (shape === 'square') {
    ctx.fillRect(c - r, c - r, 2 * r, 2 * r);
  } else {
    ctx.beginPath();
    ctx.moveTo(c - r, c - r);
    ctx.lineTo(c + r, c + r);
    ctx.moveTo(c + r, c - r);
    ctx.lineTo(c - r, c + r);
    ctx.stroke();
  }
  return canvas;
}
