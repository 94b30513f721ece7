import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Classifier } from '../../classifier.js';
import { HitlErrorEvent } from '../../events.js';
import type { ModelVersion } from '../../protocol.js';
import { messageOf } from '../shared/model-connection.js';
import { format } from '../shared/strings.js';
import type { VersionsStrings } from './versions-view.strings.js';

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/**
 * The panel's model versions: the kept versions with their metrics (versions()), a rollback button on each one not
 * serving, and a pin toggle. Read again with the panel's other figures, so a training or a rollback in another
 * element or tab shows here too.
 */
export class VersionsView implements ReactiveController {
  /** The kept versions, newest first; null before the first read. */
  versions: ModelVersion[] | null = null;
  #busy = false;
  #status: { text: string; error: boolean } | null = null;
  readonly #host: ReactiveControllerHost & HTMLElement;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    // Nothing to set up: the panel reads the versions with its other figures.
  }

  /** Reads the versions; a failure leaves the last list (the panel reports failed reads itself). */
  async load(classifier: Classifier): Promise<void> {
    try {
      this.versions = await classifier.versions();
    } catch {
      return;
    }
    this.#host.requestUpdate();
  }

  render(classifier: Classifier, t: VersionsStrings): TemplateResult | typeof nothing {
    const versions = this.versions;
    if (!versions || versions.length === 0) return nothing;
    const status = this.#status;
    return html`<div part="versions" class="block versions">
      <h3>${t.versionsTitle}</h3>
      <!-- Seven columns outgrow a phone: the table scrolls, and the keyboard reaches it (a named, focusable region). -->
      <div class="versions-scroll" style="overflow-x: auto" tabindex="0" role="region" aria-label=${t.versionsCaption}>
      <table>
        <caption>
          ${t.versionsCaption}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t.versionHeader}</th>
            <th scope="col">${t.trainedHeader}</th>
            <th scope="col">${t.labelsSeenHeader}</th>
            <th scope="col">${t.heldOutHeader}</th>
            <th scope="col">${t.lossHeader}</th>
            <th scope="col">${t.stateHeader}</th>
            <th scope="col">${t.actionsHeader}</th>
          </tr>
        </thead>
        <tbody>
          ${versions.map((v) => this.#row(classifier, v, t))}
        </tbody>
      </table>
      </div>
      <p class="note">${t.versionsNote}</p>
      ${status ? html`<p part="message" class="message ${status.error ? 'error' : ''}" role=${status.error ? 'alert' : 'status'}>${status.text}</p>` : nothing}
    </div>`;
  }

  #row(classifier: Classifier, v: ModelVersion, t: VersionsStrings): TemplateResult {
    const { metrics } = v;
    const heldOut = metrics.heldOut?.accuracy;
    const name = format(t.versionName, { version: v.version });
    return html`<tr data-version=${v.version}>
      <th scope="row">${name}</th>
      <td>${when.format(v.trainedAt)}</td>
      <td>${metrics.examples}</td>
      <td>${heldOut === undefined || heldOut === null ? '–' : format(t.heldOutValue, { accuracy: percent.format(heldOut), examples: metrics.heldOut!.examples })}</td>
      <td>${metrics.loss === null ? '–' : metrics.loss.toFixed(3)}</td>
      <td>${v.pinned ? t.pinnedState : v.serving ? t.servingState : ''}</td>
      <td class="row">
        ${
          v.serving
            ? nothing
            : html`<button part="button rollback" type="button" ?disabled=${this.#busy} aria-label=${format(t.rollBackLabel, { version: v.version })}
                @click=${() => void this.#act(classifier.rollback(v.version), format(t.rolledBack, { version: v.version }), t)}>${t.rollBack}</button>`
        }
        <button part="button pin" type="button" ?disabled=${this.#busy} aria-pressed=${v.pinned ? 'true' : 'false'} aria-label=${format(t.pinLabel, { version: v.version })}
          @click=${() => void this.#act(classifier.pin(v.pinned ? null : v.version), v.pinned ? t.unpinned : format(t.pinned, { version: v.version }), t)}>
          ${t.pin}
        </button>
      </td>
    </tr>`;
  }

  async #act(change: Promise<unknown>, done: string, t: VersionsStrings): Promise<void> {
    this.#busy = true;
    this.#status = null;
    this.#host.requestUpdate();
    try {
      await change;
      this.#status = { text: done, error: false };
    } catch (error) {
      this.#status = { text: format(t.versionFailed, { reason: messageOf(error) }), error: true };
      this.#host.dispatchEvent(new HitlErrorEvent('storage', error));
    } finally {
      this.#busy = false;
      this.#host.requestUpdate();
    }
  }
}
