import type { LabelFormat } from '../../src/protocol.js';
import { parseCsv, writeCsv } from './csv.js';

// Labelled text in the formats other tools read and write (docs/export-format.md): CSV, JSON Lines, and Label Studio's
// JSON tasks. Reading checks every row and names the first bad one; writing gives what reading takes back.

/** One labelled text, as read from a file or written to one. */
export interface LabelRow {
  text: string;
  label: string;
  annotator?: string;
  /** When it was labelled (ms since the epoch): written; a row read is labelled when it is stored. */
  time?: number;
}

/** Rows read, each with where it came from ("line 3", "task 2, annotation 1") for error messages. */
export interface ParsedRows {
  rows: (LabelRow & { at: string })[];
  /** Label Studio tasks without an annotation. */
  skipped: number;
}

/** Label Studio's names for the text and the choice in the labeling config this export is made for (docs/export-format.md). */
export const LABEL_STUDIO_TEXT = 'text';
export const LABEL_STUDIO_CHOICES = 'label';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}` : typeof value;
}

/** A row's fields checked: text and label non-empty strings, annotator a string when present. */
function checked(at: string, text: unknown, label: unknown, annotator: unknown): LabelRow & { at: string } {
  if (typeof text !== 'string') throw new TypeError(`${at}: text must be a string, got ${describe(text)}.`);
  if (text.trim() === '') throw new RangeError(`${at}: text is empty.`);
  if (typeof label !== 'string') throw new TypeError(`${at}: label must be a string, got ${describe(label)}.`);
  if (label.trim() === '') throw new RangeError(`${at}: label is empty.`);
  if (annotator !== undefined && annotator !== null && typeof annotator !== 'string') {
    throw new TypeError(`${at}: annotator must be a string when given, got ${describe(annotator)}.`);
  }
  const row: LabelRow & { at: string } = { at, text, label };
  if (typeof annotator === 'string' && annotator !== '') row.annotator = annotator;
  return row;
}

function readCsv(text: string): ParsedRows {
  const [header, ...records] = parseCsv(text);
  if (!header) throw new RangeError('The CSV is empty: expected a header line with the columns text and label.');
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const column = (name: string) => names.indexOf(name);
  const [textAt, labelAt] = [column('text'), column('label')];
  if (textAt < 0 || labelAt < 0) {
    throw new RangeError(
      `line ${header.line}: the header must name the columns text and label (annotator is optional), got ${JSON.stringify(header.fields)}.`,
    );
  }
  const annotatorAt = column('annotator');
  const rows = records.map(({ fields, line }) => {
    const at = `line ${line}`;
    if (fields.length !== names.length) throw new RangeError(`${at}: ${fields.length} fields, but the header has ${names.length}.`);
    return checked(at, fields[textAt], fields[labelAt], annotatorAt < 0 ? undefined : fields[annotatorAt]);
  });
  return { rows, skipped: 0 };
}

function readJsonl(text: string): ParsedRows {
  const rows: ParsedRows['rows'] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((source, i) => {
      if (source.trim() === '') return;
      const at = `line ${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(source);
      } catch (error) {
        throw new TypeError(`${at}: not JSON (${(error as Error).message}).`, { cause: error });
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new TypeError(`${at}: expected an object {"text", "label"}, got ${describe(value)}.`);
      const { text: t, label, annotator } = value as Record<string, unknown>;
      rows.push(checked(at, t, label, annotator));
    });
  return { rows, skipped: 0 };
}

/**
 * Label Studio's export (and import) format: a list of tasks, each `{ data: { text }, annotations: [{ result: [{
 * type: 'choices', value: { choices: [label] } }] }] }`. Each annotation not cancelled gives one row; its annotator
 * is `data.annotator` when the task has one (this library's export), else `completed_by` (a user id or object).
 */
function readLabelStudio(text: string): ParsedRows {
  let tasks: unknown;
  try {
    tasks = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new TypeError(`The Label Studio file is not JSON (${(error as Error).message}).`, { cause: error });
  }
  if (!Array.isArray(tasks)) throw new TypeError(`A Label Studio export is a JSON list of tasks, got ${describe(tasks)}.`);
  const rows: ParsedRows['rows'] = [];
  let skipped = 0;
  tasks.forEach((task: unknown, t) => {
    const at = `task ${t + 1}`;
    if (task === null || typeof task !== 'object' || Array.isArray(task))
      throw new TypeError(`${at}: expected an object with data and annotations, got ${describe(task)}.`);
    const { data, annotations } = task as { data?: unknown; annotations?: unknown };
    if (data === null || typeof data !== 'object') throw new TypeError(`${at}: data must be an object holding the text, got ${describe(data)}.`);
    const fields = data as Record<string, unknown>;
    if (annotations !== undefined && !Array.isArray(annotations))
      throw new TypeError(`${at}: annotations must be a list, got ${describe(annotations)}.`);
    const kept = (annotations ?? []).filter(
      (a: unknown) => !(a !== null && typeof a === 'object' && (a as { was_cancelled?: unknown }).was_cancelled === true),
    );
    if (kept.length === 0) {
      skipped += 1;
      return;
    }
    kept.forEach((annotation: unknown, a) => {
      const where = `${at}, annotation ${a + 1}`;
      const result = (annotation as { result?: unknown } | null)?.result;
      if (!Array.isArray(result)) throw new TypeError(`${where}: result must be a list, got ${describe(result)}.`);
      const choices = result.filter((r: unknown) => (r as { type?: unknown } | null)?.type === 'choices');
      if (choices.length !== 1) throw new RangeError(`${where}: expected one result of type "choices", got ${choices.length}.`);
      const picked = (choices[0] as { value?: { choices?: unknown } }).value?.choices;
      if (!Array.isArray(picked) || picked.length !== 1)
        throw new RangeError(`${where}: value.choices must hold exactly one label, got ${describe(picked)}.`);
      const by = (annotation as { completed_by?: unknown }).completed_by;
      const completedBy =
        typeof by === 'number' || typeof by === 'string'
          ? String(by)
          : by !== null && typeof by === 'object'
            ? (by as { email?: unknown }).email
            : undefined;
      rows.push(checked(where, fields[LABEL_STUDIO_TEXT], picked[0], fields.annotator ?? completedBy));
    });
  });
  return { rows, skipped };
}

/** Labelled rows of `text` in `format`; a TypeError or RangeError naming the first bad row. */
export function readLabelRows(text: string, format: LabelFormat): ParsedRows {
  if (format === 'csv') return readCsv(text);
  if (format === 'jsonl') return readJsonl(text);
  return readLabelStudio(text);
}

const iso = (time: number | undefined) => (time === undefined ? undefined : new Date(time).toISOString());

/** Rows as a file of `format`, with the MIME type it goes by. */
export function writeLabelRows(rows: readonly LabelRow[], format: LabelFormat): { text: string; type: string } {
  if (format === 'csv') {
    const records = rows.map((r) => [r.text, r.label, r.annotator ?? '', iso(r.time) ?? '']);
    return { text: writeCsv([['text', 'label', 'annotator', 'time'], ...records]), type: 'text/csv' };
  }
  if (format === 'jsonl') {
    const lines = rows.map((r) => `${JSON.stringify({ text: r.text, label: r.label, annotator: r.annotator, time: iso(r.time) })}\n`);
    return { text: lines.join(''), type: 'application/jsonl' };
  }
  const tasks = rows.map((r) => ({
    data: { [LABEL_STUDIO_TEXT]: r.text, ...(r.annotator !== undefined ? { annotator: r.annotator } : {}) },
    annotations: [
      {
        ...(r.time !== undefined ? { created_at: iso(r.time) } : {}),
        result: [{ from_name: LABEL_STUDIO_CHOICES, to_name: LABEL_STUDIO_TEXT, type: 'choices', value: { choices: [r.label] } }],
      },
    ],
  }));
  return { text: JSON.stringify(tasks, null, 1), type: 'application/json' };
}
