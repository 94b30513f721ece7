import type { HumanTimeReport, InputKind } from '../../src/protocol.js';

/**
 * The export format: JSON Lines (UTF-8). Line 1 is the header; then one line per example, log entry and queue item,
 * and at most one weights line. Float arrays travel as base64 of their little-endian float32 bytes, so they
 * round-trip bit for bit; numeric inputs stay readable JSON arrays (a float32 printed as a double is exact too).
 */
export const BUNDLE_FORMAT = 'hitl-classifier';
export const BUNDLE_VERSION = 1;
/** Files above this are refused before being read: a bundle of 50,000 labelled e-mails is ~100 MB. */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;

export interface BundleHeader {
  format: typeof BUNDLE_FORMAT;
  version: number;
  model: string;
  labels: string[];
  input: InputKind;
  featurizer: string;
  featureDim: number | null;
  exportedAt: number;
  /** Line counts, so a truncated file is caught. */
  counts: { examples: number; log: number; queue: number; weights: number };
  /** The cost of human time over the exported log, as quality().humanTime gives it: for the reader, not read on import. */
  humanTime?: HumanTimeReport;
}

// ---- base64 of typed arrays (page and worker both have btoa/atob) ----

export function toBase64(array: Float32Array | Int32Array | Uint8ClampedArray): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string, what: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new TypeError(`${what} is not valid base64.`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
