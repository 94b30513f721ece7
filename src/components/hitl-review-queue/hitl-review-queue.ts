import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import type { Classifier } from '../../classifier.js';
import { HitlErrorEvent, HitlLabelEvent, HitlUndoEvent } from '../../events.js';
import type { AgreementConflict, DecisionAction, EngineEvent, QueueItem, SuspiciousLabel } from '../../protocol.js';
import { DecisionKeys, keysOf, labelKeys, shortcut, type HitlKeys } from '../shared/decision-keys.js';
import { drawPixels } from '../shared/draw-pixels.js';
import { joinOpenedModel } from '../shared/join-model.js';
import { ModelOptionsElement } from '../shared/model-options-element.js';
import { LatestCall } from '../shared/latest-call.js';
import { ScrollFocus } from '../shared/scroll-focus.js';
import { ModelConnection, messageOf, type ConnectionStrings, MODEL_ATTRIBUTES } from '../shared/model-connection.js';
import { fill, format, mergeStrings, percent } from '../shared/strings.js';
import { HITL_REVIEW_QUEUE_STRINGS, type HitlReviewQueueStrings } from './hitl-review-queue.strings.js';
import { styles } from './hitl-review-queue.styles.js';
import { Conflicts } from './conflicts.js';
import { SecondLook } from './second-look.js';
import { DecisionTimer } from '../shared/decision-timer.js';

export { HITL_REVIEW_QUEUE_STRINGS, type HitlReviewQueueStrings } from './hitl-review-queue.strings.js';

/** Items fetched per refresh: the person sees one at a time, the count comes from the engine's queue size. */
const PAGE_SIZE = 50;
const UNDO_DEPTH = 10;

interface Decision {
  decisionId: string;
  item: QueueItem;
  label: string;
}

/**
 * @summary Reviews a model's persistent queue of uncertain predictions one item at a time, from the keyboard:
 * accept, reject and pick, skip, undo. Labelled items leave the queue and teach the model.
 *
 * @fires {HitlLabelEvent} hitl-label - A decision is durably stored (`HitlLabelEvent`: `label`, `prediction`, `annotator`, `action`, `decisionId`).
 * @fires {HitlUndoEvent} hitl-undo - A decision was undone and its item is back in the queue (`HitlUndoEvent`).
 * @fires {HitlErrorEvent} hitl-error - Something failed (`HitlErrorEvent`: `error`, `phase`); the element shows it too.
 *
 * @csspart base - The outer box.
 * @csspart progress - The progress line (reviewed / left) and its bar.
 * @csspart item - The item under review.
 * @csspart text - The text of a text item.
 * @csspart image - The canvas showing an image item.
 * @csspart prediction - The live region with the question "Is this …?".
 * @csspart label - The predicted label.
 * @csspart confidence - Its confidence.
 * @csspart spot-check - The mark of a spot check: a prediction drawn at random to test auto-accept.
 * @csspart review - The accept / reject / skip / undo buttons.
 * @csspart actions - The label buttons.
 * @csspart button - Every button; also `accept`, `reject`, `skip`, `undo` or `label-button`.
 * @csspart accept - The Accept button.
 * @csspart reject - The Reject button (then a label button decides).
 * @csspart skip - The Skip button (the item goes to the back of the queue).
 * @csspart undo - The Undo button.
 * @csspart label-button - Each label button.
 * @csspart message - Empty queue, waiting and error messages.
 * @csspart views - The Queue / Second look / Conflicts buttons.
 * @csspart view - Each of them; also `keep` and `change`, the second look's buttons.
 * @csspart keep - Second look: keeps the doubted label.
 * @csspart change - Second look: changes it to the suggested label.
 * @csspart conflict - Conflicts: one input annotators labelled differently.
 * @csspart given - Conflicts: each annotator's label and when.
 * @csspart settle - Conflicts: settles with one of the labels given (other labels are `label-button`s).
 *
 * @cssprop --hitl-font-family - Font of the whole element.
 * @cssprop --hitl-font-size - Base font size.
 * @cssprop --hitl-radius - Corner radius.
 * @cssprop --hitl-spacing - Padding.
 * @cssprop --hitl-accent-color - Accept button, progress bar.
 * @cssprop --hitl-accent-contrast-color - Text on the accent color.
 * @cssprop --hitl-background - Background.
 * @cssprop --hitl-text-color - Main text color.
 * @cssprop --hitl-muted-color - Secondary text.
 * @cssprop --hitl-border-color - Borders.
 * @cssprop --hitl-review-color - The rejected label.
 * @cssprop --hitl-review-background - Background of review markers (a shared theme token).
 * @cssprop --hitl-error-color - Errors.
 * @cssprop --hitl-focus-ring-color - Keyboard focus outline.
 */
@customElement('hitl-review-queue')
export class HitlReviewQueue extends ModelOptionsElement {
  static override styles = styles;
  /** `element.focus()` lands on the item, where the keys work. */
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  /** Name of the model whose queue to review. */
  @property() model = '';

  /** Who reviews, recorded with every decision. */
  @property() annotator: string | undefined;

  /**
   * `queue` (default): uncertain predictions. `second-look`: labels people gave that a model trained without them
   * contradicts (`suspiciousLabels()`), each kept or changed here. `conflicts`: inputs annotators labelled
   * differently (`agreement().conflicts`), each settled here by an adjudication recorded with `annotator`.
   */
  @property({ reflect: true }) view: 'queue' | 'second-look' | 'conflicts' = 'queue';

  /**
   * Replaces any of the texts the element shows or announces (`HitlReviewQueueStrings`); the rest keep their
   * defaults (`HITL_REVIEW_QUEUE_STRINGS`).
   */
  @property({ attribute: false }) strings: Partial<HitlReviewQueueStrings> = {};

  /**
   * Replaces any of the decision keys (`HitlKeys`: lists of `KeyboardEvent.key` names, e.g. `{ skip: ['n'] }`); the
   * rest keep their defaults. The buttons' `aria-keyshortcuts` and the key hint follow.
   */
  @property({ attribute: false }) keys: Partial<HitlKeys> = {};

  @state() private _items: QueueItem[] = [];
  /** Queue size as the engine reports it (the list holds at most a page of it). */
  @state() private _size: number | null = null;
  @state() private _reviewed = 0;
  @state() private _rejected: string | null = null;
  @state() private _busy = false;
  @state() private _error: string | null = null;
  @state() private _loaded = false;
  @state() private _undoDepth = 0;

  @query('canvas[part~="image"]') private _canvas!: HTMLCanvasElement | null;

  readonly #secondLook = new SecondLook(this, {
    classifier: () => this.#connection.classifier,
    annotator: () => this.annotator?.trim() || undefined,
    strings: () => this.#strings(),
  });
  readonly #conflicts = new Conflicts(this, {
    classifier: () => this.#connection.classifier,
    annotator: () => this.annotator?.trim() || undefined,
    strings: () => this.#strings(),
  });
  readonly #connection = new ModelConnection(this, {
    join: joinOpenedModel,
    onConnected: () => {
      this._loaded = false;
      void this.#refreshes.request();
      void this.#secondLook.refresh();
      void this.#conflicts.refresh();
    },
    onEvent: (event) => this.#onEngineEvent(event),
    describe: ({ key, values }) => format(this.#strings()[key as keyof ConnectionStrings], values),
  });
  /** One queue() call in flight, and at most one more after it. */
  readonly #refreshes = new LatestCall(() => this.#load());
  #decisions: Decision[] = [];
  /** An item to show first after the next refresh: the one just undone, or the one on screen. */
  #front: string | null = null;
  #drawn: { input?: QueueItem['input'] } | null = null;
  /** The person's visible, active time on the item shown, sent with the decision (quality().humanTime). */
  readonly #timer = new DecisionTimer(this, { shown: () => (this.view === 'queue' ? (this.current?.id ?? null) : null) });

  constructor() {
    super();
    // A page may cap the text's height (the demo does): then it scrolls, and the keyboard must reach it.
    new ScrollFocus(this, '[part~="text"]', () => this.#strings().textRegion);
    // The queue is a page of its own for reviewing: a decision key always belongs to it, even with nothing to act on.
    new DecisionKeys(this, {
      labels: () => this.#connection.classifier?.labels ?? [],
      keys: () => this.keys,
      accept: () => {
        if (this.view !== 'queue') return false;
        void this.#accept();
        return true;
      },
      reject: () => this.view === 'queue' && this.#reject(),
      cancel: () => {
        const picking = this._rejected !== null;
        this._rejected = null;
        return picking;
      },
      undo: () => {
        if (this.view !== 'queue') return false;
        void this.#undo();
        return true;
      },
      skip: () => {
        if (this.view !== 'queue') return false;
        void this.#skip();
        return true;
      },
      choose: (index) => {
        if (this.view !== 'queue') return false;
        const label = this.#connection.classifier?.labels[index];
        if (label !== undefined) void this.#decide(label);
        return label !== undefined;
      },
    });
  }

  /** The shared classifier handle, or null while connecting. */
  get classifier(): Classifier | null {
    return this.#connection.classifier;
  }

  /** Labels the check doubts, as the second look last read them (at most a page). */
  get suspicious(): readonly SuspiciousLabel[] {
    return this.#secondLook.items;
  }

  /** Unsettled conflicts between annotators, as the conflicts view last read them. */
  get conflicts(): readonly AgreementConflict[] {
    return this.#conflicts.items;
  }

  /** The item under review, or null when the queue is empty. */
  get current(): QueueItem | null {
    return this._items[0] ?? null;
  }

  /** Pending items as the engine last reported (null before the first answer). */
  get remaining(): number | null {
    return this._size;
  }

  /** Decisions made in this element (undone ones subtracted). */
  get reviewed(): number {
    return this._reviewed;
  }

  #strings(): HitlReviewQueueStrings {
    return mergeStrings(HITL_REVIEW_QUEUE_STRINGS, this.strings);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (MODEL_ATTRIBUTES.some((key) => changed.has(key))) {
      this.#connection.sync();
    }
  }

  protected override updated(): void {
    // The conflicts view paints its own pictures (conflicts.ts): there may be several.
    if (this.view === 'conflicts') return;
    const item = this.view === 'queue' ? this.current : this.#secondLook.current;
    if (item !== this.#drawn) {
      this.#drawn = item;
      const input = item?.input;
      if (this._canvas && input && typeof input === 'object' && !Array.isArray(input)) drawPixels(this._canvas, input);
    }
  }

  override render(): TemplateResult {
    const connection = this.#connection;
    const labels = connection.classifier?.labels ?? [];
    const item = this.current;
    const t = this.#strings();
    const key = (name: string | undefined) => html`<kbd>${name === ' ' ? 'Space' : name === 'Backspace' ? '⌫' : name}</kbd>`;
    const keys = keysOf(this.keys);
    const digits = labelKeys(labels, keys).slice(0, Math.max(1, labels.length));
    return html`
      <div part="base" class="base">
        ${this.view === 'queue' ? this.#renderProgress() : nothing}
        ${
          connection.message
            ? html`<p part="message" class=${classMap({ message: true, error: connection.failed })} role=${connection.failed ? 'alert' : 'status'}>${connection.message}</p>`
            : this.view === 'second-look'
              ? connection.classifier
                ? this.#secondLook.render(labels, t, (item) => this.#renderInput(item, t))
                : html`<p part="message" class="message" role="status">${t.loading}</p>`
              : this.view === 'conflicts'
                ? connection.classifier
                  ? this.#conflicts.render(labels, t, (item) => this.#renderInput(item, t))
                  : html`<p part="message" class="message" role="status">${t.loading}</p>`
                : nothing
        }
        ${
          this.view !== 'queue' || connection.message
            ? nothing
            : !connection.classifier || !this._loaded
              ? html`<p part="message" class="message" role="status">${t.loading}</p>`
              : item
                ? this.#renderItem(item, labels)
                : html`<p part="message" class="message empty" role="status" tabindex="0">${t.empty}</p>`
        }
        ${this._error && this.view === 'queue' ? html`<p part="message" class="message error" role="alert">${this._error}</p>` : nothing}
        ${
          this.view === 'queue' && connection.classifier && this._loaded && !item && this._undoDepth > 0
            ? html`<div part="review" class="review">
              <button part="button undo" type="button" aria-keyshortcuts=${shortcut(keysOf(this.keys).undo)} @click=${() => void this.#undo()}>${t.undo}</button>
            </div>`
            : nothing
        }
        ${this.#renderViews(t)}
        <p class="keys" aria-hidden="true">
          ${fill(t.keys, {
            a: key(keys.accept[1] ?? keys.accept[0]),
            enter: key(keys.accept[0]),
            x: key(keys.reject[0]),
            digits: html`${key(digits[0])}–${key(digits.at(-1))}`,
            s: key(keys.skip[0]),
            backspace: key(keys.undo[0]),
          })}
        </p>
      </div>
    `;
  }

  #renderViews(t: HitlReviewQueueStrings): TemplateResult {
    const view = (name: 'queue' | 'second-look' | 'conflicts', text: string) =>
      html`<button part="button view" type="button" aria-pressed=${this.view === name ? 'true' : 'false'} @click=${() => this.#show(name)}>${text}</button>`;
    return html`<div part="views" class="views" role="group" aria-label=${t.viewsGroup}>
      ${view('queue', t.queueView)} ${view('second-look', format(t.secondLookView, { count: this.#secondLook.items.length }))}
      ${view('conflicts', format(t.conflictsView, { count: this.#conflicts.items.length }))}
    </div>`;
  }

  #show(view: 'queue' | 'second-look' | 'conflicts'): void {
    this.view = view;
    if (view === 'second-look') void this.#secondLook.refresh();
    if (view === 'conflicts') void this.#conflicts.refresh();
  }

  #renderProgress(): TemplateResult {
    const left = this._size;
    const total = left === null ? 0 : left + this._reviewed;
    const t = this.#strings();
    const text = left === null ? '' : format(t.progress, { reviewed: this._reviewed, left });
    return html`<div part="progress" class="progress">
      <span class="count" role="status">${text}</span>
      <progress max=${Math.max(total, 1)} .value=${this._reviewed} aria-label=${t.progressLabel}></progress>
    </div>`;
  }

  #renderItem(item: QueueItem, labels: readonly string[]): TemplateResult {
    const prediction = item.prediction;
    const picking = this._rejected !== null;
    const disabled = this._busy ? 'true' : 'false';
    const t = this.#strings();
    return html`
      <figure part="item" class="item" tabindex="0" aria-label=${t.itemLabel}>${this.#renderInput(item, t)}</figure>
      <p id="prediction" part="prediction" class="prediction" aria-live="polite">
        ${
          picking
            ? fill(t.rejectedQuestion, { label: html`<span part="label" class="label rejected">${this._rejected}</span>` })
            : prediction.label === null
              ? t.noModelQuestion
              : html`${fill(t.question, { label: html`<span part="label" class="label">${prediction.label}</span>` })}
                <span part="confidence" class="confidence">${percent.format(prediction.confidence)}</span>`
        }
        ${prediction.spotCheck ? html`<span part="spot-check" class="spot-check" title=${t.spotCheckNote}>${t.spotCheck}</span>` : nothing}
      </p>
      <div part="review" class="review" role="group" aria-label=${t.decideGroup}>
        ${
          prediction.label !== null && !picking
            ? html`<button part="button accept" type="button" class="accept" aria-describedby="prediction" aria-keyshortcuts=${shortcut(keysOf(this.keys).accept)} aria-disabled=${disabled} @click=${() => void this.#accept()}>
                ${t.accept}
              </button>
              <button part="button reject" type="button" class="reject" aria-describedby="prediction" aria-keyshortcuts=${shortcut(keysOf(this.keys).reject)} aria-disabled=${disabled} @click=${() => this.#reject()}>
                ${t.reject}
              </button>`
            : nothing
        }
        <button part="button skip" type="button" class="skip" aria-keyshortcuts=${shortcut(keysOf(this.keys).skip)} aria-disabled=${disabled} @click=${() => void this.#skip()}>${t.skip}</button>
        <button part="button undo" type="button" class="undo" aria-keyshortcuts=${shortcut(keysOf(this.keys).undo)} aria-disabled=${this._busy || this._undoDepth === 0 ? 'true' : 'false'} @click=${() => void this.#undo()}>
          ${t.undo}
        </button>
      </div>
      <div part="actions" class="actions" role="group" aria-label=${t.labelsGroup}>
        ${labels.map(
          (label, i) => html`<button
            part="button label-button"
            type="button"
            class=${classMap({ suggested: !picking && label === prediction.label, rejected: label === this._rejected })}
            aria-disabled=${this._busy || label === this._rejected ? 'true' : 'false'}
            aria-keyshortcuts=${shortcut(labelKeys(labels, keysOf(this.keys)).slice(i, i + 1)) || nothing}
            @click=${() => void this.#decide(label)}
          >${label}</button>`,
        )}
      </div>
    `;
  }

  #renderInput(item: { id: string; input?: QueueItem['input'] }, t: HitlReviewQueueStrings): TemplateResult {
    const input = item.input;
    if (input === undefined) {
      return html`<p part="text" class="text unavailable">${format(t.notStored, { id: item.id.slice(0, 12) })}</p>`;
    }
    if (typeof input === 'string') return html`<blockquote part="text" class="text">${input}</blockquote>`;
    if (Array.isArray(input)) return html`<p part="text" class="text numbers">${input.map((v) => formatNumber(v)).join(', ')}</p>`;
    return html`<canvas part="image" class="image" width=${input.width} height=${input.height} role="img" aria-label=${format(t.imageLabel, { width: input.width, height: input.height })}></canvas>`;
  }

  // ---- Queue --------------------------------------------------------------------------------------------------------

  #onEngineEvent(event: EngineEvent): void {
    if (event.type === 'queue-changed') this._size = event.size;
    // A new check, a label given or undone anywhere, a reset or an import can change what the second look lists.
    if (['label-check', 'examples-changed', 'reset', 'imported', 'labels-changed'].includes(event.type)) void this.#secondLook.refresh();
    // A label, an undo, an adjudication or an import anywhere can open or settle a conflict.
    if (['examples-changed', 'reset', 'imported', 'labels-changed'].includes(event.type)) void this.#conflicts.refresh();
    if (
      event.type === 'queue-changed' ||
      event.type === 'model-updated' ||
      event.type === 'reset' ||
      event.type === 'imported' ||
      event.type === 'labels-changed'
    ) {
      if (event.type === 'reset' || event.type === 'imported') {
        this.#decisions = [];
        this._undoDepth = 0;
      }
      void this.#refreshes.request();
    }
  }

  async #load(): Promise<void> {
    const classifier = this.#connection.classifier;
    if (!classifier) return;
    let items: QueueItem[];
    try {
      items = await classifier.queue({ limit: PAGE_SIZE });
    } catch (error) {
      if (classifier === this.#connection.classifier) {
        this._error = format(this.#strings().loadFailed, { reason: messageOf(error) });
        this.dispatchEvent(new HitlErrorEvent('storage', error));
      }
      return;
    }
    if (classifier !== this.#connection.classifier) return;
    // The item on screen stays there while the person looks at it, even if a retrained model reorders the queue.
    const front = this.#front ?? this.current?.id ?? null;
    this.#front = null;
    const index = front === null ? -1 : items.findIndex((item) => item.id === front);
    if (index > 0) items = [items[index]!, ...items.slice(0, index), ...items.slice(index + 1)];
    if (this._items[0]?.id !== items[0]?.id) this._rejected = null;
    this._items = items;
    // A short page is the whole queue; a full one is a lower bound until a queue-changed event gives the size.
    this._size = items.length < PAGE_SIZE ? items.length : Math.max(this._size ?? 0, items.length);
    this._loaded = true;
  }

  // ---- Decisions ----------------------------------------------------------------------------------------------------

  async #accept(): Promise<void> {
    const label = this.current?.prediction.label;
    if (label != null && this._rejected === null) await this.#decide(label);
  }

  #reject(): boolean {
    const label = this.current?.prediction.label;
    if (label == null || this._busy || this._rejected !== null) return false;
    this._rejected = label;
    return true;
  }

  async #decide(label: string): Promise<void> {
    const classifier = this.#connection.classifier;
    const item = this.current;
    if (!classifier || !item || this._busy || label === this._rejected) return;
    const prediction = item.prediction;
    const action: DecisionAction = prediction.label === label ? 'accept' : this._rejected !== null ? 'reject' : 'correct';
    const annotator = this.annotator?.trim() || undefined;
    this._busy = true;
    const durationMs = this.#timer.take();
    try {
      const { decisionId } = await classifier.labelQueued(item.id, label, { predictionId: prediction.id, annotator, action, durationMs });
      this.#decisions = [...this.#decisions, { decisionId, item, label }].slice(-UNDO_DEPTH);
      this._undoDepth = this.#decisions.length;
      this._reviewed += 1;
      this._error = null;
      this._rejected = null;
      // Next item at once; the engine's queue-changed event brings the authoritative list.
      this._items = this._items.filter((other) => other.id !== item.id);
      if (this._size !== null) this._size = Math.max(0, this._size - 1);
      this.dispatchEvent(new HitlLabelEvent(label, prediction, annotator, { action, decisionId }));
    } catch (error) {
      this._error = format(this.#strings().labelFailed, { label, reason: messageOf(error) });
      this.dispatchEvent(new HitlErrorEvent('label', error));
    } finally {
      this._busy = false;
    }
    void this.#refreshes.request();
  }

  async #skip(): Promise<void> {
    const classifier = this.#connection.classifier;
    const item = this.current;
    if (!classifier || !item || this._busy) return;
    this._busy = true;
    try {
      await classifier.skip(item.id);
      this._rejected = null;
      this._error = null;
      this._items = [...this._items.slice(1), item];
    } catch (error) {
      this._error = format(this.#strings().skipFailed, { reason: messageOf(error) });
      this.dispatchEvent(new HitlErrorEvent('label', error));
    } finally {
      this._busy = false;
    }
    void this.#refreshes.request();
  }

  async #undo(): Promise<void> {
    const classifier = this.#connection.classifier;
    const last = this.#decisions.at(-1);
    if (!classifier || !last || this._busy) return;
    this._busy = true;
    try {
      const result = await classifier.undo(last.decisionId);
      this.#decisions = this.#decisions.slice(0, -1);
      this._undoDepth = this.#decisions.length;
      this._reviewed = Math.max(0, this._reviewed - 1);
      this._error = null;
      this._rejected = null;
      // The undone item comes back in front, so the person decides it again.
      this.#front = last.item.id;
      this._items = [last.item, ...this._items.filter((other) => other.id !== last.item.id)];
      this.dispatchEvent(new HitlUndoEvent(last.decisionId, result.restoredLabel));
    } catch (error) {
      this._error = format(this.#strings().undoFailed, { reason: messageOf(error) });
      this.dispatchEvent(new HitlErrorEvent('label', error));
    } finally {
      this._busy = false;
    }
    void this.#refreshes.request();
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

declare global {
  interface HTMLElementTagNameMap {
    'hitl-review-queue': HitlReviewQueue;
  }
}
