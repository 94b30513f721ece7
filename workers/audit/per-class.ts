import type { ClassFigures, ClassWarning } from '../../src/protocol.js';

/** Below this many human labels a label is flagged whatever the others have: too few to learn or to measure. */
export const FEW_LABELS = 5;
/** A label with less than this share of the median label's count is flagged as rare next to the others. */
export const RARE_SHARE = 1 / 5;

/** Precision, recall and F1 per label of what the model showed against what people decided. */
export function perClassFigures(decisions: readonly { human: string; predicted: string }[], labels: readonly string[]): ClassFigures[] {
  return labels.map((label) => {
    const support = decisions.filter((d) => d.human === label).length;
    const predicted = decisions.filter((d) => d.predicted === label).length;
    const hits = decisions.filter((d) => d.human === label && d.predicted === label).length;
    const precision = predicted > 0 ? hits / predicted : null;
    const recall = support > 0 ? hits / support : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
    return { label, support, predicted, precision, recall, f1 };
  });
}

/** Labels with fewer than FEW_LABELS examples, or fewer than RARE_SHARE of the median label's, fewest first. */
export function classWarnings(byLabel: Readonly<Record<string, number>>): ClassWarning[] {
  const counts = Object.values(byLabel).sort((a, b) => a - b);
  if (counts.length === 0) return [];
  const middle = counts.length / 2;
  const median = counts.length % 2 === 1 ? counts[Math.floor(middle)]! : (counts[middle - 1]! + counts[middle]!) / 2;
  const warnings: ClassWarning[] = [];
  for (const [label, count] of Object.entries(byLabel)) {
    if (count < FEW_LABELS) warnings.push({ label, count, reason: 'few' });
    else if (count < median * RARE_SHARE) warnings.push({ label, count, reason: 'rare' });
  }
  return warnings.sort((a, b) => a.count - b.count || (a.label < b.label ? -1 : 1));
}
