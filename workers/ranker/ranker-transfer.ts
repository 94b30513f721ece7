import { COMPARE_OUTCOMES, RANKER_LOG_KINDS, type RankerImportResult, type RankerLogEntry } from '../../src/protocol.js';
import { inputId } from '../audit/input-id.js';
import type { StoredInput, Vector } from '../storage/index.js';
import { fromRankerLogEntry, toRankerLogEntry } from '../storage/ranker-log.js';
import type { ComparedItem, ComparisonRecord, RankerLogRecord } from '../storage/ranker-records.js';
import type { RankerSession } from './ranker-session.js';

/** The file format of a ranker's export: its comparisons and its audit log, as JSON. */
export const RANKER_FORMAT = 'hitl-classifier/ranker';
const FORMAT_VERSION = 1;

type JsonInput = string | number[] | { width: number; height: number; data: number[] };
type JsonVector = number[] | { indices: number[]; values: number[] };
interface JsonItem {
  id: string;
  input?: JsonInput;
  vector: JsonVector;
}
interface JsonComparison {
  id: string;
  a: JsonItem;
  b: JsonItem;
  outcome: string;
  time: number;
  annotator?: string;
  predictionId?: string;
}
interface RankerFile {
  format: typeof RANKER_FORMAT;
  version: number;
  name: string;
  input: string;
  featurizer: string;
  exportedAt: number;
  comparisons: JsonComparison[];
  log: RankerLogEntry[];
}

function inputToJson(input: StoredInput): JsonInput {
  if (typeof input === 'string') return input;
  if (input instanceof Float32Array) return Array.from(input);
  return { width: input.width, height: input.height, data: Array.from(input.data) };
}

function vectorToJson(vector: Vector): JsonVector {
  return vector instanceof Float32Array ? Array.from(vector) : { indices: Array.from(vector.indices), values: Array.from(vector.values) };
}

function itemToJson(item: ComparedItem): JsonItem {
  return { id: item.id, vector: vectorToJson(item.vector), ...(item.input !== undefined ? { input: inputToJson(item.input) } : {}) };
}

export async function exportRanker(session: RankerSession): Promise<Blob> {
  const file: RankerFile = {
    format: RANKER_FORMAT,
    version: FORMAT_VERSION,
    name: session.spec.name,
    input: session.spec.input,
    featurizer: session.featurizer.id,
    exportedAt: Date.now(),
    comparisons: session.records.map((r) => ({
      id: r.id,
      a: itemToJson(r.a),
      b: itemToJson(r.b),
      outcome: r.outcome,
      time: r.time,
      ...(r.annotator !== undefined ? { annotator: r.annotator } : {}),
      ...(r.predictionId !== undefined ? { predictionId: r.predictionId } : {}),
    })),
    log: (await session.comparisons.readRankerLog()).map(toRankerLogEntry),
  };
  return new Blob([JSON.stringify(file)], { type: 'application/json' });
}

function fail(where: string, expected: string): never {
  throw new TypeError(`Not a ranker export this ranker can take: ${where} ${expected}.`);
}

function isNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** The item as stored here: its input checked and featurised again by this ranker, or its vector checked. */
async function itemFrom(session: RankerSession, json: unknown, where: string, dim: number | null): Promise<ComparedItem> {
  const item = json as Partial<JsonItem> | null;
  if (item === null || typeof item !== 'object' || typeof item.id !== 'string') fail(where, 'must be an item with a string id');
  if (item.input !== undefined) {
    const raw = item.input;
    const wire =
      typeof raw === 'string'
        ? raw
        : isNumbers(raw)
          ? Float32Array.from(raw)
          : raw && typeof raw === 'object' && isNumbers((raw as { data?: unknown }).data)
            ? { image: 'pixels' as const, width: raw.width, height: raw.height, data: Uint8ClampedArray.from(raw.data) }
            : fail(`${where}.input`, 'must be a text, a row of numbers or pixels');
    const canonical = await session.featurizer.canonical(wire);
    const id = await inputId(session.spec.input, canonical);
    if (id !== item.id) fail(`${where}.id`, `must be the hash of its input (${id}), got ${item.id}`);
    const [vector] = await session.featurizer.vectorize([canonical]);
    const plainVector = vector instanceof Float32Array ? vector : { indices: vector!.indices, values: vector!.values };
    return { id, vector: plainVector, ...(session.settings.keepInputs ? { input: canonical } : {}) };
  }
  const v = item.vector;
  if (isNumbers(v)) {
    if (dim !== null && v.length !== dim) fail(`${where}.vector`, `must hold ${dim} numbers, got ${v.length}`);
    return { id: item.id, vector: Float32Array.from(v) };
  }
  if (v && typeof v === 'object' && isNumbers((v as { indices?: unknown }).indices) && isNumbers((v as { values?: unknown }).values)) {
    const { indices, values } = v as { indices: number[]; values: number[] };
    const bound = session.featurizer.dim() ?? Infinity;
    if (indices.length !== values.length || indices.some((i, k) => !Number.isInteger(i) || i < 0 || i >= bound || (k > 0 && i <= indices[k - 1]!))) {
      fail(`${where}.vector`, 'must have sorted, unique column indices within the featurizer, one value each');
    }
    return { id: item.id, vector: { indices: Int32Array.from(indices), values: Float32Array.from(values) } };
  }
  return fail(`${where}.vector`, 'must be a row of numbers or {indices, values}');
}

function logFrom(json: unknown, where: string): RankerLogRecord {
  const entry = json as Partial<RankerLogEntry> | null;
  if (entry === null || typeof entry !== 'object') fail(where, 'must be a log entry');
  if (!(RANKER_LOG_KINDS as readonly unknown[]).includes(entry.kind)) fail(`${where}.kind`, `must be one of ${RANKER_LOG_KINDS.join(', ')}`);
  if (typeof entry.time !== 'number' || typeof entry.modelVersion !== 'number') fail(where, 'must have a numeric time and modelVersion');
  return fromRankerLogEntry(entry as RankerLogEntry);
}

/** Checks the whole file before anything is written, then stores it in one transaction: all of it or nothing. */
export async function importRanker(session: RankerSession, data: Blob): Promise<RankerImportResult> {
  if (!(data instanceof Blob)) throw new TypeError('import() expects a Blob, as export() gives.');
  let file: Partial<RankerFile>;
  try {
    file = JSON.parse(await data.text()) as Partial<RankerFile>;
  } catch {
    throw new TypeError("Not a ranker export: the file is not JSON. Pass a Blob from a ranker's export().");
  }
  if (file === null || typeof file !== 'object' || file.format !== RANKER_FORMAT) fail('format', `must be '${RANKER_FORMAT}'`);
  if (file.version !== FORMAT_VERSION) fail('version', `must be ${FORMAT_VERSION}, got ${String(file.version)}`);
  if (file.input !== session.spec.input) fail('input', `must be '${session.spec.input}' (this ranker's), got ${String(file.input)}`);
  if (file.featurizer !== session.featurizer.id)
    fail('featurizer', `must be ${session.featurizer.id} (this ranker's), got ${String(file.featurizer)}`);
  if (!Array.isArray(file.comparisons) || !Array.isArray(file.log)) fail('comparisons and log', 'must be arrays');
  let dim = session.rowLength();
  const records: ComparisonRecord[] = [];
  for (const [i, raw] of file.comparisons.entries()) {
    const c = raw as Partial<JsonComparison> | null;
    const where = `comparisons[${i}]`;
    if (c === null || typeof c !== 'object' || typeof c.id !== 'string' || c.id === '') fail(where, 'must have a string id');
    if (!(COMPARE_OUTCOMES as readonly unknown[]).includes(c.outcome)) fail(`${where}.outcome`, "must be 'a', 'b' or 'tie'");
    if (typeof c.time !== 'number' || !Number.isFinite(c.time)) fail(`${where}.time`, 'must be a number');
    const a = await itemFrom(session, c.a, `${where}.a`, dim);
    if (a.vector instanceof Float32Array) dim ??= a.vector.length;
    const b = await itemFrom(session, c.b, `${where}.b`, dim);
    const record: ComparisonRecord = { id: c.id, a, b, outcome: c.outcome as ComparisonRecord['outcome'], time: c.time };
    if (typeof c.annotator === 'string') record.annotator = c.annotator;
    if (typeof c.predictionId === 'string') record.predictionId = c.predictionId;
    records.push(record);
  }
  const log = file.log.map((entry, i) => logFrom(entry, `log[${i}]`));
  const importEntry: RankerLogRecord = {
    kind: 'import',
    time: Date.now(),
    modelVersion: session.modelVersion,
    detail: `import: ${records.length} comparisons and ${log.length} log entries from "${String(file.name)}"`,
  };
  const added = await session.comparisons.importComparisons(records, [...log, importEntry]);
  await session.reload('import');
  return { comparisons: added, logEntries: log.length, modelVersion: session.modelVersion };
}
