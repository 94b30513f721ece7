import * as Comlink from 'comlink';
import { describe } from './checks.js';
import { toWireImage } from './image-input.js';
import type { InputKind, WireInput } from './protocol.js';

/** An input as it crosses to the worker, with the buffers to transfer rather than copy. */
export interface Prepared {
  wire: WireInput;
  transfer: Transferable[];
}

/** Checks an input on the main thread so the error keeps its class and names the argument. */
export async function toWire(kind: InputKind, input: unknown, what: string): Promise<Prepared> {
  if (kind === 'text') {
    if (typeof input !== 'string') throw new TypeError(`${what} must be a string (text), got ${describe(input)}.`);
    if (input.trim() === '') throw new RangeError(`${what} must contain some text; got an empty string.`);
    return { wire: input, transfer: [] };
  }
  if (kind === 'image') return toWireImage(input, what);
  const isNumbers = Array.isArray(input) || (ArrayBuffer.isView(input) && !(input instanceof DataView));
  if (!isNumbers) throw new TypeError(`${what} must be an array or Float32Array of numbers, got ${describe(input)}.`);
  const values = input as ArrayLike<unknown>;
  if (values.length === 0) throw new RangeError(`${what} must hold at least one number; got an empty array.`);
  const row = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new TypeError(`${what}[${i}] must be a number, got ${describe(v)}.`);
    const n = Number(v);
    if (!Number.isFinite(n)) throw new RangeError(`${what}[${i}] must be a finite number, got ${n}.`);
    row[i] = n;
  }
  return { wire: row, transfer: [row.buffer] };
}

/** Marks buffers for transfer; Comlink keys that in a WeakMap, so plain strings go as they are. */
export function sendable<T extends WireInput>(wire: T, transfer: Transferable[]): T {
  return typeof wire === 'string' || transfer.length === 0 ? wire : Comlink.transfer(wire, transfer);
}

/** Checks and converts a list, naming each bad item by its index. */
export async function toWires(kind: InputKind, inputs: readonly unknown[], what: string): Promise<{ wires: WireInput[]; transfer: Transferable[] }> {
  const prepared = await Promise.all(inputs.map((input, i) => toWire(kind, input, `${what}[${i}]`)));
  return { wires: prepared.map((p) => p.wire), transfer: prepared.flatMap((p) => p.transfer) };
}
