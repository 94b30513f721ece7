import { perDecision, toLogEntry } from './log-records.js';
import { computeHumanTime } from './human-time.js';
import type { Vector } from '../featurizers/vector.js';
import type { Dump, ModelMeta, StoredInput } from '../storage/index.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, toBase64, type BundleHeader } from './bundle-format.js';

// Writing the export file (bundle-format.ts says what it is; bundle.ts reads it back).

type EncodedInput = string | number[] | { width: number; height: number; rgba: string };
type EncodedVector = { dense: string } | { indices: string; values: string };

function encodeInput(input: StoredInput): EncodedInput {
  if (typeof input === 'string') return input;
  if (input instanceof Float32Array) return Array.from(input);
  return { width: input.width, height: input.height, rgba: toBase64(input.data) };
}

function encodeVector(vector: Vector): EncodedVector {
  return vector instanceof Float32Array ? { dense: toBase64(vector) } : { indices: toBase64(vector.indices), values: toBase64(vector.values) };
}

/** The whole model as one JSON Lines Blob. */
export function encodeBundle(dump: Dump, meta: ModelMeta): Blob {
  const header: BundleHeader = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    model: meta.name,
    labels: meta.labels,
    input: meta.input,
    featurizer: meta.featurizer ?? '',
    featureDim: meta.featureDim,
    exportedAt: Date.now(),
    counts: { examples: dump.examples.length, log: dump.log.length, queue: dump.queue.length, weights: dump.weights ? 1 : 0 },
    humanTime: computeHumanTime(perDecision(dump.log)),
  };
  const lines: string[] = [JSON.stringify(header)];
  for (const e of dump.examples) {
    lines.push(
      JSON.stringify({
        type: 'example',
        id: e.id,
        label: e.label,
        time: e.time,
        ...(e.annotator !== undefined ? { annotator: e.annotator } : {}),
        ...(e.predictionId !== undefined ? { predictionId: e.predictionId } : {}),
        ...(e.decisionId !== undefined ? { decisionId: e.decisionId } : {}),
        ...(e.confirmedAgainst !== undefined ? { confirmedAgainst: e.confirmedAgainst } : {}),
        ...(e.picked ? { picked: true } : {}),
        ...(e.input !== undefined ? { input: encodeInput(e.input) } : {}),
        ...(e.vector !== undefined ? { vector: encodeVector(e.vector) } : {}),
      }),
    );
  }
  for (const r of dump.log) lines.push(JSON.stringify({ type: 'log', ...toLogEntry(r) }));
  for (const q of dump.queue) {
    lines.push(
      JSON.stringify({
        type: 'queue',
        id: q.id,
        addedAt: q.addedAt,
        skipped: q.skipped,
        prediction: q.prediction,
        ...(q.input !== undefined ? { input: encodeInput(q.input) } : {}),
        ...(q.vector !== undefined ? { vector: encodeVector(q.vector) } : {}),
      }),
    );
  }
  const w = dump.weights;
  if (w) {
    lines.push(
      JSON.stringify({
        type: 'weights',
        version: w.version,
        labels: w.labels,
        inputDim: w.inputDim,
        weights: toBase64(w.weights),
        bias: toBase64(w.bias),
        ...(w.mean ? { mean: toBase64(w.mean) } : {}),
        ...(w.std ? { std: toBase64(w.std) } : {}),
        examples: w.examples,
        savedAt: w.savedAt,
        backend: w.backend,
        ...(w.calibration ? { calibration: w.calibration } : {}),
        // The head's view (head-views.ts): without it an imported head would read plain n-grams it was not trained on.
        ...(w.shortGramShare ? { shortGramShare: w.shortGramShare } : {}),
        ...(w.extra ? { extra: w.extra } : {}),
        ...(w.countScale !== undefined ? { countScale: w.countScale } : {}),
      }),
    );
  }
  return new Blob([lines.join('\n'), '\n'], { type: 'application/x-ndjson' });
}
