import type { WireImage } from './protocol.js';

/** Everything `input: 'image'` accepts. */
export type ImageInput = ImageData | ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | Blob;

const EXPECTED = 'an ImageData, ImageBitmap, HTMLImageElement, HTMLCanvasElement, OffscreenCanvas or image Blob';

function isInstance<T>(value: unknown, name: string): value is T {
  const ctor = (globalThis as Record<string, unknown>)[name];
  return typeof ctor === 'function' && value instanceof (ctor as new () => T);
}

/**
 * Turns an image input into something that can be transferred to the worker, plus the buffers to transfer.
 * Decoding and resizing happen in the worker; only what cannot leave the main thread (DOM elements) is
 * snapshotted here, with createImageBitmap, which decodes off the main thread in Chromium.
 */
export async function toWireImage(input: unknown, what: string): Promise<{ wire: WireImage; transfer: Transferable[] }> {
  if (isInstance<Blob>(input, 'Blob')) {
    if (input.size === 0) throw new RangeError(`${what} is an empty Blob; expected an image file (PNG, JPEG, WebP, GIF, BMP).`);
    if (input.type !== '' && !input.type.startsWith('image/')) {
      throw new TypeError(`${what} is a Blob of type "${input.type}"; expected an image (image/png, image/jpeg, …).`);
    }
    return { wire: { image: 'blob', blob: input }, transfer: [] };
  }
  if (isInstance<ImageData>(input, 'ImageData')) {
    checkSize(input.width, input.height, what);
    // A copy is transferred: the caller's ImageData stays usable.
    const data = new Uint8ClampedArray(input.data);
    return { wire: { image: 'pixels', width: input.width, height: input.height, data }, transfer: [data.buffer] };
  }
  let source: ImageBitmapSource;
  if (isInstance<HTMLImageElement>(input, 'HTMLImageElement')) {
    if (!input.complete || input.naturalWidth === 0) {
      try {
        await input.decode();
      } catch (error) {
        throw new TypeError(`${what} is an <img> that could not be loaded or decoded (src: ${JSON.stringify(input.currentSrc || input.src)}).`, {
          cause: error,
        });
      }
    }
    checkSize(input.naturalWidth, input.naturalHeight, what);
    source = input;
  } else if (isInstance<HTMLCanvasElement>(input, 'HTMLCanvasElement') || isInstance<OffscreenCanvas>(input, 'OffscreenCanvas')) {
    checkSize(input.width, input.height, what);
    source = input;
  } else if (isInstance<ImageBitmap>(input, 'ImageBitmap')) {
    if (input.width === 0 && input.height === 0) throw new TypeError(`${what} is an ImageBitmap that was already closed.`);
    checkSize(input.width, input.height, what);
    // A clone is transferred, so the caller's bitmap is not closed under them.
    source = input;
  } else {
    throw new TypeError(
      `${what} must be ${EXPECTED}, got ${input === null ? 'null' : typeof input === 'object' ? Object.prototype.toString.call(input).slice(8, -1) : typeof input}.`,
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`${what} could not be read as an image: ${reason}`, { cause: error });
  }
  return { wire: { image: 'bitmap', bitmap }, transfer: [bitmap] };
}

function checkSize(width: number, height: number, what: string): void {
  if (!(width > 0 && height > 0)) throw new RangeError(`${what} has no pixels (${width}×${height}); expected an image at least 1×1.`);
}
