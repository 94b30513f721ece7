/** Paints stored pixels: RGBA, RGB or one grey byte per pixel. */
export function drawPixels(canvas: HTMLCanvasElement, input: { width: number; height: number; data: Uint8ClampedArray }): void {
  const { width, height, data } = input;
  const context = canvas.getContext('2d');
  if (!context || width <= 0 || height <= 0) return;
  const pixels = width * height;
  const channels = data.length / pixels;
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    if (channels >= 4) {
      rgba.set(data.subarray(p * channels, p * channels + 4), p * 4);
    } else if (channels === 3) {
      rgba.set(data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    } else {
      const grey = data[p]!;
      rgba[p * 4] = grey;
      rgba[p * 4 + 1] = grey;
      rgba[p * 4 + 2] = grey;
      rgba[p * 4 + 3] = 255;
    }
  }
  context.putImageData(new ImageData(rgba, width, height), 0, 0);
}
