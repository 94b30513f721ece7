// The demo's data files, built from npm packages by scripts/prepare-demo-data.mjs (`npm start` runs it first) and
// served by the page's own origin.

export interface Email {
  from: string;
  subject: string;
  /** ISO time, or null when the mail's Date header did not parse. */
  date: string | null;
  body: string;
  label: string;
}

export interface SpamData {
  source: string;
  labels: string[];
  items: Email[];
}

export interface DigitsData {
  source: string;
  labels: string[];
  width: number;
  height: number;
  /** 8-bit grey, row-major, one width × height block per digit. */
  pixels: Uint8Array;
  /** The true digit of each picture. */
  items: string[];
}

export interface IrisData {
  source: string;
  labels: string[];
  features: string[];
  items: { x: number[]; label: string }[];
}

const URLS = {
  spam: new URL('./data/spam.json', import.meta.url),
  digits: new URL('./data/digits.json', import.meta.url),
  iris: new URL('./data/iris.json', import.meta.url),
};

const cache = new Map<string, Promise<unknown>>();

async function load(name: keyof typeof URLS): Promise<Record<string, unknown>> {
  let pending = cache.get(name);
  if (!pending) {
    pending = (async () => {
      const response = await fetch(URLS[name]);
      if (!response.ok) {
        throw new Error(
          `The demo data file data/${name}.json is missing (HTTP ${response.status}). ` +
            'Run `node scripts/prepare-demo-data.mjs` (npm start does it) and reload.',
        );
      }
      return response.json() as Promise<unknown>;
    })();
    // A failed load may succeed after the data is prepared: do not keep the failure.
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  const data = await pending;
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { items?: unknown }).items)) {
    throw new Error(`data/${name}.json is not a demo data file (no items): run \`node scripts/prepare-demo-data.mjs\` again.`);
  }
  return data as Record<string, unknown>;
}

export async function loadSpam(): Promise<SpamData> {
  return (await load('spam')) as unknown as SpamData;
}

export async function loadIris(): Promise<IrisData> {
  return (await load('iris')) as unknown as IrisData;
}

export async function loadDigits(): Promise<DigitsData> {
  const raw = (await load('digits')) as unknown as Omit<DigitsData, 'pixels'> & { pixels: string };
  const binary = atob(raw.pixels);
  const pixels = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) pixels[i] = binary.charCodeAt(i);
  if (pixels.length !== raw.items.length * raw.width * raw.height) {
    throw new Error('data/digits.json holds fewer pixels than digits: run `node scripts/prepare-demo-data.mjs` again.');
  }
  return { ...raw, pixels };
}

/** One digit as an ImageData (white strokes on black, like MNIST), the form the classifier takes images in. */
export function digitImage(data: DigitsData, index: number): ImageData {
  const size = data.width * data.height;
  const image = new ImageData(data.width, data.height);
  for (let p = 0; p < size; p++) {
    const grey = data.pixels[index * size + p]!;
    image.data[p * 4] = grey;
    image.data[p * 4 + 1] = grey;
    image.data[p * 4 + 2] = grey;
    image.data[p * 4 + 3] = 255;
  }
  return image;
}
