import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import type { BackendRequest, StorageKind } from '../../protocol.js';
import type { HitlKeys } from '../shared/decision-keys.js';
import { autoTrainConverter, flagConverter, labelsConverter } from '../shared/model-connection.js';
import { DEFAULT_THRESHOLD, type HitlClassifierMode } from './classifier-state.js';
import type { HitlClassifierStrings } from './hitl-classifier.strings.js';

/**
 * The attributes and properties a page sets on `<hitl-classifier>`, declared apart from what the element does with
 * them, so the element's file holds its behaviour only. Not an element of its own: `HitlClassifier` extends it.
 */
export class HitlClassifierAttributes extends LitElement {
  /** Name of the shared model; every element (and `createClassifier` handle) with this name uses the same one. */
  @property() model = '';

  /** The labels a person can choose, at least two; the attribute is comma-separated. */
  @property({ converter: labelsConverter }) labels: string[] = [];

  /** In (0, 1]; a prediction below this confidence is marked "needs review". */
  @property({ type: Number }) threshold = DEFAULT_THRESHOLD;

  /**
   * Auto-accept at a stated error rate instead of `threshold` (createClassifier's `autoAccept`, read when the element
   * opens its model): at most this share of what the model lets through is wrong, with probability `confidence`.
   */
  @property({ attribute: 'max-error', type: Number }) maxError: number | undefined;

  /** With `max-error`: the probability that the stated error rate holds; default 0.9. */
  @property({ type: Number }) confidence: number | undefined;

  /** Which TensorFlow.js backend the model runs on; the first element to open a model decides. */
  @property() backend: BackendRequest = 'auto';

  /**
   * The model.json URL of a text encoder the site hosts (e.g. `/models/use/model.json`, copied there by
   * `npx hitl-classifier copy-encoder`): its embeddings join the text features. Text models only.
   */
  @property({ attribute: 'text-encoder' }) textEncoder: string | undefined;

  /**
   * Image models: the folder (or model.json URL) of a Teachable Machine image export the site hosts; its labels are
   * the model's (`labels` may be left out) and its own head answers until corrections train ours from it.
   */
  @property({ attribute: 'teachable-machine' }) teachableMachine: string | undefined;

  /**
   * `features` classifies a row of numbers: `features`, or the numbers of the form `for` names (its `columns`). Left
   * out, the element classifies text, or an image when its content or `for` target is one.
   */
  @property() input: 'features' | undefined;

  /** With `input="features"`: the row of numbers to classify. */
  @property({ attribute: false }) features: number[] | null = null;

  /** With `input="features"` and a `for` form: the names of the fields that are the columns, in order (comma-separated); default every number and range field. */
  @property({ converter: labelsConverter }) columns: string[] = [];

  /** Image models: the model.json URL of a feature extractor the site hosts (createClassifier's `featureExtractor`). */
  @property({ attribute: 'feature-extractor' }) featureExtractor: string | undefined;

  /** Background retraining after new labels: `false` off, a number a delay in ms; default on. Model-wide. */
  @property({ attribute: 'auto-train', converter: autoTrainConverter }) autoTrain: boolean | number | undefined;

  /** `false`: store no raw input, only features and hashes. Model-wide. */
  @property({ attribute: 'keep-inputs', converter: flagConverter }) keepInputs: boolean | undefined;

  /** Delete labels, log entries and queue items after this many days. Model-wide. */
  @property({ attribute: 'retention-days', type: Number }) retentionDays: number | undefined;
  /** Trained versions kept for rollback (default 5); the model keeps the most any open tag or handle asks for. */
  @property({ attribute: 'keep-versions', type: Number }) keepVersions: number | undefined;

  /** `indexeddb` keeps the model and labels across reloads; `memory` forgets them with the last user. */
  @property() storage: StorageKind = 'indexeddb';

  /** Who labels, recorded with every label this element stores. */
  @property() annotator: string | undefined;

  /** `suggest` shows every prediction; `review` shows controls only when review is needed; `silent` shows nothing. */
  @property() mode: HitlClassifierMode = 'suggest';

  /** The id of another element to classify instead of the content: a textarea or input (as typed), an img or canvas. */
  @property({ attribute: 'for' }) htmlFor = '';

  /**
   * Offers a "Why?" button once a prediction is shown: it opens the words (or patches of the picture) that weigh
   * for and against the label, and the most similar labelled examples. Closed until a person opens it.
   */
  @property({ type: Boolean }) explain = false;

  /** The form field name: with it, `value` is submitted with the form the element sits in. */
  @property({ reflect: true }) name: string | undefined;

  /**
   * Replaces any of the texts the element shows or announces (`HitlClassifierStrings`); the rest keep their
   * defaults (`HITL_CLASSIFIER_STRINGS`).
   */
  @property({ attribute: false }) strings: Partial<HitlClassifierStrings> = {};

  /**
   * Replaces any of the decision keys (`HitlKeys`: lists of `KeyboardEvent.key` names, e.g. `{ accept: ['Enter', 'y'] }`);
   * the rest keep their defaults. The buttons' `aria-keyshortcuts` follow.
   */
  @property({ attribute: false }) keys: Partial<HitlKeys> = {};
}
