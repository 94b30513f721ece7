import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import type { BackendRequest, InputKind, StorageKind } from '../../protocol.js';
import { autoTrainConverter, flagConverter, labelsConverter } from './model-connection.js';

/**
 * The model options `<hitl-review-queue>` and `<hitl-model-panel>` take, declared once: with `labels`, either element
 * opens its model itself, with the options of `<hitl-classifier>`. Not an element of its own: both extend it.
 */
export class ModelOptionsElement extends LitElement {
  /** The model's labels (comma-separated): needed only to open the model when no other element on the page has. */
  @property({ converter: labelsConverter }) labels: string[] = [];

  /** The model's input kind (`text`, `image`, `features`), used with `labels` to open it. */
  @property() input: InputKind | undefined;

  /** `indexeddb` (default) or `memory`, as the model was opened with. */
  @property() storage: StorageKind = 'indexeddb';

  /** Backend, if this element is the first to open the model. */
  @property() backend: BackendRequest = 'auto';

  /** The model.json URL of a text encoder the site hosts. */
  @property({ attribute: 'text-encoder' }) textEncoder: string | undefined;
  /** Image models: the folder (or model.json URL) of a Teachable Machine export the site hosts. */
  @property({ attribute: 'teachable-machine' }) teachableMachine: string | undefined;
  /** Image models: the model.json URL of a feature extractor the site hosts. */
  @property({ attribute: 'feature-extractor' }) featureExtractor: string | undefined;
  /** Background retraining after new labels: `false` off, a number a delay in ms. Model-wide. */
  @property({ attribute: 'auto-train', converter: autoTrainConverter }) autoTrain: boolean | number | undefined;
  /** `false`: store no raw input. Model-wide. */
  @property({ attribute: 'keep-inputs', converter: flagConverter }) keepInputs: boolean | undefined;
  /** Delete labels, log entries and queue items after this many days. Model-wide. */
  @property({ attribute: 'retention-days', type: Number }) retentionDays: number | undefined;
  /** Trained versions kept for rollback (default 5); the model keeps the most any open tag or handle asks for. */
  @property({ attribute: 'keep-versions', type: Number }) keepVersions: number | undefined;
}
