import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Classifier } from '../../classifier.js';
import { HitlErrorEvent, HitlLabelEvent } from '../../events.js';
import type { SuspiciousLabel } from '../../protocol.js';
import { LatestCall } from '../shared/latest-call.js';
import { messageOf } from '../shared/model-connection.js';
import { fill, format, percent } from '../shared/strings.js';
import type { HitlReviewQueueStrings } from './hitl-review-queue.strings.js';

/** Flagged labels fetched per refresh: a person looks at one at a time. */
const PAGE_SIZE = 50;

/**
 * The queue's "second look" view: labels the check on the human labels doubts (`suspiciousLabels()`), one at a time,
 * each kept or changed by a person (`reviewLabel()`). The model never changes them itself.
 */
export class SecondLook implements ReactiveController {
  items: SuspiciousLabel[] = [];
  loaded = false;
  busy = false;
  error: string | null = null;
  readonly #reads = new LatestCall(() => this.#load());

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly context: { classifier: () => Classifier | null; annotator: () => string | undefined; strings: () => HitlReviewQueueStrings },
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  get current(): SuspiciousLabel | null {
    return this.items[0] ?? null;
  }

  /** Reads the flagged labels again; a call while one is in flight runs once more after it. */
  refresh(): Promise<void> {
    return this.#reads.request();
  }

  async #load(): Promise<void> {
    const classifier = this.context.classifier();
    if (!classifier) return;
    try {
      const items = await classifier.suspiciousLabels({ limit: PAGE_SIZE });
      if (classifier !== this.context.classifier()) return;
      this.items = items;
      this.loaded = true;
    } catch (error) {
      this.error = format(this.context.strings().secondLookFailed, { reason: messageOf(error) });
      this.host.dispatchEvent(new HitlErrorEvent('storage', error));
    }
    this.host.requestUpdate();
  }

  /** The person keeps the label (`label` equal to it) or gives another. */
  async decide(label: string): Promise<void> {
    const classifier = this.context.classifier();
    const item = this.current;
    if (!classifier || !item || this.busy) return;
    const annotator = this.context.annotator();
    this.busy = true;
    this.host.requestUpdate();
    try {
      const { decisionId } = await classifier.reviewLabel(item.id, label, annotator !== undefined ? { annotator } : {});
      this.items = this.items.filter((other) => other.id !== item.id);
      this.error = null;
      this.host.dispatchEvent(new HitlLabelEvent(label, null, annotator, { action: label === item.label ? 'confirm' : 'correct', decisionId }));
    } catch (error) {
      this.error = format(this.context.strings().labelFailed, { label, reason: messageOf(error) });
      this.host.dispatchEvent(new HitlErrorEvent('label', error));
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
    void this.refresh();
  }

  render(labels: readonly string[], t: HitlReviewQueueStrings, input: (item: SuspiciousLabel) => TemplateResult): TemplateResult {
    if (!this.loaded) return html`<p part="message" class="message" role="status">${t.loading}</p>`;
    const item = this.current;
    const error = this.error ? html`<p part="message" class="message error" role="alert">${this.error}</p>` : nothing;
    if (!item) return html`<p part="message" class="message empty" role="status" tabindex="0">${t.secondLookEmpty}</p>${error}`;
    const disabled = this.busy ? 'true' : 'false';
    const label = (name: string) => html`<span part="label" class="label">${name}</span>`;
    return html`
      <figure part="item" class="item" tabindex="0" aria-label=${t.itemLabel}>${input(item)}</figure>
      <p id="doubt" part="prediction" class="prediction" aria-live="polite">
        ${fill(item.annotator === null ? t.secondLookQuestion : t.secondLookQuestionBy, {
          label: label(item.label),
          suggested: label(item.suggested),
          annotator: item.annotator ?? '',
        })}
        <span part="confidence" class="confidence">${percent.format(item.confidence)}</span>
      </p>
      <div part="review" class="review" role="group" aria-label=${t.decideGroup}>
        <button part="button keep" type="button" class="keep" aria-describedby="doubt" aria-disabled=${disabled} @click=${() => void this.decide(item.label)}>
          ${format(t.keepLabel, { label: item.label })}
        </button>
        <button part="button change" type="button" class="accept" aria-describedby="doubt" aria-disabled=${disabled} @click=${() => void this.decide(item.suggested)}>
          ${format(t.changeLabel, { label: item.suggested })}
        </button>
      </div>
      <div part="actions" class="actions" role="group" aria-label=${t.labelsGroup}>
        ${labels
          .filter((other) => other !== item.label && other !== item.suggested)
          .map(
            (other) =>
              html`<button part="button label-button" type="button" aria-disabled=${disabled} @click=${() => void this.decide(other)}>${other}</button>`,
          )}
      </div>
      ${error}
    `;
  }
}
