import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Classifier } from '../../classifier.js';
import { HitlErrorEvent, HitlLabelEvent } from '../../events.js';
import type { AgreementConflict, StoredInputView } from '../../protocol.js';
import { drawPixels } from '../shared/draw-pixels.js';
import { LatestCall } from '../shared/latest-call.js';
import { messageOf } from '../shared/model-connection.js';
import { fill, format } from '../shared/strings.js';
import type { HitlReviewQueueStrings } from './hitl-review-queue.strings.js';

/** Conflicts listed at once: each is a small card, and settling one brings the next into the list. */
const PAGE_SIZE = 20;

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The queue's "conflicts" view: inputs annotators labelled differently (`agreement().conflicts`), each with what every
 * annotator said and when, settled by a further decision (`adjudicate()`, logged with the action 'adjudicate' and the
 * element's annotator). The annotators' own labels stay in the log and in the agreement figures.
 */
export class Conflicts implements ReactiveController {
  items: AgreementConflict[] = [];
  loaded = false;
  busy = false;
  error: string | null = null;
  readonly #reads = new LatestCall(() => this.#load());
  /** What each canvas shows: cards are reused by position, so a re-render repaints only the pictures that moved. */
  #painted = new WeakMap<HTMLCanvasElement, StoredInputView>();
  /** After a settlement the list shrinks: focus goes to the conflict that took its place, not to the page. */
  #focusIndex: number | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly context: { classifier: () => Classifier | null; annotator: () => string | undefined; strings: () => HitlReviewQueueStrings },
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostUpdated(): void {
    const root = this.host.shadowRoot;
    if (!root) return;
    for (const figure of root.querySelectorAll<HTMLElement>('[data-conflict]')) {
      const canvas = figure.querySelector('canvas');
      const input = this.items.find((c) => c.inputHash === figure.dataset['conflict'])?.input;
      if (canvas && input && typeof input === 'object' && !Array.isArray(input) && this.#painted.get(canvas) !== input) {
        this.#painted.set(canvas, input);
        drawPixels(canvas, input);
      }
    }
    if (this.#focusIndex !== null) {
      const cards = root.querySelectorAll<HTMLElement>('[part~="conflict"]');
      const target = cards[Math.min(this.#focusIndex, cards.length - 1)] ?? root.querySelector<HTMLElement>('.conflicts-empty');
      this.#focusIndex = null;
      target?.focus();
    }
  }

  /** Reads the conflicts again; a call while one is in flight runs once more after it. */
  refresh(): Promise<void> {
    return this.#reads.request();
  }

  async #load(): Promise<void> {
    const classifier = this.context.classifier();
    if (!classifier) return;
    try {
      const { conflicts } = await classifier.agreement();
      if (classifier !== this.context.classifier()) return;
      this.items = conflicts;
      this.loaded = true;
      this.error = null;
    } catch (error) {
      this.error = format(this.context.strings().conflictsFailed, { reason: messageOf(error) });
      this.host.dispatchEvent(new HitlErrorEvent('storage', error));
    }
    this.host.requestUpdate();
  }

  /** Settles one conflict with `label`, recorded as the element's annotator's adjudication. */
  async settle(conflict: AgreementConflict, label: string): Promise<void> {
    const classifier = this.context.classifier();
    if (!classifier || this.busy) return;
    const annotator = this.context.annotator();
    const hadFocus = this.host.shadowRoot?.activeElement !== null && this.host.shadowRoot?.activeElement !== undefined;
    this.busy = true;
    this.host.requestUpdate();
    try {
      const { decisionId } = await classifier.adjudicate(conflict.inputHash, label, annotator !== undefined ? { annotator } : {});
      const index = this.items.indexOf(conflict);
      this.items = this.items.filter((other) => other.inputHash !== conflict.inputHash);
      if (hadFocus) this.#focusIndex = Math.max(0, index);
      this.error = null;
      this.host.dispatchEvent(new HitlLabelEvent(label, null, annotator, { action: 'adjudicate', decisionId }));
    } catch (error) {
      this.error = format(this.context.strings().labelFailed, { label, reason: messageOf(error) });
      this.host.dispatchEvent(new HitlErrorEvent('label', error));
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
    void this.refresh();
  }

  render(
    labels: readonly string[],
    t: HitlReviewQueueStrings,
    input: (item: { id: string; input?: StoredInputView }) => TemplateResult,
  ): TemplateResult {
    if (!this.loaded) return html`<p part="message" class="message" role="status">${t.loading}</p>`;
    const error = this.error ? html`<p part="message" class="message error" role="alert">${this.error}</p>` : nothing;
    if (this.items.length === 0) {
      return html`<p part="message" class="message empty conflicts-empty" role="status" tabindex="-1">${t.conflictsEmpty}</p>${error}`;
    }
    const shown = this.items.slice(0, PAGE_SIZE);
    return html`
      ${this.items.length > shown.length ? html`<p part="message" class="message">${format(t.conflictsMore, { shown: shown.length, count: this.items.length })}</p>` : nothing}
      <ol class="conflicts" aria-label=${t.conflictsList}>
        ${shown.map((conflict, i) => this.#renderConflict(conflict, i, labels, t, input))}
      </ol>
      ${error}
    `;
  }

  #renderConflict(
    conflict: AgreementConflict,
    index: number,
    labels: readonly string[],
    t: HitlReviewQueueStrings,
    input: (item: { id: string; input?: StoredInputView }) => TemplateResult,
  ): TemplateResult {
    const disabled = this.busy ? 'true' : 'false';
    const given = [...new Set(conflict.labels.map((l) => l.label))];
    const others = labels.filter((label) => !given.includes(label));
    const id = `conflict-${index}`;
    return html`<li part="conflict" class="conflict" tabindex="-1" aria-labelledby=${`${id}-title`}>
      <h3 id=${`${id}-title`} class="conflict-title">${format(t.conflictTitle, { n: index + 1, count: this.items.length })}</h3>
      <figure part="item" class="item" data-conflict=${conflict.inputHash}>
        ${
          conflict.input === undefined
            ? html`<p part="text" class="text unavailable">${format(t.conflictNotStored, { hash: conflict.inputHash })}</p>`
            : input({ id: conflict.inputHash, input: conflict.input })
        }
      </figure>
      <ul part="given" class="given" id=${`${id}-given`} aria-label=${t.conflictLabels}>
        ${conflict.labels.map(
          (l) =>
            html`<li>
              ${fill(l.annotator === '' ? t.conflictLabelAnonymous : t.conflictLabel, {
                annotator: html`<strong>${l.annotator}</strong>`,
                label: html`<span part="label" class="label">${l.label}</span>`,
                time: html`<time datetime=${new Date(l.time).toISOString()}>${time.format(l.time)}</time>`,
              })}
            </li>`,
        )}
      </ul>
      <div part="review" class="review" role="group" aria-label=${t.settleGroup} aria-describedby=${`${id}-given`}>
        ${given.map(
          (label) =>
            html`<button part="button settle" type="button" class="accept" aria-disabled=${disabled} @click=${() => void this.settle(conflict, label)}>
              ${format(t.settleAs, { label })}
            </button>`,
        )}
      </div>
      ${
        others.length > 0
          ? html`<div part="actions" class="actions" role="group" aria-label=${t.settleOther}>
              ${others.map(
                (label) =>
                  html`<button part="button label-button" type="button" aria-disabled=${disabled} @click=${() => void this.settle(conflict, label)}>${label}</button>`,
              )}
            </div>`
          : nothing
      }
    </li>`;
  }
}
