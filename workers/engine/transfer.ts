import type { ExportedModelMetadata, ImportResult, LogEntry, RawExportedModel } from '../../src/protocol.js';
import { computeAgreement } from '../audit/agreement.js';
import { perDecision, toLogEntry } from '../audit/log-records.js';
import { parseBundle } from '../audit/bundle.js';
import { encodeBundle } from '../audit/bundle-encode.js';
import type { Vector } from '../featurizers/vector.js';
import type { LogRecord, ModelMeta, StoredInput } from '../storage/index.js';
import { abortError } from './errors.js';
import type { ModelSession } from './model-session.js';
import { VOTE_MAX_EXAMPLES } from './policy.js';

/** What makes two log entries the same event, whichever database they were written in. */
function logKey(entry: LogEntry): string {
  // The chain links are where an entry sits in one log, not what happened.
  const { id: _id, prev: _prev, hash: _hash, ...rest } = entry;
  return JSON.stringify(rest);
}

/** Moving a model in and out of the page: the export file, its import, and the served head as a layers model. */
export class Transfer {
  constructor(private readonly session: ModelSession) {}

  async exportBundle(): Promise<Blob> {
    await this.session.recorder.flush();
    return encodeBundle(await this.session.store.dump(), this.session.meta);
  }

  /**
   * The served head as a standard TensorFlow.js layers model (workers/learning/export-model.ts): the head alone, with its
   * temperature and any standardisation folded in; the metadata says what it takes and what serving adds to it.
   */
  async exportModel(): Promise<RawExportedModel> {
    const { session } = this;
    // Read together before any await: a training that finishes meanwhile must not mix two models in one export.
    const served = session.serving.snapshot();
    if (!served) {
      throw new RangeError(
        `Model "${session.spec.name}" has no trained model to export yet: label examples of at least 2 labels and call train() (or let background training run) first.`,
      );
    }
    const { params, standardization } = served;
    const modelVersion = session.serving.modelVersion;
    const temperature = session.serving.calibration?.temperature ?? 1;
    const voteWeight = session.serving.voteWeight();
    const { inputDim, labels } = params;
    const description = session.featurizer.describe();
    const featurizer = session.meta.featurizer ?? description.id;
    const metadata: ExportedModelMetadata = {
      format: 'hitl-classifier/head',
      formatVersion: 1,
      name: session.spec.name,
      modelVersion,
      labels: [...labels],
      input: session.spec.input,
      featurizer,
      inputDim,
      expects: description.expects(inputDim),
      standardization: standardization ? 'folded' : 'none',
      temperature,
      voteWeight,
      leftOut: [
        'The instant example memory: in the widget an input near a labelled example follows its human label at once; this model answers from its weights alone.',
        `The nearest-labelled-example vote the widget mixes into each answer (voteWeight ${voteWeight}; 0 past ${VOTE_MAX_EXAMPLES} labels).`,
        ...(session.spec.input === 'features' ? [] : [`The featurizer ${featurizer}: the model takes featurized rows (see expects).`]),
      ],
      exportedAt: new Date().toISOString(),
    };
    const { exportHead } = await import('../learning/export-model.js');
    return { ...(await exportHead({ head: params, standardization, metadata })), metadata };
  }

  /** Validates the whole file, then applies it in one transaction: all of it or nothing. */
  async importBundle(data: Blob): Promise<ImportResult> {
    const { session } = this;
    await session.recorder.flush();
    const description = session.featurizer.describe();
    const parsed = await parseBundle(data, {
      input: session.spec.input,
      featurizer: description.id,
      labels: session.labels,
      featureDim: session.meta.featureDim,
      // The text vector's length, which an encoder's embedding lengthens.
      textDim: session.inputDim(),
      imageSize: description.imageSize,
    });
    const generation = session.generation;
    // A model that keeps no inputs stores what it imports the same way: vectors, never the raw inputs.
    const strip = async <T extends { input?: StoredInput; vector?: Vector }>(records: T[]): Promise<T[]> => {
      if (session.handles.keepInputs) return records;
      const raw = records.filter((r) => r.input !== undefined);
      const vectors = await session.vectorize(raw.map((r) => r.input!));
      return records.map((r) => {
        const i = raw.indexOf(r);
        if (i < 0) return r;
        const { input: _input, ...rest } = r;
        return { ...rest, vector: vectors[i]! } as T;
      });
    };
    const seq = session.examples.seq;
    const examples = (await strip(parsed.examples)).map((e, i) => ({ ...e, seq: seq + i }));
    const queue = (await strip(parsed.queue)).filter((q) => !examples.some((e) => e.id === q.id));
    const current = session.serving.modelVersion;
    const version = parsed.weights ? Math.max(parsed.weights.version, Math.max(session.meta.maxVersion, current) + 1) : current;
    const weights = parsed.weights ? { ...parsed.weights, version } : null;
    const meta: ModelMeta = {
      ...session.meta,
      labels: parsed.labels,
      featureDim: session.meta.featureDim ?? parsed.featureDim,
      maxVersion: Math.max(session.meta.maxVersion, version),
    };
    // Entries this log already holds (the same file imported twice, or a model's own export) are not added again,
    // so quality and drift never count one decision twice.
    const before = await session.store.readLog();
    const known = new Set(before.map((r) => logKey(toLogEntry(r))));
    const fresh = parsed.log.filter((r) => !known.has(logKey(toLogEntry(r))));
    // Where two people's work meets: inputs labelled here already and in the file too. Agreement over those alone,
    // from both logs, tells how far the other device's annotators agree with this one's.
    const overlap = new Set(parsed.examples.filter((e) => session.examples.label(e.id) !== undefined).map((e) => e.id));
    const agreement = computeAgreement(perDecision([...before, ...fresh]), parsed.labels, overlap);
    const log: LogRecord[] = [
      ...fresh,
      {
        kind: 'import',
        time: Date.now(),
        exampleId: '',
        modelVersion: version,
        detail: `${examples.length} examples, ${fresh.length} log entries, ${queue.length} queue items${weights ? ' and weights' : ''} from model "${parsed.header.model}"`,
      },
    ];
    if (session.generation !== generation) throw abortError('The model was reset during the import; nothing was imported.');
    await session.store.applyImport({ meta, examples, queue, log, weights });
    const labelsAdded = meta.labels.length !== session.labels.length;
    const loaded = await session.store.load();
    // What was stored, merged with whatever another tab added: the label order every tab uses.
    session.meta = { ...meta, labels: loaded.meta?.labels ?? meta.labels };
    await session.hydrate(loaded);
    if (labelsAdded) session.emit({ type: 'labels-changed', key: session.key, labels: [...session.labels] });
    session.emit({ type: 'imported', key: session.key, examples: examples.length });
    session.emit({ type: 'examples-changed', key: session.key, examples: session.examples.size });
    if (weights) session.emit({ type: 'model-updated', key: session.key, modelVersion: session.serving.modelVersion });
    // Imported weights are a new head: the label check follows it, as after a training.
    if (weights) session.training.refreshLabelCheck();
    session.queue.emitSize();
    session.drift.poke();
    if (!weights && examples.length > 0) session.training.scheduleAuto();
    return { examples: examples.length, logEntries: fresh.length, modelVersion: session.serving.modelVersion, overlap: overlap.size, agreement };
  }
}
