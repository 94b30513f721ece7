import { DECISION_ACTIONS, LOG_KINDS, type InputKind, type LogEntry, type RawPrediction } from '../../src/protocol.js';
import { fromLogEntry } from './log-records.js';
import { inputId } from './input-id.js';
import { checkDurationMs } from './human-time.js';
import type { Vector } from '../featurizers/vector.js';
import { NEAR_DUPLICATE } from '../memory/example-memory.js';
import { verifyChain, type ExampleRecord, type LogRecord, type QueueRecord, type StoredInput, type WeightsRecord } from '../storage/index.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, fromBase64, IMPORT_MAX_BYTES, type BundleHeader } from './bundle-format.js';

// Reading an export file back (bundle-format.ts says what it is; bundle-encode.ts writes it): every line checked
// against the importing model before anything is stored.

/** What the importing model is: the file must fit it. */
export interface BundleTarget {
  input: InputKind;
  featurizer: string;
  labels: readonly string[];
  /** The model's numeric row / image feature length, or null before its first example. */
  featureDim: number | null;
  /** Text models: the hashed feature space. */
  textDim: number;
  /** Image models: the side of the stored square picture. */
  imageSize: number | null;
}

export interface ParsedBundle {
  header: BundleHeader;
  /** The model's labels, then labels only the file has (an import extends a model's labels, never drops any). */
  labels: string[];
  featureDim: number | null;
  /** In file order, `seq` 0…n-1: the caller renumbers after its own. */
  examples: ExampleRecord[];
  queue: QueueRecord[];
  log: LogRecord[];
  /** Columns already in the order of `labels`. */
  weights: WeightsRecord | null;
}

class Line {
  constructor(
    readonly n: number,
    readonly what: string,
  ) {}
  type(message: string): TypeError {
    return new TypeError(`Import rejected, nothing was changed: line ${this.n} (${this.what}): ${message}`);
  }
  range(message: string): RangeError {
    return new RangeError(`Import rejected, nothing was changed: line ${this.n} (${this.what}): ${message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const ID = /^[tfi]-[0-9a-f]{32}$/;

function floats(at: Line, value: unknown, field: string, length: number): Float32Array {
  if (!isText(value)) throw at.type(`${field} must be a base64 string of float32 values.`);
  const bytes = fromBase64(value, `${field}`);
  if (bytes.length !== length * 4) throw at.range(`${field} must hold ${length} float32 values, got ${bytes.length / 4}.`);
  const array = new Float32Array(bytes.buffer);
  const bad = array.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw at.range(`${field}[${bad}] is ${array[bad]}; every value must be finite.`);
  return array;
}

/** Parses and checks a whole bundle; throws TypeError/RangeError naming the line and the problem. Writes nothing. */
export async function parseBundle(data: Blob, target: BundleTarget): Promise<ParsedBundle> {
  if (!(data instanceof Blob)) throw new TypeError(`import() expects a Blob or File from export(), got ${data === null ? 'null' : typeof data}.`);
  if (data.size > IMPORT_MAX_BYTES) {
    throw new RangeError(
      `Import rejected, nothing was changed: the file is ${(data.size / 2 ** 20).toFixed(1)} MB; the limit is ${IMPORT_MAX_BYTES / 2 ** 20} MB.`,
    );
  }
  if (data.size === 0) throw new TypeError('Import rejected, nothing was changed: the file is empty.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await data.arrayBuffer());
  } catch {
    throw new TypeError('Import rejected, nothing was changed: the file is not UTF-8 text (expected the JSON Lines file export() writes).');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const rows = lines.map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new TypeError(
        `Import rejected, nothing was changed: line ${i + 1} is not valid JSON${i === 0 ? ' (expected the JSON Lines file export() writes)' : ''}.`,
      );
    }
  });

  const header = checkHeader(rows[0], target);
  const labels = [...target.labels, ...header.labels.filter((l) => !target.labels.includes(l))];
  let featureDim = target.featureDim;
  if (header.featureDim !== null) {
    if (featureDim !== null && header.featureDim !== featureDim) {
      throw new Line(1, 'header').range(`featureDim is ${header.featureDim}, but this model's inputs have ${featureDim} values.`);
    }
    featureDim = header.featureDim;
  }
  const inputDim = target.input === 'text' ? target.textDim : featureDim;

  const examples: ExampleRecord[] = [];
  const queue: QueueRecord[] = [];
  const log: LogRecord[] = [];
  const chained: { entry: LogEntry; line: number }[] = [];
  let weights: WeightsRecord | null = null;
  const seen = new Set<string>();
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i];
    const type = isObject(row) ? row.type : undefined;
    const at = new Line(i + 1, isText(type) ? type : 'unknown');
    if (!isObject(row)) throw at.type('expected a JSON object.');
    switch (type) {
      case 'example': {
        const example = await checkExample(at, row, target, header.labels, featureDim, inputDim);
        if (seen.has(example.id)) throw at.range(`the example ${example.id} appears twice.`);
        seen.add(example.id);
        examples.push({ ...example, seq: examples.length });
        break;
      }
      case 'log':
        log.push(checkLog(at, row));
        chained.push({ entry: withoutType(row) as unknown as LogEntry, line: i + 1 });
        break;
      case 'queue':
        queue.push(await checkQueued(at, row, target, header.labels, featureDim, inputDim));
        break;
      case 'weights':
        if (weights) throw at.range('a second weights line; a file holds one model.');
        weights = checkWeights(at, row, labels, inputDim, NEAR_DUPLICATE[target.input]);
        break;
      default:
        throw at.type(`unknown line type ${JSON.stringify(type)}; expected "example", "log", "queue" or "weights".`);
    }
  }
  const counts = { examples: examples.length, log: log.length, queue: queue.length, weights: weights ? 1 : 0 };
  for (const key of Object.keys(counts) as (keyof typeof counts)[]) {
    if (counts[key] !== header.counts[key]) {
      throw new RangeError(
        `Import rejected, nothing was changed: the header announces ${header.counts[key]} ${key} line(s), the file holds ${counts[key]} (truncated or edited?).`,
      );
    }
  }
  await checkChain(chained);
  return { header, labels, featureDim, examples, queue, log, weights };
}

/** A line's record without its line type, as it was hashed. */
function withoutType(row: Record<string, unknown>): Record<string, unknown> {
  const { type: _type, ...record } = row;
  return record;
}

/**
 * An export carries its log's hash chain; a file whose chain does not verify was edited after export and is
 * refused. Files from before the chain existed carry no hashes at all and are taken as they are.
 */
async function checkChain(lines: readonly { entry: LogEntry; line: number }[]): Promise<void> {
  if (!lines.some(({ entry }) => entry.hash !== undefined)) return;
  const result = await verifyChain(lines.map(({ entry }) => entry));
  if (result.ok) return;
  const bad = lines.find(({ entry }) => entry.id === result.firstBadEntry);
  throw new RangeError(
    `Import rejected, nothing was changed: the audit log in the file was altered after export; its entry ${result.firstBadEntry}` +
      `${bad ? ` (line ${bad.line})` : ''} does not match the hash chain.`,
  );
}

function checkHeader(row: unknown, target: BundleTarget): BundleHeader {
  const at = new Line(1, 'header');
  if (!isObject(row) || row.format !== BUNDLE_FORMAT)
    throw at.type(`expected {"format":"${BUNDLE_FORMAT}",…}: this is not a hitl-classifier export.`);
  if (row.version !== BUNDLE_VERSION) {
    throw at.range(`format version ${JSON.stringify(row.version)} is not one this library reads (it reads version ${BUNDLE_VERSION}).`);
  }
  if (row.input !== target.input) throw at.type(`the file holds a '${String(row.input)}' model; this model's input is '${target.input}'.`);
  if (row.featurizer !== target.featurizer) {
    throw at.type(
      `the file was featurized with '${String(row.featurizer)}', this model with '${target.featurizer}': its weights would mean nothing here.`,
    );
  }
  const labels = row.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => isText(l) && l.trim() !== '') || new Set(labels).size !== labels.length) {
    throw at.type('labels must be an array of at least 2 distinct, non-empty strings.');
  }
  const fd = row.featureDim;
  if (fd !== null && !(typeof fd === 'number' && Number.isInteger(fd) && fd > 0)) throw at.type('featureDim must be null or a whole number > 0.');
  const counts = row.counts;
  const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!isObject(counts) || !isCount(counts.examples) || !isCount(counts.log) || !isCount(counts.queue) || !isCount(counts.weights)) {
    throw at.type('counts must be {examples, log, queue, weights}, each a whole number ≥ 0.');
  }
  if (!isText(row.model)) throw at.type('model must be the model name, a string.');
  return row as unknown as BundleHeader;
}

function checkInput(at: Line, value: unknown, target: BundleTarget, featureDim: number | null): StoredInput {
  switch (target.input) {
    case 'text':
      if (!isText(value) || value.trim() === '') throw at.type('input must be a non-empty string for a text model.');
      return value;
    case 'features': {
      if (!Array.isArray(value) || value.length === 0) throw at.type('input must be an array of numbers for a features model.');
      if (featureDim !== null && value.length !== featureDim) throw at.range(`input must hold ${featureDim} numbers, got ${value.length}.`);
      const bad = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) throw at.range(`input[${bad}] must be a finite number, got ${JSON.stringify(value[bad])}.`);
      return Float32Array.from(value as number[]);
    }
    case 'image': {
      if (!isObject(value) || !isText(value.rgba)) throw at.type('input must be {width, height, rgba: base64} for an image model.');
      const side = target.imageSize ?? 0;
      if (value.width !== side || value.height !== side) {
        throw at.range(
          `the stored picture must be ${side}×${side} (this model's featurizer size), got ${String(value.width)}×${String(value.height)}.`,
        );
      }
      const bytes = fromBase64(value.rgba, 'input.rgba');
      if (bytes.length !== side * side * 4) throw at.range(`input.rgba must hold ${side * side * 4} bytes, got ${bytes.length}.`);
      return { width: side, height: side, data: new Uint8ClampedArray(bytes.buffer) };
    }
  }
}

function checkVector(at: Line, value: unknown, inputDim: number | null): Vector {
  if (!isObject(value)) throw at.type('vector must be {dense} or {indices, values}.');
  if (inputDim === null) throw at.range('a featurised example needs the header featureDim.');
  if (isText(value.dense)) return floats(at, value.dense, 'vector.dense', inputDim);
  if (!isText(value.indices) || !isText(value.values)) throw at.type('vector must be {dense} or {indices, values}.');
  const raw = fromBase64(value.indices, 'vector.indices');
  if (raw.length % 4 !== 0) throw at.range('vector.indices must be whole int32 values.');
  const indices = new Int32Array(raw.buffer);
  for (let j = 0; j < indices.length; j++) {
    if (indices[j]! < 0 || indices[j]! >= inputDim || (j > 0 && indices[j]! <= indices[j - 1]!)) {
      throw at.range(`vector.indices must be increasing and within 0…${inputDim - 1}.`);
    }
  }
  return { indices, values: floats(at, value.values, 'vector.values', indices.length) };
}

/** The input or its vector, and an id that matches the input's hash when the input is there. */
async function checkItem(at: Line, row: Record<string, unknown>, target: BundleTarget, featureDim: number | null, inputDim: number | null) {
  if (!isText(row.id) || !ID.test(row.id) || row.id[0] !== target.input[0])
    throw at.type(`id must be an input hash such as "${target.input[0]}-" and 32 hex digits.`);
  const item: { id: string; input?: StoredInput; vector?: Vector } = { id: row.id };
  if (row.input !== undefined) {
    item.input = checkInput(at, row.input, target, featureDim);
    const hash = await inputId(target.input, item.input);
    if (hash !== row.id) throw at.range(`id ${row.id} is not the hash of its input (expected ${hash}): the file was edited.`);
  }
  if (row.vector !== undefined) item.vector = checkVector(at, row.vector, inputDim);
  if (item.input === undefined && item.vector === undefined) throw at.type('needs the input or its vector.');
  return item;
}

async function checkExample(
  at: Line,
  row: Record<string, unknown>,
  target: BundleTarget,
  labels: readonly string[],
  featureDim: number | null,
  inputDim: number | null,
): Promise<Omit<ExampleRecord, 'seq'>> {
  if (target.input !== 'text' && featureDim === null) throw at.range('the header gives no featureDim, which every file with examples has.');
  const item = await checkItem(at, row, target, featureDim, inputDim);
  if (!isText(row.label) || !labels.includes(row.label)) {
    throw at.range(`label ${JSON.stringify(row.label)} is not one of the header's labels ${JSON.stringify(labels)}.`);
  }
  if (!isTime(row.time)) throw at.type('time must be a number of ms since the epoch.');
  const example: Omit<ExampleRecord, 'seq'> = { ...item, label: row.label, time: row.time };
  for (const key of ['annotator', 'predictionId', 'decisionId'] as const) {
    const v = row[key];
    if (v !== undefined) {
      if (!isText(v)) throw at.type(`${key} must be a string.`);
      example[key] = v;
    }
  }
  // A label a person kept on a second look stays kept on the device that imports it.
  if (row.confirmedAgainst !== undefined) {
    if (!isText(row.confirmedAgainst) || !labels.includes(row.confirmedAgainst)) {
      throw at.range(`confirmedAgainst ${JSON.stringify(row.confirmedAgainst)} is not one of the header's labels ${JSON.stringify(labels)}.`);
    }
    example.confirmedAgainst = row.confirmedAgainst;
  }
  // Which labels were picked for review decides what calibration holds out (learning/calibrate.ts).
  if (row.picked !== undefined) {
    if (row.picked !== true) throw at.type(`picked must be true when given, got ${JSON.stringify(row.picked)}.`);
    example.picked = true;
  }
  return example;
}

function checkPrediction(at: Line, value: unknown, labels: readonly string[]): RawPrediction {
  if (!isObject(value) || !isText(value.id) || !isObject(value.scores))
    throw at.type('prediction must be {id, label, confidence, scores, modelVersion}.');
  const { label, confidence, modelVersion, scores } = value;
  if (label !== null && !(isText(label) && labels.includes(label)))
    throw at.range(`prediction.label ${JSON.stringify(label)} is not one of the labels.`);
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) throw at.range('prediction.confidence must be in 0…1.');
  if (typeof modelVersion !== 'number' || !Number.isInteger(modelVersion) || modelVersion < 0)
    throw at.range('prediction.modelVersion must be a whole number ≥ 0.');
  for (const [k, v] of Object.entries(scores)) {
    if (!labels.includes(k) || typeof v !== 'number' || !Number.isFinite(v))
      throw at.range(`prediction.scores[${JSON.stringify(k)}] is not a score of a known label.`);
  }
  return { id: value.id, label, confidence, modelVersion, scores: scores as Record<string, number> };
}

async function checkQueued(
  at: Line,
  row: Record<string, unknown>,
  target: BundleTarget,
  labels: readonly string[],
  featureDim: number | null,
  inputDim: number | null,
): Promise<QueueRecord> {
  const item = await checkItem(at, row, target, featureDim, inputDim);
  if (!isTime(row.addedAt)) throw at.type('addedAt must be a number of ms since the epoch.');
  if (typeof row.skipped !== 'number' || !Number.isInteger(row.skipped) || row.skipped < 0) throw at.type('skipped must be a whole number ≥ 0.');
  return { ...item, addedAt: row.addedAt, skipped: row.skipped, prediction: checkPrediction(at, row.prediction, labels) };
}

function checkLog(at: Line, row: Record<string, unknown>): LogRecord {
  if (!(LOG_KINDS as readonly unknown[]).includes(row.kind)) throw at.type(`kind must be one of ${LOG_KINDS.join(', ')}.`);
  if (!isTime(row.time)) throw at.type('time must be a number of ms since the epoch.');
  if (!isText(row.inputHash)) throw at.type('inputHash must be a string.');
  if (typeof row.modelVersion !== 'number' || !Number.isInteger(row.modelVersion) || row.modelVersion < 0)
    throw at.type('modelVersion must be a whole number ≥ 0.');
  if (row.predicted !== null && !isText(row.predicted)) throw at.type('predicted must be a label or null.');
  if (typeof row.confidence !== 'number' || !(row.confidence >= 0 && row.confidence <= 1)) throw at.range('confidence must be in 0…1.');
  for (const key of ['human', 'previousLabel', 'annotator', 'predictionId', 'decisionId', 'detail'] as const) {
    if (row[key] !== undefined && !isText(row[key])) throw at.type(`${key} must be a string.`);
  }
  for (const key of ['prev', 'hash'] as const) {
    if (row[key] !== undefined && !(isText(row[key]) && /^[0-9a-f]{64}$/.test(row[key]))) throw at.type(`${key} must be a SHA-256 in hex.`);
  }
  if (row.hash !== undefined && !(typeof row.id === 'number' && Number.isInteger(row.id)))
    throw at.type('a chained entry needs its whole-number id.');
  if (row.cuts !== undefined) {
    const cuts = row.cuts;
    const ok = Array.isArray(cuts) && cuts.every((c) => isObject(c) && Number.isInteger(c.resume) && isText(c.prev) && /^[0-9a-f]{64}$/.test(c.prev));
    if (!ok) throw at.type('cuts must be a list of {resume: entry id, prev: SHA-256 in hex}.');
  }
  if (row.action !== undefined && !(DECISION_ACTIONS as readonly unknown[]).includes(row.action))
    throw at.type(`action must be one of ${DECISION_ACTIONS.join(', ')}.`);
  try {
    checkDurationMs(row.durationMs);
  } catch (error) {
    throw error instanceof RangeError ? at.range((error as Error).message) : at.type((error as Error).message);
  }
  checkLoggedInput(at, row.input, 'input');
  if (row.decisions !== undefined) checkBatchDecisions(at, row.decisions);
  const { type: _type, ...entry } = row;
  return fromLogEntry(entry as unknown as LogEntry);
}

function checkLoggedInput(at: Line, input: unknown, name: string): void {
  if (input === undefined) return;
  const ok =
    isText(input) ||
    (Array.isArray(input) && input.every((v) => typeof v === 'number' && Number.isFinite(v))) ||
    (isObject(input) && Number.isInteger(input.width) && Number.isInteger(input.height));
  if (!ok) throw at.type(`${name} must be a text, an array of numbers or an image size {width, height}.`);
}

/** A `decisions` entry's list: each a decision's input hash, label and id, with the optional fields as on a decision. */
function checkBatchDecisions(at: Line, decisions: unknown): void {
  if (!Array.isArray(decisions)) throw at.type('decisions must be a list of {inputHash, human, decisionId}.');
  decisions.forEach((d: unknown, i) => {
    if (!isObject(d) || !isText(d.inputHash) || !isText(d.human) || !isText(d.decisionId))
      throw at.type(`decisions[${i}] must be {inputHash, human, decisionId} (strings).`);
    for (const key of ['previousLabel', 'annotator', 'detail'] as const) {
      if (d[key] !== undefined && !isText(d[key])) throw at.type(`decisions[${i}].${key} must be a string.`);
    }
    checkLoggedInput(at, d.input, `decisions[${i}].input`);
  });
}

function checkWeights(
  at: Line,
  row: Record<string, unknown>,
  labels: readonly string[],
  inputDim: number | null,
  nearDuplicateFloor: number,
): WeightsRecord {
  const fileLabels = row.labels;
  if (
    !Array.isArray(fileLabels) ||
    fileLabels.length < 2 ||
    !fileLabels.every((l) => isText(l) && labels.includes(l)) ||
    new Set(fileLabels).size !== fileLabels.length
  ) {
    throw at.range(`labels must be distinct labels of the model, got ${JSON.stringify(fileLabels)}.`);
  }
  if (typeof row.inputDim !== 'number' || !Number.isInteger(row.inputDim) || row.inputDim <= 0) throw at.type('inputDim must be a whole number > 0.');
  if (inputDim !== null && row.inputDim !== inputDim) throw at.range(`inputDim is ${row.inputDim}; this model's inputs have ${inputDim} features.`);
  if (typeof row.version !== 'number' || !Number.isInteger(row.version) || row.version < 1) throw at.type('version must be a whole number ≥ 1.');
  const dim = row.inputDim;
  const k = fileLabels.length;
  const w = floats(at, row.weights, 'weights', dim * k);
  const b = floats(at, row.bias, 'bias', k);
  const record: WeightsRecord = {
    version: row.version,
    labels: [...labels],
    inputDim: dim,
    weights: w,
    bias: b,
    examples: typeof row.examples === 'number' ? row.examples : 0,
    savedAt: isTime(row.savedAt) ? row.savedAt : Date.now(),
    backend: isText(row.backend) ? row.backend : 'unknown',
  };
  if (row.mean !== undefined) record.mean = floats(at, row.mean, 'mean', dim);
  if (row.std !== undefined) {
    record.std = floats(at, row.std, 'std', dim);
    if (record.std.some((s) => s <= 0)) throw at.range('std must be > 0 everywhere.');
  }
  const c = row.calibration;
  if (c !== undefined) {
    if (!isObject(c) || ![c.temperature, c.heldOut, c.eceBefore, c.eceAfter].every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw at.type('calibration must be {temperature, heldOut, eceBefore, eceAfter}, all numbers.');
    }
    if (c.voteWeight !== undefined && !(typeof c.voteWeight === 'number' && c.voteWeight >= 0 && c.voteWeight <= 1)) {
      throw at.range('calibration.voteWeight must be a number in [0, 1].');
    }
    if (
      c.classPrior !== undefined &&
      !(Array.isArray(c.classPrior) && c.classPrior.length === k && c.classPrior.every((v) => typeof v === 'number' && Number.isFinite(v)))
    ) {
      throw at.type(`calibration.classPrior must be ${k} finite numbers, one per label of the head.`);
    }
    // Lookups made with the floor must find every example the bar counts, so a bar below it is refused.
    if (c.nearDuplicate !== undefined && !(typeof c.nearDuplicate === 'number' && c.nearDuplicate >= nearDuplicateFloor && c.nearDuplicate < 1)) {
      throw at.range(`calibration.nearDuplicate must be a number from ${nearDuplicateFloor} (this kind of input's floor) to below 1.`);
    }
    if (
      c.followTemperature !== undefined &&
      !(typeof c.followTemperature === 'number' && c.followTemperature > 0 && Number.isFinite(c.followTemperature))
    ) {
      throw at.range('calibration.followTemperature must be a positive number.');
    }
    record.calibration = c as unknown as WeightsRecord['calibration'];
  }
  if (row.shortGramShare !== undefined) {
    const share = row.shortGramShare;
    if (typeof share !== 'number' || !(share > 0 && share < 1))
      throw at.range(`shortGramShare must be a number between 0 and 1, got ${JSON.stringify(share)}.`);
    record.shortGramShare = share;
  }
  if (row.extra !== undefined) {
    if ((row.extra !== 'words' && row.extra !== 'counts' && row.extra !== 'encoder') || record.shortGramShare === undefined)
      throw at.range(`extra must be 'words', 'counts' or 'encoder' (with a shortGramShare) or absent, got ${JSON.stringify(row.extra)}.`);
    record.extra = row.extra;
  }
  // A counts view reads the letters' counts over this number: without it the head would read other values than it learnt.
  if (record.extra === 'counts' || row.countScale !== undefined) {
    const scale = row.countScale;
    if (record.extra !== 'counts' || typeof scale !== 'number' || !(scale > 0 && Number.isFinite(scale)))
      throw at.range(`countScale must be a positive number with extra 'counts', and absent otherwise; got ${JSON.stringify(scale)}.`);
    record.countScale = scale;
  }
  if (row.l2 !== undefined) {
    if (typeof row.l2 !== 'number' || !(row.l2 > 0 && Number.isFinite(row.l2)))
      throw at.range(`l2 must be a positive number (the L2 strength the head trained with) or absent, got ${JSON.stringify(row.l2)}.`);
    record.l2 = row.l2;
  }
  // Columns into the model's label order; a label the head never saw starts far below the others, as addLabel does.
  const classes = labels.length;
  if (classes !== k || fileLabels.some((l, i) => labels[i] !== l)) {
    const weightsOut = new Float32Array(dim * classes);
    const minBias = Math.min(...b);
    const biasOut = new Float32Array(classes);
    labels.forEach((label, c2) => {
      const from = (fileLabels as string[]).indexOf(label);
      biasOut[c2] = from >= 0 ? b[from]! : minBias - 4;
      if (from >= 0) for (let r = 0; r < dim; r++) weightsOut[r * classes + c2] = w[r * k + from]!;
    });
    record.weights = weightsOut;
    record.bias = biasOut;
  }
  return record;
}
