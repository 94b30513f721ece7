import type { AutoAcceptReport, AutoAcceptSettings, RawPrediction, RiskCoveragePoint } from '../../src/protocol.js';
import { inputId } from '../audit/input-id.js';
import { conformalQuantile, predictionSet } from '../auto-accept/prediction-set.js';
import { chooseThreshold, chooseThresholdPerClass, type Check, type ThresholdChoice } from '../auto-accept/threshold.js';
import type { LogRecord, StoredInput } from '../storage/index.js';
import type { ModelSession } from './model-session.js';

/** How a spot check's prediction is marked in the audit log (`detail`): the log keeps the evidence, no schema change. */
export const SPOT_CHECK_DETAIL = 'spot check';

/** Spot-check predictions remembered until a person answers them (the log has them after a reload). */
const SPOT_CHECKS_KEPT = 10_000;
/** Predictions whose confidence and verdict `coverage` and `needed` look at. */
const RECENT = 1_000;
/** Log entries read on first use to find the spot checks already answered for the model serving now. */
const LOG_READ = 50_000;

interface SpotCheck {
  modelVersion: number;
  label: string;
  confidence: number;
  /** Kept while in memory: the probability of whatever label the person picks, for prediction sets. */
  scores?: Record<string, number>;
}

interface Evidence extends Check {
  predictionId: string;
  decisionId: string | undefined;
  modelVersion: number;
  time: number;
  trueLabelProbability: number | null;
}

/**
 * Auto-accept with a stated error rate (docs/review.md). Spot checks — a random share of predictions, every one
 * until there is enough evidence — go to a person; their answers, for the model version serving now and since drift
 * last began, are the only evidence. A learned head's version that trained on the answers cannot be tested on them,
 * so evidence never carries over to a new version: each version earns its own. A rollback (model versions) serves a
 * kept version again under its own number with its weights unchanged, so the evidence gathered on it counts again,
 * and no other version's does. Chosen items (the review queue's,
 * active learning's) never count: they are the hard ones, and would bias the estimate.
 */
export class AutoAccept {
  private readonly spotChecks = new Map<string, SpotCheck>();
  private evidence: Evidence[] = [];
  private loading: Promise<void> | null = null;
  /** Evidence from before this time does not count: drift began then. */
  private freshAfter = 0;
  private drifted = false;
  /** Confidence and predicted label of recent predictions of the serving version, and each setting's verdicts. */
  private recent: { label: string; confidence: number; modelVersion: number }[] = [];
  private readonly verdicts = new Map<string, boolean[]>();
  private cache: { key: string; choice: Choice } | null = null;
  /** Salts the spot-check draw, so a page cannot aim it by choosing its inputs. */
  private readonly salt = crypto.getRandomValues(new Uint32Array(1))[0]!;

  constructor(private readonly session: ModelSession) {}

  /**
   * Decides, for each prediction, whether it is let through, drawn as a spot check, or sent to review; and adds its
   * prediction set. The draw is fixed per input and model version, so predicting an input again gives it the same.
   */
  async judge(predictions: RawPrediction[], inputs: readonly StoredInput[], settings: AutoAcceptSettings): Promise<void> {
    await this.load();
    const version = this.session.serving.modelVersion;
    const live = this.current(version);
    const choice = this.choice(settings, version, live);
    const quantile = conformalQuantile(live, settings.maxError);
    const verdicts = this.verdictsFor(settings);
    // Hashed together, not one await per prediction: a batch of thousands waits for one round of digests.
    const ids = settings.spotCheckRate < 1 ? await Promise.all(inputs.map((input) => inputId(this.session.spec.input, input))) : [];
    for (let i = 0; i < predictions.length; i++) {
      const prediction = predictions[i]!;
      if (prediction.label === null || prediction.modelVersion === 0) {
        // Nothing to test before a trained head: the memory alone changes with every label.
        prediction.review = true;
        continue;
      }
      this.noteRecent(prediction);
      const threshold = this.thresholdFor(choice, prediction.label);
      const rate = threshold === null ? 1 : settings.spotCheckRate;
      const draw = rate >= 1 ? 0 : uniform(`${ids[i]!}:${prediction.modelVersion}:${this.salt}`);
      if (draw < rate) {
        prediction.spotCheck = true;
        prediction.review = true;
        this.rememberSpotCheck(prediction);
      } else {
        prediction.review = threshold === null || prediction.confidence < threshold;
      }
      prediction.set = predictionSet(prediction.scores, quantile);
      verdicts.push(!prediction.review);
      if (verdicts.length > RECENT) verdicts.shift();
    }
  }

  /** A person's label on a prediction: evidence when it answers a spot check. */
  decided(predictionId: string | undefined, label: string, decisionId: string, time: number): void {
    if (predictionId === undefined) return;
    const spot = this.spotChecks.get(predictionId);
    if (!spot) return;
    this.spotChecks.delete(predictionId);
    this.addEvidence(predictionId, decisionId, spot, label, time);
  }

  /** An undone decision is no evidence any more. */
  undone(decisionId: string): void {
    this.evidence = this.evidence.filter((e) => e.decisionId !== decisionId);
    this.cache = null;
  }

  /** Drift began: evidence gathered before it says nothing about what arrives now, so auto-accept waits for fresh checks. */
  driftChanged(drifted: boolean): void {
    if (drifted && !this.drifted) {
      this.freshAfter = Date.now();
      this.cache = null;
    }
    this.drifted = drifted;
  }

  /** A reset: the evidence belonged to a model that is gone. */
  forget(): void {
    this.spotChecks.clear();
    this.evidence = [];
    this.recent = [];
    this.verdicts.clear();
    this.cache = null;
    this.freshAfter = 0;
    this.drifted = false;
  }

  async report(settings: AutoAcceptSettings): Promise<AutoAcceptReport> {
    await this.load();
    const version = this.session.serving.modelVersion;
    const live = this.current(version);
    // Not the cached choice: `needed` follows the recent predictions, which change without new evidence.
    this.cache = null;
    const choice = this.choice(settings, version, live);
    const verdicts = this.verdicts.get(settingsKey(settings)) ?? [];
    const coverage = verdicts.length === 0 ? 0 : verdicts.filter(Boolean).length / verdicts.length;
    const common = {
      maxError: settings.maxError,
      confidence: settings.confidence,
      coverage,
      evidence: live.length,
      suspended: this.drifted || (this.freshAfter > 0 && live.length === 0),
    };
    if ('pooled' in choice) {
      const { threshold, errorUpperBound, needed } = choice.pooled;
      return { ...common, threshold, errorUpperBound, needed };
    }
    const perClass: NonNullable<AutoAcceptReport['perClass']> = {};
    for (const [label, c] of Object.entries(choice.perClass)) {
      perClass[label] = { threshold: c.threshold, errorUpperBound: c.errorUpperBound, evidence: c.evidence, needed: c.needed };
    }
    const all = Object.values(choice.perClass);
    const complete = all.every((c) => c.threshold !== null);
    return {
      ...common,
      threshold: complete ? Math.max(...all.map((c) => c.threshold!)) : null,
      errorUpperBound: complete ? Math.max(...all.map((c) => c.errorUpperBound!)) : null,
      needed: all.reduce((sum, c) => sum + c.needed, 0),
      perClass,
    };
  }

  /** The curve over the tested thresholds, pooled over labels (per-label curves are in the per-class thresholds). */
  async curve(settings: AutoAcceptSettings): Promise<RiskCoveragePoint[]> {
    await this.load();
    const version = this.session.serving.modelVersion;
    const live = this.current(version);
    const choice = chooseThreshold(live, settings.maxError, settings.confidence);
    const recent = this.recent.filter((r) => r.modelVersion === version);
    return choice.points.map((point) => ({
      threshold: point.threshold,
      coverage: recent.length === 0 ? 0 : recent.filter((r) => r.confidence >= point.threshold).length / recent.length,
      checked: point.checked,
      estimatedError: point.estimatedError,
      upperBound: point.upperBound,
      passed: point.passed,
    }));
  }

  private thresholdFor(choice: Choice, label: string): number | null {
    return 'pooled' in choice ? choice.pooled.threshold : (choice.perClass[label]?.threshold ?? null);
  }

  private choice(settings: AutoAcceptSettings, version: number, live: Evidence[]): Choice {
    const key = `${settingsKey(settings)}|${version}|${live.length}|${this.freshAfter}|${this.evidence.length}`;
    if (this.cache?.key === key) return this.cache.choice;
    const recent = this.recent.filter((r) => r.modelVersion === version);
    const share = (label: string | null, t: number) => {
      const pool = label === null ? recent : recent.filter((r) => r.label === label);
      return pool.length === 0 ? 0 : pool.filter((r) => r.confidence >= t).length / pool.length;
    };
    const choice: Choice = settings.perClass
      ? { perClass: chooseThresholdPerClass(live, this.session.labels, settings.maxError, settings.confidence, (label, t) => share(label, t)) }
      : { pooled: chooseThreshold(live, settings.maxError, settings.confidence, (t) => share(null, t)) };
    this.cache = { key, choice };
    return choice;
  }

  /** Evidence for the serving version, gathered since drift last began. */
  private current(version: number): Evidence[] {
    return this.evidence.filter((e) => e.modelVersion === version && e.time >= this.freshAfter);
  }

  private verdictsFor(settings: AutoAcceptSettings): boolean[] {
    const key = settingsKey(settings);
    let verdicts = this.verdicts.get(key);
    if (!verdicts) this.verdicts.set(key, (verdicts = []));
    return verdicts;
  }

  private noteRecent(prediction: RawPrediction): void {
    this.recent.push({ label: prediction.label!, confidence: prediction.confidence, modelVersion: prediction.modelVersion });
    if (this.recent.length > RECENT) this.recent.shift();
  }

  private rememberSpotCheck(prediction: RawPrediction): void {
    this.spotChecks.set(prediction.id, {
      modelVersion: prediction.modelVersion,
      label: prediction.label!,
      confidence: prediction.confidence,
      scores: prediction.scores,
    });
    if (this.spotChecks.size > SPOT_CHECKS_KEPT) this.spotChecks.delete(this.spotChecks.keys().next().value!);
  }

  private addEvidence(predictionId: string, decisionId: string | undefined, spot: SpotCheck, label: string, time: number): void {
    const correct = label === spot.label;
    const trueLabelProbability = spot.scores ? (spot.scores[label] ?? 0) : correct ? spot.confidence : null;
    this.evidence.push({
      predictionId,
      decisionId,
      modelVersion: spot.modelVersion,
      time,
      label: spot.label,
      confidence: spot.confidence,
      correct,
      trueLabelProbability,
    });
    // Only the serving version's evidence is ever used: older versions' can go.
    const version = this.session.serving.modelVersion;
    if (this.evidence.length > 4 * SPOT_CHECKS_KEPT) this.evidence = this.evidence.filter((e) => e.modelVersion === version);
    this.cache = null;
  }

  /** Once per session: spot checks and their answers from the stored log (after a reload the memory of them is gone). */
  private load(): Promise<void> {
    this.loading ??= this.session.recorder
      .flush()
      .then(() => this.session.store.readLog({ limit: LOG_READ }))
      .then((records) => this.readLog(records));
    return this.loading;
  }

  private readLog(records: readonly LogRecord[]): void {
    const spots = new Map<string, SpotCheck>();
    const undone = new Set(records.filter((r) => r.kind === 'undo' && r.decisionId !== undefined).map((r) => r.decisionId!));
    const answered = new Set(this.evidence.map((e) => e.predictionId));
    for (const record of records) {
      if (record.kind === 'prediction' && record.detail === SPOT_CHECK_DETAIL && record.predictionId && record.predicted?.label) {
        const { label, confidence, modelVersion } = record.predicted;
        spots.set(record.predictionId, { label, confidence, modelVersion });
      } else if (record.kind === 'label' && record.predictionId !== undefined && record.label !== undefined) {
        if (answered.has(record.predictionId) || (record.decisionId !== undefined && undone.has(record.decisionId))) continue;
        const spot = spots.get(record.predictionId);
        if (!spot) continue;
        spots.delete(record.predictionId);
        this.addEvidence(record.predictionId, record.decisionId, spot, record.label, record.time);
      }
    }
    // Shown but not yet answered: an answer after the reload still counts.
    for (const [id, spot] of spots) if (!this.spotChecks.has(id)) this.spotChecks.set(id, spot);
  }
}

/** The pooled choice, or one per predicted label (Mondrian). */
type Choice = { pooled: ThresholdChoice } | { perClass: Record<string, ThresholdChoice> };

function settingsKey(settings: AutoAcceptSettings): string {
  return `${settings.maxError}:${settings.confidence}:${settings.perClass}:${settings.spotCheckRate}`;
}

/** A uniform number in [0, 1) from a string: FNV-1a, then a 32-bit finaliser so nearby strings spread out. */
export function uniform(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
