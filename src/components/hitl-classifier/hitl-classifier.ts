import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { ClassifierChangeEvent, type Classifier, type ClassifierInput, type ClassifierOptions } from '../../classifier.js';
import { HitlLabelEvent, HitlPredictionEvent, HitlReviewNeededEvent, HitlUndoEvent } from '../../events.js';
import {
  BACKEND_REQUESTS,
  STORAGE_KINDS,
  type BackendRequest,
  type DecisionAction,
  type InputKind,
  type Prediction,
  type StorageKind,
  type StoredLabel,
} from '../../protocol.js';
import { acquireClassifier, releaseClassifier } from '../../registry.js';
import { fill, format, mergeStrings } from '../shared/strings.js';
import { styles } from './hitl-classifier.styles.js';

/** A mutation per keystroke in editable content: predict once the text has settled. */
const CONTENT_DEBOUNCE_MS = 150;
/** Typing in a `for` field: long enough to skip most keystrokes of a word, short enough to feel live. */
const TYPING_DEBOUNCE_MS = 250;
const DEFAULT_THRESHOLD = 0.8;
/** Backspace walks back through this many of the element's own decisions. */
const UNDO_DEPTH = 10;

export const HITL_CLASSIFIER_MODES = ['suggest', 'review', 'silent'] as const;
export type HitlClassifierMode = (typeof HITL_CLASSIFIER_MODES)[number];

/** What the element shows; also reflected as the host's `state` attribute for styling. */
export type HitlClassifierState = 'error' | 'loading' | 'empty' | 'predicting' | 'no-model' | 'needs-review' | 'confident' | 'labelled';

/** What is being classified right now: text, an image element, or nothing (with the reason shown). */
type Source =
  | { kind: 'text'; text: string; key: string }
  | { kind: 'image'; image: HTMLImageElement | HTMLCanvasElement; key: string }
  | { kind: 'none'; message: string };

interface HumanLabel {
  label: string;
  annotator: string | undefined;
  /** The input it was given for: a label never carries over to edited text or another picture. */
  key: string;
}

interface Decision {
  decisionId: string;
  key: string;
}

const labelsConverter = {
  fromAttribute: (value: string | null): string[] => splitLabels(value ?? ''),
  toAttribute: (value: readonly string[]): string => value.join(','),
};

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/** Every string `<hitl-classifier>` shows or announces; `{…}` are placeholders filled in where it is used. */
export interface HitlClassifierStrings {
  /** While the model opens. */
  loading: string;
  /** Before the first prediction of an input. */
  predicting: string;
  /** The model knows no label yet. */
  noModel: string;
  /** No content to classify (generic). */
  nothingToClassify: string;
  /** The content (or the `for` field) has no text. */
  noText: string;
  /** An `<img>` without a source. */
  noImage: string;
  /** A `<canvas>` of 0 pixels. */
  emptyCanvas: string;
  /** `for` names no element: `{id}`. */
  noTarget: string;
  /** A confident prediction: `{label}` and `{confidence}` become the label and the percentage. */
  predicted: string;
  /** A prediction that needs review: `{label}`. The confidence and the badge follow it. */
  question: string;
  /** The badge of a prediction below the threshold. */
  needsReview: string;
  /** After a rejection: `{label}` is the rejected label. */
  rejectedQuestion: string;
  /** The badge of a human label: `{annotator}`. */
  labelledBy: string;
  /** The badge of a human label without an annotator. */
  labelledByYou: string;
  /** Accessible name of the accept / choose-another group. */
  reviewGroup: string;
  /** Accessible name of the group of label buttons. */
  labelsGroup: string;
  accept: string;
  reject: string;
  undo: string;
  /** `{reason}`: predicting this text failed. */
  classifyTextFailed: string;
  /** `{reason}`: predicting this image failed. */
  classifyImageFailed: string;
  /** `{label}`, `{reason}`: storing a label failed. */
  labelFailed: string;
  /** `{reason}`: undoing failed. */
  undoFailed: string;
  /** `{model}`, `{reason}`: opening the model failed. */
  openFailed: string;
  /** The browser refused storage (a private mode, a blocked database): the model works but keeps nothing. */
  notKept: string;
  /** No `model` attribute. */
  missingModel: string;
  /** Fewer than 2 labels: `{got}` is `noLabels` or `oneLabel`. */
  tooFewLabels: string;
  noLabels: string;
  /** `{label}`: the only label given. */
  oneLabel: string;
  /** `{label}` appears twice. */
  duplicateLabel: string;
  /** `{value}`: a threshold outside (0, 1]. */
  badThreshold: string;
  /** `{options}`, `{value}`. */
  badBackend: string;
  /** `{options}`, `{value}`. */
  badStorage: string;
  /** `{options}`, `{value}`. */
  badMode: string;
}

/** The English defaults; set `strings` on the element to replace any of them. */
export const HITL_CLASSIFIER_STRINGS: Readonly<HitlClassifierStrings> = Object.freeze({
  loading: 'Loading the model…',
  predicting: 'Predicting…',
  noModel: 'No model yet — pick a label to teach it',
  nothingToClassify: 'Nothing to classify',
  noText: 'No text to classify',
  noImage: 'No image to classify',
  emptyCanvas: 'The canvas is empty (0 pixels)',
  noTarget: 'No element with id "{id}" to classify',
  predicted: 'Predicted: {label} {confidence}',
  question: 'Is this {label}?',
  needsReview: 'Needs review',
  rejectedQuestion: 'Not {label}. Which label is it?',
  labelledBy: 'Labelled by {annotator}',
  labelledByYou: 'Labelled by you',
  reviewGroup: 'Review the prediction',
  labelsGroup: 'Choose the correct label',
  accept: 'Accept',
  reject: 'Choose another',
  undo: 'Undo',
  classifyTextFailed: 'Could not classify this text: {reason}',
  classifyImageFailed: 'Could not classify this image: {reason}',
  labelFailed: 'Could not save the label "{label}": {reason}',
  undoFailed: 'Could not undo the last decision: {reason}',
  openFailed: 'Could not open the model "{model}": {reason}',
  notKept: 'Labels are not saved: this browser does not let the page store data, so they are lost when it closes.',
  missingModel: 'Set the model attribute to the name of the shared model, for example model="tickets".',
  tooFewLabels: 'Set labels to at least 2 comma-separated labels, for example labels="billing,bug,feature" (got {got}).',
  noLabels: 'none',
  oneLabel: 'only "{label}"',
  duplicateLabel: 'Each label must appear once in labels, but "{label}" appears twice.',
  badThreshold: 'Set threshold to a number above 0 and at most 1, for example threshold="0.8" (got "{value}").',
  badBackend: 'Set backend to one of {options} (got "{value}").',
  badStorage: 'Set storage to one of {options} (got "{value}").',
  badMode: 'Set mode to one of {options} (got "{value}").',
});

/**
 * @summary Classifies its own text (or a slotted image, or another element named by `for`) with an on-device model
 * shared by every element naming the same `model`, and lets a person accept or correct it; corrections teach the model.
 *
 * @slot - The content to classify: its text (trimmed), or the first `<img>`/`<canvas>` in it.
 *
 * @fires {HitlPredictionEvent} hitl-prediction - A new prediction is shown (`HitlPredictionEvent`, with `prediction`).
 * @fires {HitlReviewNeededEvent} hitl-review-needed - A prediction below the threshold for an input nobody labelled (`HitlReviewNeededEvent`).
 * @fires {HitlLabelEvent} hitl-label - A person's label is durably stored (`HitlLabelEvent`: `label`, `prediction`, `annotator`, `action`, `decisionId`).
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
  /** Focusing the element focuses its first control, so `element.focus()` is enough to start using the keys. */
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  /** With a `name`, the element's `value` is submitted with its form. */
  static formAssociated = true;

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

  /** `suggest` shows every prediction; `review` shows controls only when review is needed; `silent` shows nothing. */
  @property() mode: HitlClassifierMode = 'suggest';

  /** The id of another element to classify instead of the content: a textarea or input (as typed), an img or canvas. */
  @property({ attribute: 'for' }) htmlFor = '';

  /** The form field name: with it, `value` is submitted with the form the element sits in. */
  @property({ reflect: true }) name: string | undefined;

  /**
   * Replaces any of the texts the element shows or announces (`HitlClassifierStrings`); the rest keep their
   * defaults (`HITL_CLASSIFIER_STRINGS`).
   */
  @property({ attribute: false }) strings: Partial<HitlClassifierStrings> = {};

  @state() private _classifier: Classifier | null = null;
  @state() private _prediction: Prediction | null = null;
  @state() private _human: HumanLabel | null = null;
  @state() private _labels: string[] = [];
  /** Bad attributes or a model that failed to open: nothing works until the attributes change. */
  @state() private _fatalError: string | null = null;
  /** A failed predict, label or undo: the element keeps working and the next success clears it. */
  @state() private _error: string | null = null;
  /** A label being saved, or an undo in flight: one decision at a time. */
  @state() private _busy: string | null = null;
  /** The predicted label a person rejected (key `x`): the element now asks for the right one. */
  @state() private _rejected: string | null = null;
  /** A prediction for a new input is on its way. */
  @state() private _predicting = false;
  @state() private _formDisabled = false;
  /** Bumped when the source changes in ways the DOM does not say (a canvas drawn on): re-renders and re-keys. */
  @state() private _sourceVersion = 0;

  readonly #internals: ElementInternals;
  readonly #observer = new MutationObserver(() => this.#scheduleContentCheck(CONTENT_DEBOUNCE_MS));
  /** Watches the document while the `for` target does not exist yet. */
  #rootObserver: MutationObserver | null = null;
  #target: Element | null = null;
  #contentTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every (dis)connection so answers meant for an earlier handle are dropped. */
  #connection = 0;
  /** The configuration of the held (or pending) handle; null while disconnected. */
  #connectedKey: string | null = null;
  /** The configuration the shown prediction and human label belong to; survives a move in the DOM. */
  #shownKey: string | null = null;
  #predictedKey: string | null = null;
  #predicting = false;
  #predictAgain = false;
  /** The input the last hitl-review-needed was fired for, so a re-prediction does not fire it again. */
  #reviewAnnouncedKey: string | null = null;
  /** This element's own decisions, newest last: what Backspace undoes. */
  #decisions: Decision[] = [];
  /** A control to focus after the next render, when the one that had focus goes away. */
  #focusNext: string | null = null;

  constructor() {
    super();
    this.#internals = this.attachInternals();
    this.addEventListener('keydown', this.#onKeyDown);
    // `load` does not bubble: capture it for slotted images whose source changes.
    this.addEventListener('load', this.#onContentLoad, true);
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
    return this._classifier;
  }

  /** The text being classified (own content or the `for` element's, trimmed); empty for images. */
  get text(): string {
    const source = this.#source();
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
    if (this.#source().kind === 'image' && this.#imageElement() instanceof HTMLCanvasElement) this._sourceVersion += 1;
    this.#sync();
    this.#requestPrediction();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#observer.observe(this, {
      characterData: true,
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['src', 'width', 'height'],
    });
    this.#bindTarget();
    this.#sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer.disconnect();
    this.#unbindTarget();
    clearTimeout(this.#contentTimer);
    this.#contentTimer = undefined;
    this.#dropClassifier();
    this.#connectedKey = null;
  }

  /** @internal Form-associated lifecycle: a disabled `<fieldset>` disables the controls. */
  formDisabledCallback(disabled: boolean): void {
    this._formDisabled = disabled;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && this.isConnected) this.#bindTarget();
    // `strings`: an attribute error on screen is worded by them.
    const config = ['model', 'labels', 'threshold', 'backend', 'storage', 'mode', 'htmlFor', 'strings'] as const;
    if (config.some((key) => changed.has(key))) {
      this.#sync();
      if (changed.has('htmlFor')) this.#requestPrediction();
    }
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
    return html`
      <div part="base" class=${classMap({ base: true, [view]: true, picking: this._rejected !== null })}>
        <div part="content" class=${classMap({ content: true, empty: !this.#hasContent() })}><slot></slot></div>
        <div id="prediction" part="prediction" class=${classMap({ prediction: true, stale: this._predicting })} aria-live="polite" aria-busy=${this._predicting ? 'true' : 'false'}>
          ${this.#renderPrediction(view)}
        </div>
        ${this._error && view !== 'error' ? html`<p class="message error" role="alert">${this._error}</p>` : nothing}
        ${
          this._classifier && this._classifier.storage === 'indexeddb' && !this._classifier.persistent
            ? html`<p part="note" class="message" role="status" title=${this._classifier.storageProblem ?? ''}>${this.#strings().notKept}</p>`
            : nothing
        }
        ${this._fatalError ? nothing : this.#renderControls(view)}
      </div>
    `;
  }

  /** Merged once per `strings` object: the source and view are read several times a render. */
  #merged: { from: Partial<HitlClassifierStrings>; strings: HitlClassifierStrings } | null = null;

  #strings(): HitlClassifierStrings {
    if (this.#merged?.from !== this.strings) this.#merged = { from: this.strings, strings: mergeStrings(HITL_CLASSIFIER_STRINGS, this.strings) };
    return this.#merged.strings;
  }

  #renderPrediction(view: HitlClassifierState): TemplateResult {
    const prediction = this._prediction;
    const human = this.#currentHuman();
    const t = this.#strings();
    switch (view) {
      case 'error':
        return html`<span class="message error">${this._fatalError ?? this._error}</span>`;
      case 'loading':
        return html`<span class="message">${t.loading}</span>`;
      case 'empty': {
        const source = this.#source();
        return html`<span class="message">${source.kind === 'none' ? source.message : t.nothingToClassify}</span>`;
      }
      case 'predicting':
        return html`<span class="message">${t.predicting}</span>`;
      case 'no-model':
        return html`<span class="message">${t.noModel}</span>`;
      case 'labelled':
        return html`<span part="label" class="label">${human?.label}</span>
          <span part="badge" class="badge human">${human?.annotator ? format(t.labelledBy, { annotator: human.annotator }) : t.labelledByYou}</span>`;
      case 'confident':
        return html`${fill(t.predicted, {
          label: html`<span part="label" class="label">${prediction?.label}</span>`,
          confidence: html`<span part="confidence" class="confidence">${percent.format(prediction?.confidence ?? 0)}</span>`,
        })}`;
      case 'needs-review':
        if (this._rejected !== null) {
          return html`<span>${fill(t.rejectedQuestion, { label: html`<span part="label" class="label rejected">${this._rejected}</span>` })}</span>`;
        }
        return html`<span>${fill(t.question, { label: html`<span part="label" class="label">${prediction?.label}</span>` })}</span>
          <span part="confidence" class="confidence">${percent.format(prediction?.confidence ?? 0)}</span>
          <span part="badge" class="badge review">${t.needsReview}</span>`;
    }
  }

  #renderControls(view: HitlClassifierState): TemplateResult {
    const unavailable = this.#unavailable(view);
    const human = this.#currentHuman();
    const prediction = this._prediction;
    const picking = this._rejected !== null;
    // aria-disabled, not disabled: a disabled button drops keyboard focus while the label is being saved.
    const disabled = unavailable ? 'true' : 'false';
    const ask = view === 'needs-review' && !picking;
    const showLabels = this.mode === 'suggest' || picking || view === 'no-model' || view === 'needs-review';
    const undo = view === 'labelled' && this.#lastDecision() !== null;
    const t = this.#strings();
    return html`
      ${
        ask
          ? html`<div part="review" class="review" role="group" aria-label=${t.reviewGroup}>
            <button part="button accept" type="button" class="accept" aria-describedby="prediction" aria-keyshortcuts="Enter a" aria-disabled=${disabled} @click=${() => void this.#accept()}>
              ${t.accept}
            </button>
            <button part="button reject" type="button" class="reject" aria-describedby="prediction" aria-keyshortcuts="x" aria-disabled=${disabled} @click=${() => this.#reject()}>
              ${t.reject}
            </button>
          </div>`
          : nothing
      }
      ${
        showLabels
          ? html`<div part="actions" class="actions" role="group" aria-label=${t.labelsGroup}>
            ${this._labels.map(
              (label, i) => html`<button
                part="button label-button"
                type="button"
                class=${classMap({ suggested: human === null && !picking && label === prediction?.label, rejected: label === this._rejected })}
                aria-pressed=${label === human?.label ? 'true' : 'false'}
                aria-disabled=${unavailable || label === this._rejected ? 'true' : 'false'}
                aria-keyshortcuts=${i < 9 ? String(i + 1) : nothing}
                @click=${() => void this.#choose(label)}
              >${label}</button>`,
            )}
          </div>`
          : nothing
      }
      ${
        undo
          ? html`<div class="after">
            <button part="button undo" type="button" class="undo" aria-keyshortcuts="Backspace" aria-disabled=${disabled} @click=${() => void this.#undo()}>
              ${t.undo}
            </button>
          </div>`
          : nothing
      }
    `;
  }

  /** With `for`, the tag often has no content of its own: its empty box would only push the prediction down. */
  #hasContent(): boolean {
    return [...this.childNodes].some((node) => node instanceof Element || (node.nodeType === Node.TEXT_NODE && node.textContent?.trim()));
  }

  #unavailable(view: HitlClassifierState): boolean {
    return this._classifier === null || this._busy !== null || this._formDisabled || view === 'empty' || view === 'error';
  }

  #view(): HitlClassifierState {
    if (this._fatalError) return 'error';
    if (this.#source().kind === 'none') return 'empty';
    if (this.#currentHuman()) return 'labelled';
    const prediction = this._prediction;
    if (prediction === null) {
      if (this._error) return 'error';
      return this._classifier === null ? 'loading' : 'predicting';
    }
    if (prediction.label === null) return 'no-model';
    return prediction.needsReview || this._rejected !== null ? 'needs-review' : 'confident';
  }

  #currentHuman(): HumanLabel | null {
    const source = this.#source();
    return this._human && source.kind !== 'none' && this._human.key === source.key ? this._human : null;
  }

  #lastDecision(): Decision | null {
    return this.#decisions.at(-1) ?? null;
  }

  // ---- Source ------------------------------------------------------------------------------------------------------

  #source(): Source {
    const id = typeof this.htmlFor === 'string' ? this.htmlFor.trim() : '';
    if (id !== '') {
      const target = this.#findTarget();
      if (!target) return { kind: 'none', message: format(this.#strings().noTarget, { id }) };
      if (target instanceof HTMLImageElement || target instanceof HTMLCanvasElement) return this.#imageSource(target);
      const raw = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ? target.value : (target.textContent ?? '');
      return textSource(raw, this.#strings().noText);
    }
    const image = this.#imageElement();
    if (image) return this.#imageSource(image);
    return textSource(this.textContent ?? '', this.#strings().noText);
  }

  /** The image being classified: the `for` target if it is one, else the first slotted img or canvas. */
  #imageElement(): HTMLImageElement | HTMLCanvasElement | null {
    if (this.htmlFor?.trim()) {
      const target = this.#findTarget();
      return target instanceof HTMLImageElement || target instanceof HTMLCanvasElement ? target : null;
    }
    return this.querySelector<HTMLImageElement | HTMLCanvasElement>('img, canvas');
  }

  #imageSource(image: HTMLImageElement | HTMLCanvasElement): Source {
    if (image instanceof HTMLImageElement) {
      const src = image.currentSrc || image.src;
      if (!src) return { kind: 'none', message: this.#strings().noImage };
      return { kind: 'image', image, key: `img:${src}` };
    }
    if (image.width === 0 || image.height === 0) return { kind: 'none', message: this.#strings().emptyCanvas };
    return { kind: 'image', image, key: `canvas:${this._sourceVersion}` };
  }

  #inputKind(): InputKind {
    return this.#imageElement() ? 'image' : 'text';
  }

  #findTarget(): Element | null {
    const id = this.htmlFor?.trim();
    if (!id) return null;
    const root = this.getRootNode();
    return root instanceof Document || root instanceof ShadowRoot ? root.getElementById(id) : null;
  }

  /** Listens to the `for` element: typing re-predicts after a pause; an image re-predicts when it loads. */
  #bindTarget(): void {
    this.#unbindTarget();
    if (!this.htmlFor?.trim() || !this.isConnected) return;
    const target = this.#findTarget();
    if (!target) {
      // The target may come later in the document (or be added by a framework): look again on every change.
      const root = this.getRootNode();
      if (!(root instanceof Document || root instanceof ShadowRoot)) return;
      this.#rootObserver = new MutationObserver(() => {
        if (!this.#findTarget()) return;
        this.#bindTarget();
        this.#sync();
        this.#requestPrediction();
      });
      this.#rootObserver.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['id'] });
      return;
    }
    this.#target = target;
    target.addEventListener('input', this.#onTargetInput);
    target.addEventListener('load', this.#onContentLoad);
  }

  #unbindTarget(): void {
    this.#rootObserver?.disconnect();
    this.#rootObserver = null;
    this.#target?.removeEventListener('input', this.#onTargetInput);
    this.#target?.removeEventListener('load', this.#onContentLoad);
    this.#target = null;
  }

  readonly #onTargetInput = (): void => this.#scheduleContentCheck(TYPING_DEBOUNCE_MS);

  readonly #onContentLoad = (event: Event): void => {
    if (event.target instanceof HTMLImageElement) this.#scheduleContentCheck(0);
  };

  // ---- Model connection ----------------------------------------------------------------------------------------------

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
      this._rejected = null;
      this.#predictedKey = null;
      this.#decisions = [];
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
        if (connection === this.#connection)
          this._fatalError = format(this.#strings().openFailed, { model: config.options.name, reason: messageOf(error) });
      },
    );
  }

  #dropClassifier(): void {
    this.#connection += 1;
    this._busy = null;
    const classifier = this._classifier;
    if (!classifier) return;
    this._classifier = null;
    classifier.removeEventListener('change', this.#onChange);
    releaseClassifier(classifier);
  }

  #readConfig(): { options: ClassifierOptions & { threshold: number; input: InputKind } } | { error: string } {
    const t = this.#strings();
    const name = typeof this.model === 'string' ? this.model.trim() : '';
    if (name === '') return { error: t.missingModel };
    const raw: unknown = this.labels;
    const labels = typeof raw === 'string' ? splitLabels(raw) : Array.isArray(raw) ? raw.map((l) => String(l).trim()).filter((l) => l !== '') : [];
    if (labels.length < 2) {
      const got = labels.length === 0 ? t.noLabels : format(t.oneLabel, { label: labels[0]! });
      return { error: format(t.tooFewLabels, { got }) };
    }
    const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
    if (duplicate !== undefined) return { error: format(t.duplicateLabel, { label: duplicate }) };
    const threshold = this.threshold ?? DEFAULT_THRESHOLD;
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
      return { error: format(t.badThreshold, { value: this.getAttribute('threshold') ?? String(threshold) }) };
    }
    const backend = this.backend ?? 'auto';
    if (!BACKEND_REQUESTS.includes(backend)) {
      return { error: format(t.badBackend, { options: BACKEND_REQUESTS.join(', '), value: String(backend) }) };
    }
    const storage = this.storage ?? 'indexeddb';
    if (!STORAGE_KINDS.includes(storage)) {
      return { error: format(t.badStorage, { options: STORAGE_KINDS.join(', '), value: String(storage) }) };
    }
    const mode = this.mode ?? 'suggest';
    if (!HITL_CLASSIFIER_MODES.includes(mode)) {
      return { error: format(t.badMode, { options: HITL_CLASSIFIER_MODES.join(', '), value: String(mode) }) };
    }
    return { options: { name, labels, threshold, backend, storage, input: this.#inputKind() } };
  }

  readonly #onChange = (event: Event): void => {
    if (!(event instanceof ClassifierChangeEvent)) return;
    const { type } = event.change;
    // Not on queue-changed: this tag's own uncertain predictions cause it, and predicting again would loop.
    // Nor on storage-error: the failed call that caused it shows its own message, and predicting writes too.
    if (type === 'training' || type === 'training-progress' || type === 'queue-changed' || type === 'storage-error') return;
    if (type === 'reset' || type === 'imported') {
      this._human = null;
      this.#decisions = [];
    }
    this.#requestPrediction();
  };

  // ---- Predicting ---------------------------------------------------------------------------------------------------

  #scheduleContentCheck(delay: number): void {
    clearTimeout(this.#contentTimer);
    this.#contentTimer = setTimeout(() => {
      this.#contentTimer = undefined;
      // A slotted image or a `for` target of another kind needs a handle of that input kind.
      this.#sync();
      // The view derives from the source (empty, human label for this input): re-render even before the answer.
      this.requestUpdate();
      const source = this.#source();
      if (source.kind === 'none' || source.key !== this.#predictedKey || source.kind === 'image') this.#requestPrediction();
    }, delay);
  }

  /** Coalesces requests: one predict in flight, and at most one more after it with the then-current input. */
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
    const source = this.#source();
    if (source.kind === 'none') {
      this._prediction = null;
      this._rejected = null;
      this.#predictedKey = null;
      return;
    }
    // An edit keeps the previous prediction on screen (marked busy) until the new one: no flicker while typing.
    if (source.key !== this.#predictedKey) this._rejected = null;
    const input: ClassifierInput = source.kind === 'text' ? source.text : source.image;
    let prediction: Prediction;
    let stored: StoredLabel | null;
    this._predicting = true;
    try {
      // The stored human label is the truth for this exact input: it survives reloads and comes from any tab or tag.
      [prediction, stored] = await Promise.all([classifier.predict(input, { shown: this.mode !== 'silent' }), classifier.getLabel(input)]);
    } catch (error) {
      if (connection === this.#connection) {
        const t = this.#strings();
        this._error = format(source.kind === 'text' ? t.classifyTextFailed : t.classifyImageFailed, { reason: messageOf(error) });
      }
      return;
    } finally {
      if (connection === this.#connection) this._predicting = false;
    }
    // An edited input is predicted again once the edit settles; a new connection predicts on its own.
    const now = this.#source();
    if (connection !== this.#connection || now.kind === 'none' || now.key !== source.key) return;
    this._error = null;
    this._human = stored ? { label: stored.label, annotator: stored.annotator, key: source.key } : null;
    this._prediction = this.#withThreshold(prediction);
    this.#predictedKey = source.key;
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
    const first = this._labels.findIndex((l) => l !== label);
    this.#focusNext = `.actions button:nth-of-type(${first + 1})`;
    return true;
  }

  async #choose(label: string): Promise<void> {
    const classifier = this._classifier;
    const source = this.#source();
    if (!classifier || source.kind === 'none' || this.#unavailable(this.#view()) || label === this._rejected) return;
    const connection = this.#connection;
    const prediction = this.#predictedKey === source.key ? this._prediction : null;
    const action: DecisionAction = prediction?.label === label ? 'accept' : this._rejected !== null ? 'reject' : 'correct';
    const annotator = this.annotator?.trim() || undefined;
    const input: ClassifierInput = source.kind === 'text' ? source.text : source.image;
    // Accept and choose-another go away with the question (in review mode, every control): keep the keyboard here.
    const focused = this.shadowRoot?.activeElement ?? null;
    const loseFocus = focused !== null && (this.mode === 'review' || focused.closest('.review') !== null);
    this._busy = label;
    let decisionId: string;
    try {
      ({ decisionId } = await classifier.label(input, label, { predictionId: prediction?.id, annotator, action }));
    } catch (error) {
      if (connection === this.#connection) this._error = format(this.#strings().labelFailed, { label, reason: messageOf(error) });
      return;
    } finally {
      if (connection === this.#connection) this._busy = null;
    }
    if (connection !== this.#connection) return;
    this._error = null;
    this._rejected = null;
    this._human = { label, annotator, key: source.key };
    this.#decisions = [...this.#decisions, { decisionId, key: source.key }].slice(-UNDO_DEPTH);
    if (loseFocus) this.#focusNext = '.undo';
    this.dispatchEvent(new HitlLabelEvent(label, prediction, annotator, { action, decisionId }));
  }

  /** Undoes this element's last decision, if it was for the input shown now. */
  async #undo(): Promise<boolean> {
    const classifier = this._classifier;
    const last = this.#lastDecision();
    const source = this.#source();
    if (!classifier || !last || source.kind === 'none' || last.key !== source.key || this._busy !== null || this._formDisabled) return false;
    const connection = this.#connection;
    const hadFocus = (this.shadowRoot?.activeElement ?? null) !== null;
    this._busy = 'undo';
    try {
      const result = await classifier.undo(last.decisionId);
      if (connection !== this.#connection) return true;
      this.#decisions = this.#decisions.filter((d) => d !== last);
      this._error = null;
      this._human = result.restoredLabel === null ? null : { label: result.restoredLabel, annotator: undefined, key: source.key };
      if (hadFocus) this.#focusNext = '.accept, .actions button';
      this.dispatchEvent(new HitlUndoEvent(last.decisionId, result.restoredLabel));
    } catch (error) {
      if (connection === this.#connection) this._error = format(this.#strings().undoFailed, { reason: messageOf(error) });
    } finally {
      if (connection === this.#connection) this._busy = null;
    }
    // Who gave a restored label, and what the model says now: ask again.
    this.#requestPrediction();
    return true;
  }

  readonly #onKeyDown = (event: KeyboardEvent): void => {
    if (this.mode === 'silent' || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const origin = event.composedPath()[0];
    if (isEditable(origin)) return;
    const onOwnButton = origin instanceof HTMLButtonElement && this.renderRoot.contains(origin);
    let handled = false;
    switch (event.key) {
      case 'Enter':
      case 'a':
      case 'A':
        // A focused button activates itself: Enter on "bug" means bug, not the prediction.
        if (event.key === 'Enter' && onOwnButton) return;
        handled = this.#acceptable() !== null;
        void this.#accept();
        break;
      case 'x':
      case 'X':
        handled = this.#reject();
        break;
      case 'Escape':
        handled = this._rejected !== null;
        this._rejected = null;
        break;
      case 'Backspace':
        handled = this.#lastDecision() !== null;
        void this.#undo();
        break;
      default:
        if (/^[1-9]$/.test(event.key)) {
          const label = this._labels[Number(event.key) - 1];
          handled = label !== undefined;
          if (label !== undefined) void this.#choose(label);
        }
    }
    if (handled) event.preventDefault();
  };

  /** This element's threshold decides `needsReview`: elements sharing a handle may disagree on it. */
  #withThreshold(prediction: Prediction): Prediction {
    const needsReview = prediction.label === null || prediction.confidence < this.threshold;
    return Object.freeze({ ...prediction, scores: Object.freeze({ ...prediction.scores }), needsReview });
  }
}

function textSource(raw: string, empty: string): Source {
  const text = raw.trim();
  return text === '' ? { kind: 'none', message: empty } : { kind: 'text', text, key: `text:${text}` };
}

function isEditable(node: EventTarget | undefined): boolean {
  if (!(node instanceof HTMLElement)) return false;
  if (node instanceof HTMLTextAreaElement || node instanceof HTMLSelectElement) return true;
  if (node instanceof HTMLInputElement)
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'range', 'color', 'file'].includes(node.type);
  return node.isContentEditable;
}

function splitLabels(value: string): string[] {
  return value
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
}

function configKey(options: ClassifierOptions): string {
  return JSON.stringify([options.storage, options.name, options.labels, options.backend, options.input]);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

declare global {
  interface HTMLElementTagNameMap {
    'hitl-classifier': HitlClassifier;
  }
}
