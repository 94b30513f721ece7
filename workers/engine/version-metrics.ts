import type { TrainingMetrics } from '../../src/protocol.js';
import type { Calibration } from '../learning/calibrate.js';
import type { WeightsRecord } from '../storage/index.js';
import { isEncoderText } from '../featurizers/featurizer.js';
import type { ModelSession } from './model-session.js';

/**
 * What a training knew about the head it saved, kept with the version (model versions): the labels it saw, its last
 * loss, the held-out fifth's accuracy and calibration error (a training from zeros with enough labels), and the
 * features it read with the cross-validated accuracy of that choice.
 */
export function trainingMetrics(
  session: ModelSession,
  record: WeightsRecord,
  targets: Int32Array,
  loss: number,
  calibration: Calibration | null,
  heldOutAccuracy: number | undefined,
  ms: number,
): TrainingMetrics {
  const byLabel: Record<string, number> = {};
  for (const t of targets) {
    const label = record.labels[t];
    if (label !== undefined) byLabel[label] = (byLabel[label] ?? 0) + 1;
  }
  const share = record.shortGramShare ?? 0;
  // An encoder model's head reads shares of the embedding, the vectors as joined at share 0.
  const extra = record.extra ?? (isEncoderText(session.featurizer) ? 'encoder' : 'letters');
  const choice = session.meta.featureChoice;
  return {
    examples: record.examples,
    byLabel,
    start: record.start ?? 'zeros',
    loss: Number.isFinite(loss) ? loss : null,
    // A warm start carries the calibration over: its held-out figures belong to an older head, so none are given.
    heldOut:
      calibration && record.start !== 'warm' ? { examples: calibration.heldOut, accuracy: heldOutAccuracy ?? null, ece: calibration.eceAfter } : null,
    featureChoice:
      session.spec.input === 'text'
        ? {
            shortGramShare: share,
            extra,
            accuracy:
              choice?.candidates.find((c) => c.shortGramShare === share && (share === 0 || (c.extra ?? 'letters') === extra))?.accuracy ?? null,
          }
        : null,
    ms,
    backend: record.backend,
  };
}
