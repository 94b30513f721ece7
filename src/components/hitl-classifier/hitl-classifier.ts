import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import type { Classifier, ClassifierInput } from '../../classifier.js';
import { HitlErrorEvent, HitlLabelEvent, HitlPredictionEvent, HitlReviewNeededEvent, HitlUndoEvent } from '../../events.js';
import type { DecisionAction, EngineEvent, Prediction, StoredLabel } from '../../protocol.js';
import { DecisionKeys, keysOf } from '../shared/decision-keys.js';
import { LatestCall } from '../shared/latest-call.js';
import { ModelConnection, messageOf, type ConnectionMessage } from '../shared/model-connection.js';
import { format, mergeStrings } from '../shared/strings.js';
import { HitlClassifierAttributes } from './classifier-attributes.js';
import { ClassifierSource, inputOf } from './classifier-source.js';
import { DecisionLog } from './decision-log.js';
import { checkClassifierAttributes, stateOf, withThreshold, type HitlClassifierState, type HumanLabel } from './classifier-state.js';
import { renderControls, renderPrediction, type ViewInputs } from './classifier-view.js';
import { ExplainDisclosure, type ExplainRequest } from './explain-disclosure.js';
import { lazyDecisionTimer } from '../shared/decision-timer-loader.js';
import { HITL_CLASSIFIER_STRINGS, type HitlClassifierStrings } from './hitl-classifier.strings.js';
import { styles } from './hitl-classifier.styles.js';

export { HITL_CLASSIFIER_STRINGS, type HitlClassifierStrings } from './hitl-classifier.strings.js';

export { HITL_CLASSIFIER_MODES, type HitlClassifierMode, type HitlClassifierState } from './classifier-state.js';

/**
 * @summary Classifies its own text (or a slotted image, or another element named by `for`) with an on-device model
 * shared by every element naming the same `model`, and lets a person accept or correct it; corrections teach the model.
 *
 * @slot - The content to classify: its text (trimmed), or the first `<img>`/`<canvas>` in it.
 *
 * @fires {HitlPredictionEvent} hitl-prediction - A new prediction is shown (`HitlPredictionEvent`, with `prediction`).
 * @fires {HitlReviewNeededEvent} hitl-review-needed - A prediction below the threshold for an input nobody labelled (`HitlReviewNeededEvent`).
 * @fires {HitlLabelEvent} hitl-label - A person's label is durably stored (`HitlLabelEvent`: `label`, `prediction`, `annotator`, `action`, `decisionId`).
 * @fires {HitlErrorEvent} hitl-error - Something failed (`HitlErrorEvent`: `error`, `phase`); the element shows it too.
 * @fires {HitlUndoEvent} hitl-undo - The element's last decision was undone (`HitlUndoEvent`: `decisionId`, `restoredLabel`).
 *
 * @csspart base - The outer box.
 * @csspart content - The wrapper around the slotted content.
 * @csspart prediction - The live region showing the prediction, state or error.
 * @csspart label - The predicted or human label.
 * @csspart confidence - The confidence, as a percentage.
 * @csspart badge - The "Needs review" / "Labelled by …" marker.
 * @csspart note - Shown while the browser refuses storage: labels are not saved (the reason in its title).
 * @csspart review - The "Is this …?" group with the accept and choose-another buttons.
 * @csspart actions - The group of label buttons.
 * @csspart button - Every button; label buttons also have `label-button`, the others `accept`, `reject` or `undo`.
 * @csspart label-button - Each label button (named after its label; `aria-pressed` on the human label).
 * @csspart accept - The Accept button (accepts the prediction).
 * @csspart reject - The Choose another button (rejects the prediction, then a label button decides).
 * @csspart undo - The Undo button, after a decision made here.
 * @csspart why-toggle - The "Why?" button (attribute `explain`); also has `button`.
 * @csspart why - The explanation panel it opens.
 * @csspart why-text - The text with the words that weigh most marked.
 * @csspart why-heatmap - The picture with its occlusion heat map.
 * @csspart why-nearest - The list of the most similar labelled examples.
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
export class HitlClassifier extends HitlClassifierAttributes {
  static override styles = styles;
  /** Focusing the element focuses its first control, so `element.focus()` is enough to start using the keys. */
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  /** With a `name`, the element's `value` is submitted with its form. */
  static formAssociated = true;

  @state() private _prediction: Prediction | null = null;
  @state() private _human: HumanLabel | null = null;
  /** A failed predict, label or undo: the element keeps working and the next success clears it. */
  @state() private _error: string | null = null;
  /** A label being saved, or an undo in flight, on the handle this is the signal of: one decision at a time. */
  @state() private _busy: AbortSignal | null = null;
  /** The predicted label a person rejected (key `x`): the element now asks for the right one. */
  @state() private _rejected: string | null = null;
  /** A prediction for a new input is on its way. */
  @state() private _predicting = false;
  @state() private _formDisabled = false;

  readonly #internals: ElementInternals;
  // Before the connection: the model is opened for the kind of input the source holds.
  readonly #source = new ClassifierSource(this, () => this.#onSourceChange());
  readonly #connection = new ModelConnection(this, {
    input: () => this.#source.inputKind(),
    check: () => this.#checkAttributes(),
    openOptions: () =>
      this.maxError === undefined ? { threshold: this.threshold } : { autoAccept: { maxError: this.maxError, confidence: this.confidence ?? 0.9 } },
    describe: (message) => this.#describe(message),
    onConfigChange: () => this.#forgetShown(),
    onConnected: () => void this.#predictions.request(),
    onEvent: (event) => this.#onEngineEvent(event),
  });
  readonly #why = new ExplainDisclosure(this);
  /** One predict in flight, and at most one more after it with the then-current input. */
  readonly #predictions = new LatestCall(() => this.#predictOnce());
  #predictedKey: string | null = null;
  /** The input the last hitl-review-needed was fired for, so a re-prediction does not fire it again. */
  #reviewAnnouncedKey: string | null = null;
  readonly #decisions = new DecisionLog();
  /** A control to focus after the next render, when the one that had focus goes away. */
  #focusNext: string | null = null;
  /** The person's visible, active time on the prediction shown, sent with the decision (quality().humanTime). */
  readonly #timer = lazyDecisionTimer(this, { shown: () => (this.mode !== 'silent' && this._prediction ? this.#predictedKey : null) });

  constructor() {
    super();
    this.#internals = this.attachInternals();
    new DecisionKeys(this, {
      enabled: () => this.mode !== 'silent',
      labels: () => this.#connection.labels,
      keys: () => this.keys,
      accept: () => this.#acceptable() !== null && (void this.#accept(), true),
      reject: () => this.#reject(),
      cancel: () => this._rejected !== null && ((this._rejected = null), true),
      undo: () => this.#decisions.last() !== null && (void this.#undo(), true),
      choose: (index) => {
        const label = this.#connection.labels[index];
        if (label !== undefined) void this.#choose(label);
        return label !== undefined;
      },
    });
  }

  /** The latest prediction shown, or null before the first one. */
  get prediction(): Prediction | null {
    return this._prediction;
  }

  /** The human label if a person gave one for this input, else the predicted label (null without a model). */
  get value(): string | null {
    return this.#currentHuman()?.label ?? this._prediction?.label ?? null;
  }

  /** The shared classifier handle, or null while connecting, disconnected or in error. */
  get classifier(): Classifier | null {
    return this.#connection.classifier;
  }

  /** The text being classified (own content or the `for` element's, trimmed); empty for images. */
  get text(): string {
    const source = this.#source.read();
    return source.kind === 'text' ? source.text : '';
  }

  /** What the element shows: `no-model`, `predicting`, `confident`, `needs-review`, `labelled`, … */
  get state(): HitlClassifierState {
    return this.#view();
  }

  /** The form the element belongs to, if any. */
  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }

  /**
   * Classifies the source again now: after drawing on a canvas, or after a script set a field's value (which
   * fires no event). Typing, content edits and image loads are noticed without it.
   */
  refresh(): void {
    this.#source.touch();
    this.requestUpdate();
    this.#connection.sync();
    void this.#predictions.request();
  }

  /** @internal Form-associated lifecycle: a disabled `<fieldset>` disables the controls. */
  formDisabledCallback(disabled: boolean): void {
    this._formDisabled = disabled;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && this.isConnected) this.#source.bind();
    const config = ['model', 'labels', 'threshold', 'backend', 'storage', 'textEncoder', 'teachableMachine', 'mode', 'htmlFor'] as const;
    const wide = ['input', 'featureExtractor', 'autoTrain', 'keepInputs', 'retentionDays', 'keepVersions'] as const;
    if (config.some((key) => changed.has(key)) || wide.some((key) => changed.has(key))) {
      this.#connection.sync();
      if (changed.has('htmlFor')) void this.#predictions.request();
    }
    if (changed.has('features') || changed.has('columns')) this.#onSourceChange();
    if (changed.has('threshold') && this._prediction) {
      this._prediction = this.#withThreshold(this._prediction);
    }
  }

  protected override updated(): void {
    this.#internals.setFormValue(this.value);
    const state = this.#view();
    if (this.getAttribute('state') !== state) this.setAttribute('state', state);
    if (this.#focusNext !== null) {
      const selector = this.#focusNext;
      this.#focusNext = null;
      this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
    }
  }

  override render(): TemplateResult {
    const view = this.#view();
    if (this.mode === 'silent') {
      return html`<div part="base" class="base silent"><div part="content" class="content"><slot></slot></div></div>`;
    }
    const classifier = this.#connection.classifier;
    const inputs = this.#viewInputs(view);
    return html`
      <div part="base" class=${classMap({ base: true, [view]: true, picking: this._rejected !== null })}>
        <div part="content" class=${classMap({ content: true, empty: !this.#source.hasContent() })}><slot></slot></div>
        <div id="prediction" part="prediction" class=${classMap({ prediction: true, stale: this._predicting })} aria-live="polite" aria-busy=${this._predicting ? 'true' : 'false'}>
          ${renderPrediction(view, inputs)}
        </div>
        ${this._error && view !== 'error' ? html`<p class="message error" role="alert">${this._error}</p>` : nothing}
        ${
          classifier && classifier.storage === 'indexeddb' && !classifier.persistent
            ? html`<p part="note" class="message" role="status" title=${classifier.storageProblem ?? ''}>${this.#strings().notKept}</p>`
            : nothing
        }
        ${this.#connection.message ? nothing : renderControls(view, inputs, this.#viewActions)} ${this.#renderWhy(view)}
      </div>
    `;
  }

  /** Merged once per `strings` object: the view and the messages read them several times a render. */
  #merged: { from: Partial<HitlClassifierStrings>; strings: HitlClassifierStrings } | null = null;

  #strings(): HitlClassifierStrings {
    if (this.#merged?.from !== this.strings) this.#merged = { from: this.strings, strings: mergeStrings(HITL_CLASSIFIER_STRINGS, this.strings) };
    return this.#merged.strings;
  }

  /** What the prediction line and the controls show now. */
  #viewInputs(view: HitlClassifierState): ViewInputs {
    return {
      strings: this.#strings(),
      mode: this.mode,
      prediction: this._prediction,
      human: this.#currentHuman(),
      rejected: this._rejected,
      error: this.#connection.message ?? this._error,
      source: this.#source.read(),
      labels: this.#connection.labels,
      unavailable: this.#unavailable(view),
      undoable: this.#decisions.last() !== null,
      keys: keysOf(this.keys),
    };
  }

  readonly #viewActions = {
    accept: () => void this.#accept(),
    reject: () => void this.#reject(),
    choose: (label: string) => void this.#choose(label),
    undo: () => void this.#undo(),
  };

  /** The "Why?" disclosure: only with `explain`, after a prediction is shown, and not while a person picks another label. */
  #renderWhy(view: HitlClassifierState): TemplateResult | typeof nothing {
    const request = this.#explainRequest();
    if (!request || this._rejected !== null || (view !== 'confident' && view !== 'needs-review' && view !== 'labelled')) return nothing;
    const source = this.#source.read();
    if (source.kind === 'none') return nothing;
    if (source.kind === 'features') return nothing;
    return this.#why.render(this.#strings(), source.kind === 'text' ? { text: source.text } : { image: source.image }, request);
  }

  #explainRequest(): ExplainRequest | null {
    const classifier = this.#connection.classifier;
    const source = this.#source.read();
    const prediction = this._prediction;
    if (!this.explain || !classifier || source.kind === 'none' || prediction?.label == null || source.key !== this.#predictedKey) return null;
    const input: ClassifierInput = inputOf(source);
    return { key: source.key, modelVersion: prediction.modelVersion, explain: () => classifier.explain(input) };
  }

  #unavailable(view: HitlClassifierState): boolean {
    return this.#connection.classifier === null || this.#isBusy() || this._formDisabled || view === 'empty' || view === 'error';
  }

  /** Busy with the handle held now: a call for a handle already let go no longer holds the controls. */
  #isBusy(): boolean {
    return this._busy !== null && !this._busy.aborted;
  }

  #view(): HitlClassifierState {
    return stateOf({
      connectionMessage: this.#connection.message,
      hasSource: this.#source.read().kind !== 'none',
      human: this.#currentHuman(),
      prediction: this._prediction,
      error: this._error,
      connected: this.#connection.classifier !== null,
      rejected: this._rejected,
    });
  }

  #currentHuman(): HumanLabel | null {
    const source = this.#source.read();
    return this._human && source.kind !== 'none' && this._human.key === source.key ? this._human : null;
  }

  // ---- Model connection ----------------------------------------------------------------------------------------------

  /** The classifier's own attributes; the connection has checked the model, labels, backend and storage. */
  #checkAttributes(): ConnectionMessage | null {
    return checkClassifierAttributes(this.threshold, this.getAttribute('threshold'), this.mode);
  }

  /** A connection message in this element's wording; it opens its model itself, so it never waits to join one. */
  #describe({ key, values }: ConnectionMessage): string {
    const t = this.#strings();
    if (key === 'tooFewLabels') return format(t.tooFewLabels, { got: values.label === undefined ? t.noLabels : format(t.oneLabel, values) });
    return format(t[key as keyof HitlClassifierStrings] ?? t.openFailed, values);
  }

  /** Another model or other labels: what was shown and decided belongs to the previous configuration. */
  #forgetShown(): void {
    this._prediction = null;
    this._human = null;
    this._rejected = null;
    this.#predictedKey = null;
    this.#decisions.clear();
    this._error = null;
    this.#why.forget();
  }

  #onEngineEvent({ type }: EngineEvent): void {
    // Not on queue-changed: this tag's own uncertain predictions cause it, and predicting again would loop.
    // Nor on storage-error: the failed call that caused it shows its own message, and predicting writes too.
    if (type === 'training' || type === 'training-progress' || type === 'queue-changed' || type === 'storage-error') return;
    if (type === 'reset' || type === 'imported') {
      this._human = null;
      this.#decisions.clear();
    }
    void this.#predictions.request();
  }

  // ---- Predicting ---------------------------------------------------------------------------------------------------

  #onSourceChange(): void {
    // A slotted image or a `for` target of another kind needs a handle of that input kind.
    this.#connection.sync();
    // The view derives from the source (empty, human label for this input): re-render even before the answer.
    this.requestUpdate();
    const source = this.#source.read();
    if (source.kind === 'none' || source.key !== this.#predictedKey || source.kind === 'image') void this.#predictions.request();
  }

  async #predictOnce(): Promise<void> {
    const classifier = this.#connection.classifier;
    const signal = this.#connection.signal;
    if (!classifier) return;
    const source = this.#source.read();
    if (source.kind === 'none') {
      this._prediction = null;
      this._rejected = null;
      this.#predictedKey = null;
      return;
    }
    // An edit keeps the previous prediction on screen (marked busy) until the new one: no flicker while typing.
    if (source.key !== this.#predictedKey) this._rejected = null;
    const input: ClassifierInput = inputOf(source);
    let prediction: Prediction;
    let stored: StoredLabel | null;
    this._predicting = true;
    try {
      // The stored human label is the truth for this exact input: it survives reloads and comes from any tab or tag.
      [prediction, stored] = await Promise.all([classifier.predict(input, { shown: this.mode !== 'silent' }), classifier.getLabel(input)]);
    } catch (error) {
      if (!signal.aborted) {
        const t = this.#strings();
        const failed = source.kind === 'text' ? t.classifyTextFailed : source.kind === 'image' ? t.classifyImageFailed : t.classifyFeaturesFailed;
        this._error = format(failed, { reason: messageOf(error) });
        this.dispatchEvent(new HitlErrorEvent('predict', error));
      }
      return;
    } finally {
      if (!signal.aborted) this._predicting = false;
    }
    // An edited input is predicted again once the edit settles; a new connection predicts on its own.
    const now = this.#source.read();
    if (signal.aborted || now.kind === 'none' || now.key !== source.key) return;
    this._error = null;
    this._human = stored ? { label: stored.label, annotator: stored.annotator, key: source.key } : null;
    this._prediction = this.#withThreshold(prediction);
    this.#predictedKey = source.key;
    const why = this.#explainRequest();
    if (why) this.#why.follow(why);
    this.dispatchEvent(new HitlPredictionEvent(this._prediction));
    if (this._prediction.needsReview && this._prediction.label !== null && this._human === null) {
      if (this.#reviewAnnouncedKey !== source.key) {
        this.#reviewAnnouncedKey = source.key;
        this.dispatchEvent(new HitlReviewNeededEvent(this._prediction));
      }
    } else {
      this.#reviewAnnouncedKey = null;
    }
  }

  // ---- Deciding -----------------------------------------------------------------------------------------------------

  /** The label Enter / `a` would accept: the prediction, while it is shown and undecided. */
  #acceptable(): string | null {
    const view = this.#view();
    if (this._rejected !== null || (view !== 'needs-review' && view !== 'confident')) return null;
    return this._prediction?.label ?? null;
  }

  async #accept(): Promise<void> {
    const label = this.#acceptable();
    if (label !== null) await this.#choose(label);
  }

  #reject(): boolean {
    const label = this._prediction?.label;
    const view = this.#view();
    if (label == null || (view !== 'needs-review' && view !== 'confident') || this.#unavailable(view)) return false;
    this._rejected = label;
    // A person choosing again decides without the explanation in view.
    this.#why.forget();
    const first = this.#connection.labels.findIndex((l) => l !== label);
    this.#focusNext = `.actions button:nth-of-type(${first + 1})`;
    return true;
  }

  async #choose(label: string): Promise<void> {
    const classifier = this.#connection.classifier;
    const source = this.#source.read();
    if (!classifier || source.kind === 'none' || this.#unavailable(this.#view()) || label === this._rejected) return;
    const signal = this.#connection.signal;
    const prediction = this.#predictedKey === source.key ? this._prediction : null;
    const action: DecisionAction = prediction?.label === label ? 'accept' : this._rejected !== null ? 'reject' : 'correct';
    const annotator = this.annotator?.trim() || undefined;
    const input: ClassifierInput = inputOf(source);
    // Accept and choose-another go away with the question (in review mode, every control): keep the keyboard here.
    const focused = this.shadowRoot?.activeElement ?? null;
    const loseFocus = focused !== null && (this.mode === 'review' || focused.closest('.review') !== null);
    this._busy = signal;
    const durationMs = prediction ? this.#timer.take() : undefined;
    let decisionId: string;
    try {
      ({ decisionId } = await classifier.label(input, label, { predictionId: prediction?.id, annotator, action, durationMs }));
    } catch (error) {
      if (!signal.aborted) {
        this._error = format(this.#strings().labelFailed, { label, reason: messageOf(error) });
        this.dispatchEvent(new HitlErrorEvent('label', error));
      }
      return;
    } finally {
      if (this._busy === signal) this._busy = null;
    }
    if (signal.aborted) return;
    this._error = null;
    this._rejected = null;
    this._human = { label, annotator, key: source.key };
    this.#decisions.add({ decisionId, key: source.key });
    if (loseFocus) this.#focusNext = '.undo';
    this.dispatchEvent(new HitlLabelEvent(label, prediction, annotator, { action, decisionId }));
  }

  /** Undoes this element's last decision, if it was for the input shown now. */
  async #undo(): Promise<boolean> {
    const classifier = this.#connection.classifier;
    const last = this.#decisions.last();
    const source = this.#source.read();
    if (!classifier || !last || source.kind === 'none' || last.key !== source.key || this.#isBusy() || this._formDisabled) return false;
    const signal = this.#connection.signal;
    const hadFocus = (this.shadowRoot?.activeElement ?? null) !== null;
    this._busy = signal;
    try {
      const result = await classifier.undo(last.decisionId);
      if (signal.aborted) return true;
      this.#decisions.remove(last);
      this._error = null;
      this._human = result.restoredLabel === null ? null : { label: result.restoredLabel, annotator: undefined, key: source.key };
      if (hadFocus) this.#focusNext = '.accept, .actions button';
      this.dispatchEvent(new HitlUndoEvent(last.decisionId, result.restoredLabel));
    } catch (error) {
      if (!signal.aborted) {
        this._error = format(this.#strings().undoFailed, { reason: messageOf(error) });
        this.dispatchEvent(new HitlErrorEvent('label', error));
      }
    } finally {
      if (this._busy === signal) this._busy = null;
    }
    // Who gave a restored label, and what the model says now: ask again.
    void this.#predictions.request();
    return true;
  }

  #withThreshold(prediction: Prediction): Prediction {
    // With auto-accept the engine decided (spot checks included): no element threshold may overrule it.
    if (this.#connection.classifier?.autoAccept) return prediction;
    return withThreshold(prediction, this.threshold);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hitl-classifier': HitlClassifier;
  }
}
