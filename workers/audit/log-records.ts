import type { StoredInputView } from '../../src/protocol.js';
import type { LogRecord, LoggedInput, StoredInput } from '../storage/index.js';

export { fromLogEntry, perDecision, toLogEntry } from '../storage/index.js';

/** What the log keeps of an input: the text or row (copied), and for a picture only its size — never its pixels. */
export function loggedInput(input: StoredInput): LoggedInput {
  if (typeof input === 'string') return input;
  if (input instanceof Float32Array) return Float32Array.from(input);
  return { width: input.width, height: input.height };
}

/** A stored input as the page sees it: numeric rows as plain arrays (the contract's `number[]`). */
export function inputView(input: StoredInput): StoredInputView {
  if (typeof input === 'string') return input;
  if (input instanceof Float32Array) return Array.from(input);
  return { width: input.width, height: input.height, data: input.data };
}

/** Log order: by time, then by insertion (imported entries keep their own times). */
export function byTime(a: Pick<LogRecord, 'time' | 'id'>, b: Pick<LogRecord, 'time' | 'id'>): number {
  return a.time - b.time || (a.id ?? 0) - (b.id ?? 0);
}
