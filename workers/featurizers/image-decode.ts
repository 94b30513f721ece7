import type { WireImage } from '../../src/protocol.js';
import type { SquarePixels } from '../storage/records.js';

// The pixel type is storage's (a model that keeps inputs stores decoded pictures); featurizers take it from there.
export type { SquarePixels };

/**
 * Decodes (Blobs) and resizes any wire image to `size`×`size`, centre-cropped to a square so nothing is
 * stretched, in the worker: the page's main thread never pays for decoding or resampling.
 */
export async function decodeImage(wire: WireImage, size: number): Promise<SquarePixels> {
  let source: ImageBitmap;
  if (wire.image === 'blob') {
    try {
      source = await createImageBitmap(wire.blob);
    } catch (error) {
      throw new TypeError(
        `The Blob could not be decoded as an image (${wire.blob.type || 'no type'}, ${wire.blob.size} bytes): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  } else if (wire.image === 'pixels') {
    if (wire.data.length !== wire.width * wire.height * 4) {
      throw new RangeError(`Image pixels must hold width × height × 4 values (${wire.width}×${wire.height}), got ${wire.data.length}.`);
    }
    // Already the size the featurizer takes (a 28×28 digit, a canvas drawn at that size): nothing to crop or
    // resample, and a bitmap plus a canvas round trip were a third of a warm image prediction.
    if (wire.width === size && wire.height === size) return { width: size, height: size, data: new Uint8ClampedArray(wire.data) };
    source = await createImageBitmap(new ImageData(new Uint8ClampedArray(wire.data), wire.width, wire.height));
  } else {
    source = wire.bitmap;
  }
  try {
    const side = Math.min(source.width, source.height);
    const canvas = new OffscreenCanvas(size, size);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('OffscreenCanvas 2D is not available in this worker, so images cannot be resized.');
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(source, (source.width - side) / 2, (source.height - side) / 2, side, side, 0, 0, size, size);
    const { data } = context.getImageData(0, 0, size, size);
    return { width: size, height: size, data };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'SecurityError') {
      throw new TypeError(
        'The image comes from another origin without CORS permission, so its pixels cannot be read. Serve it from this origin or with crossorigin="anonymous" and CORS headers.',
        { cause: error },
      );
    }
    throw error;
  } finally {
    source.close();
  }
}
