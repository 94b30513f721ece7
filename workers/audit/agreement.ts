import type { AgreementReport } from '../../src/protocol.js';
import type { QualityRecord } from './log-tail.js';
import { byTime } from './log-records.js';

/** Who labelled a decision when nobody said: counted as one anonymous annotator. */
const ANONYMOUS = '';

/** An adjudication as the report gives it, with where it sits in the log's order. */
type Adjudication = AgreementReport['settled'][number]['adjudication'] & { at: number };

/**
 * Agreement between people, from the audit log alone: each annotator's standing label per input (their latest
 * decision on it that was not undone), Cohen's κ for every pair over the inputs both labelled, Fleiss' κ over the
 * inputs two or more people labelled (the form for a varying number of raters per item), and the conflicts: inputs
 * people labelled differently, unless an adjudication after all their labels settled them. `inputs`, when given,
 * limits all of it to those input hashes (an import's overlap).
 */
export function computeAgreement(records: readonly QualityRecord[], labels: readonly string[], inputs?: ReadonlySet<string>): AgreementReport {
  const log = [...records].sort(byTime);
  const undone = new Set(log.filter((r) => r.kind === 'undo' && r.decisionId !== undefined).map((r) => r.decisionId!));
  /** input → annotator → label, and where in the log it was given */
  const standing = new Map<string, Map<string, { label: string; time: number; at: number }>>();
  /** input → the latest adjudication on it */
  const adjudications = new Map<string, Adjudication>();
  for (const [at, r] of log.entries()) {
    if (r.kind === 'reset') {
      standing.clear();
      adjudications.clear();
    }
    // A label renamed or removed since (renameLabel, removeLabel): what people gave under the old name counts under
    // the new one, or not at all once its examples were deleted, as the stored examples do.
    if (r.kind === 'relabel' && r.previousLabel !== undefined) {
      for (const [input, byAnnotator] of standing) {
        for (const [annotator, given] of byAnnotator) {
          if (given.label !== r.previousLabel) continue;
          if (r.label === undefined) byAnnotator.delete(annotator);
          else byAnnotator.set(annotator, { ...given, label: r.label });
        }
        if (byAnnotator.size === 0) standing.delete(input);
      }
      for (const [input, adjudication] of adjudications) {
        if (adjudication.label !== r.previousLabel) continue;
        if (r.label === undefined) adjudications.delete(input);
        else adjudications.set(input, { ...adjudication, label: r.label });
      }
      continue;
    }
    if (r.kind !== 'label' || r.label === undefined) continue;
    if (r.decisionId !== undefined && undone.has(r.decisionId)) continue;
    if (inputs && !inputs.has(r.exampleId)) continue;
    // An adjudication settles the others' disagreement; it is not one more annotator's label, so it never enters the
    // standing labels, the counts or κ (an adjudicator who agrees with one side would otherwise raise agreement).
    if (r.action === 'adjudicate') {
      adjudications.set(r.exampleId, { annotator: r.annotator ?? ANONYMOUS, label: r.label, time: r.time, decisionId: r.decisionId ?? '', at });
      continue;
    }
    const byAnnotator = standing.get(r.exampleId) ?? new Map<string, { label: string; time: number; at: number }>();
    byAnnotator.set(r.annotator ?? ANONYMOUS, { label: r.label, time: r.time, at });
    standing.set(r.exampleId, byAnnotator);
  }
  const names = [...labels];
  for (const byAnnotator of standing.values()) for (const { label } of byAnnotator.values()) if (!names.includes(label)) names.push(label);

  const decisions = new Map<string, number>();
  for (const byAnnotator of standing.values())
    for (const annotator of byAnnotator.keys()) decisions.set(annotator, (decisions.get(annotator) ?? 0) + 1);
  const annotators = [...decisions.keys()].sort();

  const pairs: AgreementReport['pairs'] = [];
  for (let a = 0; a < annotators.length; a++) {
    for (let b = a + 1; b < annotators.length; b++) {
      const shared: [string, string][] = [];
      for (const byAnnotator of standing.values()) {
        const first = byAnnotator.get(annotators[a]!);
        const second = byAnnotator.get(annotators[b]!);
        if (first && second) shared.push([first.label, second.label]);
      }
      pairs.push({ annotators: [annotators[a]!, annotators[b]!], shared: shared.length, ...cohen(shared, names) });
    }
  }

  const rated = [...standing.values()].filter((byAnnotator) => byAnnotator.size >= 2);
  const conflicts: AgreementReport['conflicts'] = [];
  const settled: AgreementReport['settled'] = [];
  for (const [inputHash, byAnnotator] of standing) {
    if (new Set([...byAnnotator.values()].map((v) => v.label)).size < 2) continue;
    const given = [...byAnnotator].sort(([, x], [, y]) => x.at - y.at);
    const conflict = { inputHash, labels: given.map(([annotator, { label, time }]) => ({ annotator, label, time })) };
    const adjudication = adjudications.get(inputHash);
    // Only a decision after every conflicting label settles it: a label given later reopens the question.
    if (adjudication && adjudication.at > given.at(-1)![1].at) {
      const { at: _at, ...decided } = adjudication;
      settled.push({ ...conflict, adjudication: decided });
    } else {
      conflicts.push(conflict);
    }
  }
  return {
    annotators: annotators.map((annotator) => ({ annotator, decisions: decisions.get(annotator)! })),
    pairs,
    fleiss: { kappa: fleiss(rated, names), items: rated.length },
    conflicts,
    settled,
  };
}

/** Cohen's κ and raw agreement over label pairs; null where it is undefined (no items, or chance agreement is 1). */
function cohen(shared: readonly [string, string][], names: readonly string[]): { agreement: number | null; kappa: number | null } {
  const n = shared.length;
  if (n === 0) return { agreement: null, kappa: null };
  const observed = shared.filter(([x, y]) => x === y).length / n;
  let expected = 0;
  for (const name of names) {
    const p1 = shared.filter(([x]) => x === name).length / n;
    const p2 = shared.filter(([, y]) => y === name).length / n;
    expected += p1 * p2;
  }
  return { agreement: observed, kappa: expected === 1 ? null : (observed - expected) / (1 - expected) };
}

/**
 * Fleiss' κ with a varying number of raters per item: the mean over items of the share of agreeing rater pairs,
 * against the chance that two ratings drawn from all ratings agree. Null with no item rated twice, or when every
 * rating is the same label (chance agreement 1).
 */
function fleiss(items: readonly Map<string, { label: string }>[], names: readonly string[]): number | null {
  if (items.length === 0) return null;
  const totals = new Map<string, number>(names.map((name) => [name, 0]));
  let ratings = 0;
  let agreement = 0;
  for (const item of items) {
    const counts = new Map<string, number>();
    for (const { label } of item.values()) counts.set(label, (counts.get(label) ?? 0) + 1);
    const raters = item.size;
    let agreeingPairs = 0;
    for (const [label, count] of counts) {
      agreeingPairs += count * (count - 1);
      totals.set(label, (totals.get(label) ?? 0) + count);
    }
    agreement += agreeingPairs / (raters * (raters - 1));
    ratings += raters;
  }
  const observed = agreement / items.length;
  let expected = 0;
  for (const total of totals.values()) expected += (total / ratings) ** 2;
  return expected === 1 ? null : (observed - expected) / (1 - expected);
}
