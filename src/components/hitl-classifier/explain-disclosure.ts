import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Explanation } from '../../protocol.js';
import { messageOf } from '../shared/model-connection.js';
import { format } from '../shared/strings.js';
import type { ImageElement } from './classifier-source.js';
import type { HitlClassifierStrings } from './hitl-classifier.strings.js';

type Panel = typeof import('./explain-panel.js');
let panel: Promise<Panel> | null = null;
/**
 * What draws an explanation loads when a disclosure first opens: `explain` is opt-in and the panel is most of its
 * code, so pages that never open one keep the widget's first load within its budget (test/e2e/size.e2e.test.ts).
 */
function loadPanel(): Promise<Panel> {
  panel ??= import('./explain-panel.js');
  return panel;
}

/** What the disclosure explains: the input's key (to know when it changed) and how to ask for it. */
export interface ExplainRequest {
  key: string;
  modelVersion: number;
  explain: () => Promise<Explanation>;
}

/**
 * The "Why?" disclosure of `<hitl-classifier explain>`: closed until a person opens it, so the explanation never
 * anchors a person deciding; asks for the explanation only then, once per input and model version. What it asked for
 * an input that changed since is dropped.
 */
export class ExplainDisclosure implements ReactiveController {
  open = false;
  #explanation: { key: string; modelVersion: number; value: Explanation } | null = null;
  #error: string | null = null;
  #loading = false;
  /** Bumped by every request and by forget(): only the latest request's answer is shown. */
  #call = 0;
  #draw: Panel['renderExplanation'] | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.forget();
  }

  /** Closes it and drops what it showed: another input, another model, or a person deciding again. */
  forget(): void {
    this.#call += 1;
    this.open = false;
    this.#explanation = null;
    this.#error = null;
    this.#loading = false;
    this.host.requestUpdate();
  }

  /**
   * A prediction was shown. Another input closes the disclosure: a person deciding on it sees no explanation until
   * they ask. A new model version for the same input is explained again if the disclosure is open.
   */
  follow(request: ExplainRequest): void {
    const shown = this.#explanation;
    if (shown && shown.key === request.key && shown.modelVersion === request.modelVersion) return;
    if (this.open && (shown === null || shown.key === request.key)) void this.#load(request);
    else if (this.open || shown || this.#error) this.forget();
  }

  toggle(request: ExplainRequest): void {
    this.open = !this.open;
    this.host.requestUpdate();
    const shown = this.#explanation;
    if (this.open && !(shown && shown.key === request.key && shown.modelVersion === request.modelVersion)) void this.#load(request);
  }

  async #load(request: ExplainRequest): Promise<void> {
    const call = ++this.#call;
    this.#loading = true;
    this.#error = null;
    this.host.requestUpdate();
    try {
      const [value, { renderExplanation }] = await Promise.all([request.explain(), loadPanel()]);
      this.#draw = renderExplanation;
      if (call === this.#call) this.#explanation = { key: request.key, modelVersion: request.modelVersion, value };
    } catch (error) {
      if (call === this.#call) this.#error = messageOf(error);
    } finally {
      if (call === this.#call) {
        this.#loading = false;
        this.host.requestUpdate();
      }
    }
  }

  /** The toggle button and, while open, the panel; `source` is what the element classifies now. */
  render(t: HitlClassifierStrings, source: { text: string } | { image: ImageElement }, request: ExplainRequest): TemplateResult {
    return html`<div class="why">
      <button
        part="button why-toggle"
        type="button"
        class="why-toggle"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="why-panel"
        @click=${() => this.toggle(request)}
      >
        ${t.why}
      </button>
      ${this.open ? html`<div id="why-panel" part="why" class="why-panel" role="region" aria-label=${t.why} aria-busy=${this.#loading ? 'true' : 'false'}>${this.#panel(t, source)}</div>` : nothing}
    </div>`;
  }

  #panel(t: HitlClassifierStrings, source: { text: string } | { image: ImageElement }): TemplateResult {
    if (this.#error !== null) return html`<p class="message error" role="alert">${format(t.whyFailed, { reason: this.#error })}</p>`;
    const explanation = this.#explanation?.value;
    if (!explanation || this.#loading || !this.#draw) return html`<p class="message">${t.whyLoading}</p>`;
    return this.#draw(t, source, explanation);
  }
}
