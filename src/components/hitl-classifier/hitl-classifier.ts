import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { ClassifierChangeEvent, type Classifier, type ClassifierOptions } from '../../classifier.js';
import { HitlLabelEvent, HitlPredictionEvent } from '../../events.js';
import {
  BACKEND_REQUESTS,
  STORAGE_KINDS,
  type BackendRequest,
  type Prediction,
  type StorageKind,
  type StoredLabel,
} from '../../protocol.js';
import { acquireClassifier, releaseClassifier } from '../../registry.js';
import { styles } from './hitl-classifier.styles.js';

/** Typing in an editable element fires a mutation per keystroke: predict once the text has settled. */
const CONTENT_DEBOUNCE_MS = 150;
const DEFAULT_THRESHOLD = 0.8;

type View = 'error' | 'loading' | 'empty' | 'unlabelled' | 'needs-review' | 'confident' | 'labelled';

interface HumanLabel {
  label: string;
  annotator: string | undefined;
  /** The text it was given for: a label never carries over to edited content. */
  text: string;
}

const labelsConverter = {
  fromAttribute: (value: string | null): string[] => splitLabels(value ?? ''),
  toAttribute: (value: readonly string[]): string => value.join(','),
};

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/**
 * @summary Classifies its own text with an on-device model shared by every element naming the same `model`,
 * and lets a person correct it with one click; corrections teach the model.
 *
 * @slot - The content to classify; its text (trimmed) is what the model sees.
 *
 * @fires hitl-prediction - A new prediction is shown (`HitlPredictionEvent`, with `prediction`).
 * @fires hitl-label - A person's label is durably stored (`HitlLabelEvent`, with `label`, `prediction`, `annotator`).
 *
 * @csspart base - The outer box.
 * @csspart content - The wrapper around the slotted content.
 * @csspart prediction - The live region showing the prediction, state or error.
 * @csspart label - The predicted or human label.
 * @csspart confidence - The confidence, as a percentage.
 * @csspart actions - The group of label buttons.
 * @csspart button - Each label button.
 *
 * @cssprop --hitl-font-family - Font of the whole element.
 * @cssprop --hitl-font-size - Base font size.
 * @cssprop --hitl-radius - Corner radius of the box and buttons.
 * @cssprop --hitl-spacing - Padding of the box.
 * @cssprop --hitl-accent-color - The pressed button, the human-label badge and the suggested button's border.
 * @cssprop --hitl-accent-contrast-color - Text on the accent color.
 * @cssprop --hitl-background - Background of the box.
 * @cssprop --hitl-text-color - Main text color.
 * @cssprop --hitl-muted-color - Secondary text (messages, confidence).
 * @cssprop --hitl-border-color - Border of the box and buttons.
 * @cssprop --hitl-review-color - The "needs review" marker and border.
 * @cssprop --hitl-review-background - Background of the "needs review" marker.
 * @cssprop --hitl-error-color - Error messages and the error border.
 * @cssprop --hitl-focus-ring-color - Keyboard focus outline; defaults to the accent color.
 */
@customElement('hitl-classifier')
export class HitlClassifier extends LitElement {
  static override styles = styles;

  /** Name of the shared model; every element (and `createClassifier` handle) with this name uses the same one. */
  @property() model = '';

  /** The labels a person can choose, at least two; the attribute is comma-separated. */
  @property({ converter: labelsConverter }) labels: string[] = [];

  /** In (0, 1]; a prediction below this confidence is marked "needs review". */
  @property({ type: Number }) threshold = DEFAULT_THRESHOLD;

  /** Which TensorFlow.js backend the model runs on; the first element to open a model decides. */
  @property() backend: BackendRequest = 'auto';

  /** `indexeddb` keeps the model and labels across reloads; `memory` forgets them with the last user. */
  @property() storage: StorageKind = 'indexeddb';

  /** Who labels, recorded with every label this element stores. */
  @property() annotator: string | undefined;

  @state() private _classifier: Classifier | null = null;
  @state() private _prediction: Prediction | null = null;
  @state() private _human: HumanLabel | null = null;
  @state() private _labels: string[] = [];
  /** Bad attributes or a model that failed to open: nothing works until the attributes change. */
  @state() private _fatalError: string | null = null;
  /** A failed predict or label: the element keeps working and the next success clears it. */
  @state() private _error: string | null = null;
  @state() private _labelling: string | null = null;

  readonly #observer = new MutationObserver(() => this.#scheduleContentCheck());
  #contentTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every (dis)connection so answers meant for an earlier handle are dropped. */
  #connection = 0;
  /** The configuration of the held (or pending) handle; null while disconnected. */
  #connectedKey: string | null = null;
  /** The configuration the shown prediction and human label belong to; survives a move in the DOM. */
  #shownKey: string | null = null;
  #predictedText: string | null = null;
  #predicting = false;
  #predictAgain = false;

  /** The latest prediction shown, or null before the first one. */
  get prediction(): Prediction | null {
    return this._prediction;
  }

  /** The human label if a person gave one for this text, else the predicted label (null without a model). */
  get value(): string | null {
    return this.#currentHuman()?.label ?? this._prediction?.label ?? null;
  }

  /** The shared classifier handle, or null while connecting, disconnected or in error. */
  get classifier(): Classifier | null {
    return this._classifier;
  }

  /** The text this element classifies: its light DOM text, trimmed. */
  get text(): string {
    return (this.textContent ?? '').trim();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#observer.observe(this, { characterData: true, childList: true, subtree: true });
    this.#sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer.disconnect();
    clearTimeout(this.#contentTimer);
    this.#contentTimer = undefined;
    this.#dropClassifier();
    this.#connectedKey = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model') || changed.has('labels') || changed.has('threshold') || changed.has('backend') || changed.has('storage')) {
      this.#sync();
    }
    if (changed.has('threshold') && this._prediction) {
      this._prediction = this.#withThreshold(this._prediction);
    }
  }

  override render(): TemplateResult {
    const view = this.#view();
    return html`
      <div part="base" class=${classMap({ base: true, [view]: true })}>
        <div part="content" class="content"><slot></slot></div>
        <div part="prediction" class="prediction" aria-live="polite">${this.#renderPrediction(view)}</div>
        ${this._error && view !== 'error' ? html`<p class="message error" role="alert">${this._error}</p>` : null}
        ${this._fatalError ? null : this.#renderActions()}
      </div>
    `;
  }

  #renderPrediction(view: View): TemplateResult {
    const prediction = this._prediction;
    const human = this.#currentHuman();
    switch (view) {
      case 'error':
        return html`<span class="message error">${this._fatalError ?? this._error}</span>`;
      case 'loading':
        return html`<span class="message">Loading the model…</span>`;
      case 'empty':
        return html`<span class="message">No text to classify</span>`;
      case 'unlabelled':
        return html`<span class="message">No prediction yet — pick a label</span>`;
      case 'labelled':
        return html`<span part="label" class="label">${human?.label}</span>
          <span class="badge human">${human?.annotator ? `Labelled by ${human.annotator}` : 'Labelled by you'}</span>`;
      case 'needs-review':
      case 'confident':
        return html`<span>Predicted:</span>
          <span part="label" class="label">${prediction?.label}</span>
          <span part="confidence" class="confidence">${percent.format(prediction?.confidence ?? 0)}</span>
          ${view === 'needs-review' ? html`<span class="badge review">Needs review</span>` : null}`;
    }
  }

  #renderActions(): TemplateResult {
    const human = this.#currentHuman();
    const unavailable = this._classifier === null || this._labelling !== null || this.text === '';
    // aria-disabled, not disabled: a disabled button drops keyboard focus while the label is being saved.
    return html`
      <div part="actions" class="actions" role="group" aria-label="Choose the correct label">
        ${this._labels.map(
          (label) => html`<button
            part="button"
            type="button"
            class=${classMap({ suggested: human === null && label === this._prediction?.label })}
            aria-pressed=${label === human?.label ? 'true' : 'false'}
            aria-disabled=${unavailable ? 'true' : 'false'}
            @click=${() => void this.#choose(label)}
          >${label}</button>`,
        )}
      </div>
    `;
  }

  #view(): View {
    if (this._fatalError) return 'error';
    if (this.#currentHuman()) return 'labelled';
    if (this.text === '') return 'empty';
    const prediction = this._prediction;
    if (prediction === null) return this._error ? 'error' : 'loading';
    if (prediction.label === null) return 'unlabelled';
    return prediction.needsReview ? 'needs-review' : 'confident';
  }

  #currentHuman(): HumanLabel | null {
    return this._human && this._human.text === this.text ? this._human : null;
  }

  /** Brings the held handle in line with the attributes: a no-op unless the model configuration changed. */
  #sync(): void {
    if (!this.isConnected) return;
    const config = this.#readConfig();
    const key = 'error' in config ? `error:${config.error}` : configKey(config.options);
    if (key === this.#connectedKey) return;
    this.#dropClassifier();
    this.#connectedKey = key;
    if (key !== this.#shownKey) {
      this.#shownKey = key;
      this._prediction = null;
      this._human = null;
      this.#predictedText = null;
      this._error = null;
    }
    if ('error' in config) {
      this._fatalError = config.error;
      this._labels = [];
      return;
    }
    this._fatalError = null;
    this._labels = [...config.options.labels];
    const connection = this.#connection;
    acquireClassifier(config.options).then(
      (classifier) => {
        if (connection !== this.#connection) {
          releaseClassifier(classifier);
          return;
        }
        this._classifier = classifier;
        classifier.addEventListener('change', this.#onChange);
        this.#requestPrediction();
      },
      (error: unknown) => {
        if (connection === this.#connection) this._fatalError = `Could not open the model "${config.options.name}": ${messageOf(error)}`;
      },
    );
  }

  #dropClassifier(): void {
    this.#connection += 1;
    this._labelling = null;
    const classifier = this._classifier;
    if (!classifier) return;
    this._classifier = null;
    classifier.removeEventListener('change', this.#onChange);
    releaseClassifier(classifier);
  }

  #readConfig(): { options: ClassifierOptions & { threshold: number } } | { error: string } {
    const name = typeof this.model === 'string' ? this.model.trim() : '';
    if (name === '') return { error: 'Set the model attribute to the name of the shared model, for example model="tickets".' };
    const raw: unknown = this.labels;
    const labels = typeof raw === 'string' ? splitLabels(raw) : Array.isArray(raw) ? raw.map((l) => String(l).trim()).filter((l) => l !== '') : [];
    if (labels.length < 2) {
      const got = labels.length === 0 ? 'none' : `only "${labels[0]}"`;
      return { error: `Set labels to at least 2 comma-separated labels, for example labels="billing,bug,feature" (got ${got}).` };
    }
    const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
    if (duplicate !== undefined) return { error: `Each label must appear once in labels, but "${duplicate}" appears twice.` };
    const threshold = this.threshold ?? DEFAULT_THRESHOLD;
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
      return { error: `Set threshold to a number above 0 and at most 1, for example threshold="0.8" (got "${this.getAttribute('threshold') ?? String(threshold)}").` };
    }
    const backend = this.backend ?? 'auto';
    if (!BACKEND_REQUESTS.includes(backend)) {
      return { error: `Set backend to one of ${BACKEND_REQUESTS.join(', ')} (got "${String(backend)}").` };
    }
    const storage = this.storage ?? 'indexeddb';
    if (!STORAGE_KINDS.includes(storage)) {
      return { error: `Set storage to one of ${STORAGE_KINDS.join(', ')} (got "${String(storage)}").` };
    }
    return { options: { name, labels, threshold, backend, storage } };
  }

  readonly #onChange = (event: Event): void => {
    if (!(event instanceof ClassifierChangeEvent)) return;
    const { type } = event.change;
    if (type === 'training') return;
    if (type === 'reset') this._human = null;
    this.#requestPrediction();
  };

  #scheduleContentCheck(): void {
    clearTimeout(this.#contentTimer);
    this.#contentTimer = setTimeout(() => {
      this.#contentTimer = undefined;
      // The view derives from the text (empty, human label for this text): re-render even before the answer.
      this.requestUpdate();
      if (this.text !== this.#predictedText) this.#requestPrediction();
    }, CONTENT_DEBOUNCE_MS);
  }

  /** Coalesces requests: one predict in flight, and at most one more after it with the then-current text. */
  #requestPrediction(): void {
    if (this.#predicting) {
      this.#predictAgain = true;
      return;
    }
    this.#predicting = true;
    void this.#predictLoop();
  }

  async #predictLoop(): Promise<void> {
    try {
      do {
        this.#predictAgain = false;
        await this.#predictOnce();
      } while (this.#predictAgain);
    } finally {
      this.#predicting = false;
    }
  }

  async #predictOnce(): Promise<void> {
    const classifier = this._classifier;
    const connection = this.#connection;
    if (!classifier) return;
    const text = this.text;
    if (text === '') {
      this._prediction = null;
      this.#predictedText = '';
      return;
    }
    let prediction: Prediction;
    let stored: StoredLabel | null;
    try {
      // The stored human label is the truth for this exact text: it survives reloads and comes from any tab or tag.
      [prediction, stored] = await Promise.all([classifier.predict(text), classifier.getLabel(text)]);
    } catch (error) {
      if (connection === this.#connection) this._error = `Could not classify this text: ${messageOf(error)}`;
      return;
    }
    // An edited text is predicted again once the edit settles; a new connection predicts on its own.
    if (connection !== this.#connection || this.text !== text) return;
    this._error = null;
    this._human = stored ? { label: stored.label, annotator: stored.annotator, text } : null;
    this._prediction = this.#withThreshold(prediction);
    this.#predictedText = text;
    this.dispatchEvent(new HitlPredictionEvent(this._prediction));
  }

  async #choose(label: string): Promise<void> {
    const classifier = this._classifier;
    const text = this.text;
    if (!classifier || text === '' || this._labelling !== null) return;
    const connection = this.#connection;
    const prediction = this.#predictedText === text ? this._prediction : null;
    const annotator = this.annotator?.trim() || undefined;
    this._labelling = label;
    try {
      await classifier.label(text, label, { predictionId: prediction?.id, annotator });
    } catch (error) {
      if (connection === this.#connection) this._error = `Could not save the label "${label}": ${messageOf(error)}`;
      return;
    } finally {
      if (connection === this.#connection) this._labelling = null;
    }
    if (connection !== this.#connection) return;
    this._error = null;
    this._human = { label, annotator, text };
    this.dispatchEvent(new HitlLabelEvent(label, prediction, annotator));
  }

  /** This element's threshold decides `needsReview`: elements sharing a handle may disagree on it. */
  #withThreshold(prediction: Prediction): Prediction {
    const needsReview = prediction.label === null || prediction.confidence < this.threshold;
    return Object.freeze({ ...prediction, scores: Object.freeze({ ...prediction.scores }), needsReview });
  }
}

function splitLabels(value: string): string[] {
  return value
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
}

function configKey(options: ClassifierOptions): string {
  return JSON.stringify([options.storage, options.name, options.labels, options.backend]);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

declare global {
  interface HTMLElementTagNameMap {
    'hitl-classifier': HitlClassifier;
  }
}
