import type { InputKind } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';

/** The id of an input: a hash of its canonical form, so the same text, row or picture is one example. */
export async function inputId(kind: InputKind, input: StoredInput): Promise<string> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (typeof input === 'string') {
    bytes = new TextEncoder().encode(`t:${input}`);
  } else {
    const raw = input instanceof Float32Array ? input : input.data;
    bytes = new Uint8Array(2 + raw.byteLength);
    bytes.set(new TextEncoder().encode(input instanceof Float32Array ? 'f:' : 'i:'));
    bytes.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), 2);
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `${kind[0]}-${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
