import type { Explanation, ExplanationSpan, FeatureContribution, HeatMap, NearestExample, WireInput } from '../../src/protocol.js';
import { groupRuns, occludedPictures, scoreOf, TEXT_UNITS } from '../audit/occlusion.js';
import { linearTextSpans, textWords } from '../audit/text-spans.js';
import { headRow, isSparse, type Vector } from '../featurizers/vector.js';
import type { HeadParams } from '../learning/head.js';
import type { SquarePixels, StoredInput } from '../storage/index.js';
import type { ModelSession } from './model-session.js';

/** The parts of an explanation that depend on the input kind and the method. */
type Parts = Pick<Explanation, 'method' | 'score' | 'baseline' | 'spans' | 'features' | 'heatmap'>;

/**
 * Why the model gives an input a label: the served head's exact linear terms where the head is linear in parts a
 * person can see (hashed n-grams of the text, the columns of a row), occlusion through the whole served prediction
 * elsewhere, and always the labelled examples nearest to the input. Reads the session's state; changes nothing.
 */
export class Explanations {
  constructor(private readonly session: ModelSession) {}

  async explain(input: WireInput, label: string | null, k: number): Promise<Explanation> {
    const session = this.session;
    if (label !== null) session.checkLabel(label);
    const [canonical] = await session.canonicalAll([input]);
    const [vector] = await session.vectorize([canonical!]);
    const { probs, hasModel } = await session.serving.probabilities([vector!]);
    if (!hasModel) throw new RangeError('Nothing to explain yet: the model has no labelled example. Label a few inputs first.');
    const labels = session.labels;
    const served = probs[0]!;
    let best = 0;
    for (let c = 1; c < served.length; c++) if (served[c]! > served[best]!) best = c;
    const target = label === null ? best : labels.indexOf(label);
    const sum = served.reduce((a, b) => a + b, 0);
    const { nearest, top, topSeq } = this.nearest(vector!, k);
    const parts = await this.parts(canonical!, vector!, served, target);
    return {
      label: labels[target]!,
      predicted: labels[best]!,
      probability: served[target]! / sum,
      ...parts,
      nearest,
      nearDuplicate: top > session.serving.nearDuplicateBar(topSeq),
      modelVersion: session.serving.modelVersion,
    };
  }

  private async parts(canonical: StoredInput, vector: Vector, served: Float64Array, target: number): Promise<Parts> {
    const { spec, serving } = this.session;
    const head = serving.snapshot();
    if (spec.input === 'text') {
      // Linear only over the featurizer's own n-grams: with an encoder, part of the vector is not a sum over words.
      const { headShare: share, headExtra: extra, headCountScale: countScale } = serving;
      if (head && spec.textEncoder === undefined && extra !== 'encoder' && head.standardization === null && isSparse(vector)) {
        const { params } = head;
        const spans = linearTextSpans(canonical as string, (bucket) => weightFor(params, bucket, target), share, extra, countScale);
        const row = headRow(vector, share, extra, countScale) as typeof vector;
        let score = biasFor(params, target);
        const baseline = score;
        for (let j = 0; j < row.indices.length; j++) score += weightFor(params, row.indices[j]!, target) * row.values[j]!;
        return { method: 'linear', score, baseline, spans };
      }
      return {
        method: 'occlusion',
        score: scoreOf(served, target),
        baseline: null,
        spans: await this.occludeText(canonical as string, served, target),
      };
    }
    if (spec.input === 'features') {
      const row = canonical as Float32Array;
      if (head) {
        const { params, standardization } = head;
        let score = biasFor(params, target);
        const baseline = score;
        const features = Array.from(row, (value, index): FeatureContribution => {
          const x = standardization ? (value - standardization.mean[index]!) / standardization.std[index]! : value;
          const contribution = weightFor(params, index, target) * x;
          score += contribution;
          return { index, value, contribution };
        });
        return { method: 'linear', score, baseline, features };
      }
      return { method: 'occlusion', score: scoreOf(served, target), baseline: null, features: await this.occludeColumns(row, served, target) };
    }
    return {
      method: 'occlusion',
      score: scoreOf(served, target),
      baseline: null,
      heatmap: await this.occludePicture(canonical as SquarePixels, served, target),
    };
  }

  /** How much the score drops for each variant of the input: the whole served prediction, memory included. */
  private async drops(variants: readonly StoredInput[], served: Float64Array, target: number): Promise<number[]> {
    const full = scoreOf(served, target);
    const vectors = await this.session.vectorize(variants);
    const { probs } = await this.session.serving.probabilities(vectors);
    return probs.map((row) => full - scoreOf(row, target));
  }

  /** Each word (or run of neighbouring words, past TEXT_UNITS) removed in turn. */
  private async occludeText(text: string, served: Float64Array, target: number): Promise<ExplanationSpan[]> {
    const { spans } = textWords(text);
    const units = groupRuns(spans.length, TEXT_UNITS).map(([first, last]) => ({ start: spans[first]!.start, end: spans[last]!.end }));
    // A space in place of the words keeps their neighbours apart.
    const drops = await this.drops(
      units.map(({ start, end }) => `${text.slice(0, start)} ${text.slice(end)}`),
      served,
      target,
    );
    return units.map(({ start, end }, u) => ({ start, end, text: text.slice(start, end), contribution: drops[u]! }));
  }

  /** Each column in turn set to its mean over the labelled rows: what "not knowing it" looks like for a number. */
  private async occludeColumns(row: Float32Array, served: Float64Array, target: number): Promise<FeatureContribution[]> {
    const mean = this.session.examples.columnStats()?.mean ?? new Float32Array(row.length);
    const variants = Array.from(row, (_, index) => {
      const copy = Float32Array.from(row);
      copy[index] = mean[index]!;
      return copy;
    });
    const drops = await this.drops(variants, served, target);
    return Array.from(row, (value, index) => ({ index, value, contribution: drops[index]! }));
  }

  private async occludePicture(picture: SquarePixels, served: Float64Array, target: number): Promise<HeatMap> {
    const { side, pictures } = occludedPictures(picture);
    return { width: side, height: side, values: await this.drops(pictures, served, target) };
  }

  /**
   * The `k` most similar labelled examples (a full scan: an explanation is asked for one input at a time), the top
   * similarity and the sequence number of its example (the newest of tied ones, as ExampleMemory.nearest).
   */
  private nearest(vector: Vector, k: number): { nearest: NearestExample[]; top: number; topSeq: number } {
    const { examples, labels } = this.session;
    const found: { id: string; target: number; similarity: number }[] = [];
    let top = -Infinity;
    let topSeq = -Infinity;
    examples.similarity.around(vector, (similarityTo) => {
      for (const { id, target, vector: other, seq } of examples.memory.examples()) {
        const similarity = similarityTo(other);
        if (similarity > top || (similarity === top && seq > topSeq)) {
          top = similarity;
          topSeq = seq;
        }
        if (found.length === k && (k === 0 || similarity <= found[k - 1]!.similarity)) continue;
        let at = found.length;
        while (at > 0 && found[at - 1]!.similarity < similarity) at -= 1;
        found.splice(at, 0, { id, target, similarity });
        if (found.length > k) found.pop();
      }
    });
    const nearest = found.map(({ id, target, similarity }): NearestExample => {
      const stored = examples.label(id);
      return {
        id,
        label: stored?.label ?? labels[target]!,
        similarity,
        ...(stored?.annotator !== undefined ? { annotator: stored.annotator } : {}),
        time: stored?.time ?? 0,
      };
    });
    return { nearest, top, topSeq };
  }
}

/** The weight of input `a` for the target's score: its column minus the mean of the other labels' columns. */
function weightFor({ weights, labels }: HeadParams, a: number, target: number): number {
  const classes = labels.length;
  const base = a * classes;
  let others = 0;
  for (let c = 0; c < classes; c++) if (c !== target) others += weights[base + c]!;
  return weights[base + target]! - others / Math.max(1, classes - 1);
}

function biasFor({ bias, labels }: HeadParams, target: number): number {
  let others = 0;
  for (let c = 0; c < labels.length; c++) if (c !== target) others += bias[c]!;
  return bias[target]! - others / Math.max(1, labels.length - 1);
}
