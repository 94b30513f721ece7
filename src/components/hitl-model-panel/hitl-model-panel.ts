import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import type { Classifier } from '../../classifier.js';
import { HitlDriftEvent, HitlErrorEvent } from '../../events.js';
import type { EngineEvent, QualityReport, RiskCoveragePoint, Stats } from '../../protocol.js';
import { joinOpenedModel } from '../shared/join-model.js';
import { ModelOptionsElement } from '../shared/model-options-element.js';
import { LatestCall } from '../shared/latest-call.js';
import { ScrollFocus } from '../shared/scroll-focus.js';
import { ModelConnection, messageOf, type ConnectionStrings, MODEL_ATTRIBUTES } from '../shared/model-connection.js';
import { fill, format, mergeStrings } from '../shared/strings.js';
import { HITL_MODEL_PANEL_STRINGS, type HitlModelPanelStrings } from './hitl-model-panel.strings.js';
import { autoAcceptBlock } from './risk-coverage.js';
import { styles } from './hitl-model-panel.styles.js';
import { classWarningList, labelCounts, outOfFoldBlock } from './per-class.js';
import { driftAlert, qualityBlock } from './quality-figures.js';
import { humanTimeBlock } from './human-time.js';
import { modelChoice } from './model-choice.js';
import { TrainingRun } from './training-run.js';
import { VersionsView } from './versions-view.js';
import { RankerFigures } from './ranker-figures.js';
import type { Ranker } from '../../ranker.js';

export { HITL_MODEL_PANEL_STRINGS, type HitlModelPanelStrings } from './hitl-model-panel.strings.js';

const DEFAULT_WINDOW = 200;
const DEFAULT_REFRESH_S = 10;

const BACKEND_NAMES: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/**
 * @summary What a person responsible for a model needs at a glance: backend, version, labels per class, training
 * with progress and loss, agreement with people over time, a confusion matrix, a reliability diagram, the
 * auto-accept share, drift warnings, and export / import / reset.
 *
 * @fires {HitlDriftEvent} hitl-drift - The drift report turned to drifted (`HitlDriftEvent`, `detail`: the `DriftReport`).
 * @fires {HitlErrorEvent} hitl-error - Something failed (`HitlErrorEvent`: `error`, `phase`); the element shows it too.
 *
 * @csspart base - The outer box.
 * @csspart summary - Model name, backend and version.
 * @csspart counts - Labels per class.
 * @csspart training - The training progress bar, status and Train now button.
 * @csspart drift - The drift warning.
 * @csspart agreement - The agreement-over-time chart (SVG).
 * @csspart confusion - The confusion matrix table.
 * @csspart per-class - The per-label precision, recall and F1 table.
 * @csspart class-warnings - Notes on labels with too few examples.
 * @csspart label-check - The check on the human labels: how many it doubts, and its per-label figures.
 * @csspart out-of-fold - The per-label precision, recall and F1 table of out-of-fold predictions.
 * @csspart reliability - The reliability diagram (SVG).
 * @csspart auto-accept - The auto-accept share.
 * @csspart versions - The kept model versions: their metrics, with a rollback button and a pin toggle each.
 * @csspart rollback - A version's Roll back button.
 * @csspart pin - A version's Pin toggle (`aria-pressed` while pinned).
 * @csspart data - Export, import and reset.
 * @csspart button - Every button; also `train`, `export`, `reset`, `confirm-reset` or `cancel-reset`.
 * @csspart train - The Train now / Cancel training button.
 * @csspart export - The Export button.
 * @csspart reset - The Reset… button.
 * @csspart confirm-reset - Delete everything, in the reset question.
 * @csspart cancel-reset - Cancel, in the reset question.
 * @csspart download - The link to the exported file, to save it again.
 * @csspart message - Status and error messages.
 * @csspart auto-accept - With a handle created with `autoAccept`: the guarantee, the served threshold and its evidence.
 * @csspart risk-coverage - Its risk–coverage plot (share let through against the error bound) with the operating point.
 *
 * @cssprop --hitl-font-family - Font of the whole element.
 * @cssprop --hitl-font-size - Base font size.
 * @cssprop --hitl-radius - Corner radius.
 * @cssprop --hitl-spacing - Padding.
 * @cssprop --hitl-accent-color - Bars, chart lines, primary buttons.
 * @cssprop --hitl-accent-contrast-color - Text on the accent color.
 * @cssprop --hitl-background - Background.
 * @cssprop --hitl-text-color - Main text color.
 * @cssprop --hitl-muted-color - Secondary text, axes, the diagonal.
 * @cssprop --hitl-border-color - Borders and grid lines.
 * @cssprop --hitl-review-color - The drift warning.
 * @cssprop --hitl-review-background - Background of the drift warning.
 * @cssprop --hitl-error-color - Errors and the reset confirmation.
 * @cssprop --hitl-focus-ring-color - Keyboard focus outline.
 */
@customElement('hitl-model-panel')
export class HitlModelPanel extends ModelOptionsElement {
  static override styles = styles;

  /** Name of the model to show. */
  @property() model = '';

  /** How many of the latest human decisions (and shown predictions per drift window) the quality figures cover. */
  @property({ attribute: 'window', type: Number }) qualityWindow = DEFAULT_WINDOW;

  /**
   * Seconds between quality refreshes while the page is visible (predictions shown elsewhere send no event);
   * 0 turns it off. Labels, training, imports and resets refresh at once regardless.
   */
  @property({ attribute: 'refresh-interval', type: Number }) refreshInterval = DEFAULT_REFRESH_S;

  /**
   * Replaces any of the texts the element shows or announces (`HitlModelPanelStrings`); the rest keep their
   * defaults (`HITL_MODEL_PANEL_STRINGS`).
   */
  @property({ attribute: false }) strings: Partial<HitlModelPanelStrings> = {};
  /** A ranker (createRanker) the page opened: the panel shows its figures instead of a classifier's. */
  @property({ attribute: false }) ranker: Ranker | null = null;
  readonly #rankerFigures = new RankerFigures(this);

  @state() private _stats: Stats | null = null;
  @state() private _quality: QualityReport | null = null;
  /** With a handle created with `autoAccept`: the risk–coverage curve behind its threshold. */
  @state() private _curve: RiskCoveragePoint[] | null = null;
  @state() private _status: { text: string; error: boolean } | null = null;
  @state() private _confirmReset = false;
  @state() private _busy: 'train' | 'export' | 'import' | 'reset' | null = null;
  @state() private _download: { url: string; name: string; size: number } | null = null;

  readonly #connection = new ModelConnection(this, {
    join: joinOpenedModel,
    onConnected: () => void this.refresh(),
    onEvent: (event) => this.#onEngineEvent(event),
    describe: ({ key, values }) => format(this.#strings()[key as keyof ConnectionStrings], values),
  });
  /** One stats/quality pair in flight, at most one more queued behind it. */
  readonly #refreshes = new LatestCall(() => this.#load());
  readonly #training = new TrainingRun(this);
  readonly #versions = new VersionsView(this);

  constructor() {
    super();
    // A page may cap the matrix's width (the demo does on a phone): then it scrolls, and the keyboard must reach it (its caption names it).
    new ScrollFocus(this, '[part~="confusion"]');
  }
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Whether the last report was drifted: `hitl-drift` fires on the change to true only. */
  #drifted = false;

  /** The shared classifier handle, or null while connecting. */
  get classifier(): Classifier | null {
    return this.#connection.classifier;
  }

  /** The latest stats shown, or null before the first. */
  get stats(): Stats | null {
    return this._stats;
  }

  /** The latest quality report shown, or null before the first. */
  get quality(): QualityReport | null {
    return this._quality;
  }

  /**
   * Reads stats and quality again now (they also refresh on every change of the model and on a timer); resolves
   * once what the model held at the time of the call is shown. Never rejects: errors are shown in the panel.
   */
  refresh(): Promise<void> {
    return this.#refreshes.request();
  }

  #strings(): HitlModelPanelStrings {
    return mergeStrings(HITL_MODEL_PANEL_STRINGS, this.strings);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#startTimer();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this._download) URL.revokeObjectURL(this._download.url);
    this._download = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (MODEL_ATTRIBUTES.some((key) => changed.has(key))) {
      if (changed.has('model') || changed.has('storage')) {
        this._stats = null;
        this._quality = null;
        this.#drifted = false;
      }
      this.#connection.sync();
    }
    if (changed.has('qualityWindow') && changed.get('qualityWindow') !== undefined) void this.refresh();
    if (changed.has('refreshInterval') && this.isConnected) this.#startTimer();
  }

  #startTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const seconds = Number(this.refreshInterval);
    if (!(seconds > 0)) return;
    this.#timer = setInterval(() => {
      if (document.visibilityState === 'visible' && this.#connection.classifier) void this.refresh();
    }, seconds * 1000);
  }

  #window(): number {
    const value = Number(this.qualityWindow);
    return Number.isInteger(value) && value >= 1 ? value : DEFAULT_WINDOW;
  }

  async #load(): Promise<void> {
    const classifier = this.#connection.classifier;
    if (!classifier) return;
    let stats: Stats;
    let quality: QualityReport;
    let curve: RiskCoveragePoint[] | null;
    const versions = this.#versions.load(classifier);
    try {
      [stats, quality, curve] = await Promise.all([
        classifier.stats(),
        classifier.quality({ window: this.#window() }),
        classifier.autoAccept ? classifier.riskCoverage() : null,
      ]);
    } catch (error) {
      if (classifier === this.#connection.classifier) {
        this._status = { text: format(this.#strings().readFailed, { reason: messageOf(error) }), error: true };
        this.dispatchEvent(new HitlErrorEvent('storage', error));
      }
      return;
    }
    await versions;
    if (classifier !== this.#connection.classifier) return;
    this._stats = stats;
    this._quality = quality;
    this._curve = curve;
    if (!stats.training) this.#training.idle();
    const drifted = quality.drift.drifted;
    if (drifted && !this.#drifted) this.dispatchEvent(new HitlDriftEvent(quality.drift));
    this.#drifted = drifted;
  }

  #onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'training-progress':
        this.#training.onEvent(event);
        return;
      case 'training':
        this.#training.onEvent(event);
        void this.refresh();
        return;
      case 'queue-changed':
        // Every uncertain prediction shown changes the queue: a cheap hint that the log moved too.
        void this.refresh();
        return;
      default:
        void this.refresh();
    }
  }

  // ---- Rendering ----------------------------------------------------------------------------------------------------

  override render(): TemplateResult {
    if (this.ranker) return this.#rankerFigures.render();
    const connection = this.#connection;
    const classifier = connection.classifier;
    const t = this.#strings();
    return html`
      <section part="base" class="base" aria-label=${format(t.panelLabel, { model: this.model })}>
        ${
          connection.message
            ? html`<p part="message" class=${classMap({ message: true, error: connection.failed })} role=${connection.failed ? 'alert' : 'status'}>${connection.message}</p>`
            : nothing
        }
        ${classifier && this._stats ? this.#renderBody(classifier, this._stats) : connection.message ? nothing : html`<p part="message" class="message" role="status">${t.loading}</p>`}
      </section>
    `;
  }

  #renderBody(classifier: Classifier, stats: Stats): TemplateResult {
    const quality = this._quality;
    const t = this.#strings();
    return html`
      <dl part="summary" class="summary">
        <div><dt>${t.modelTerm}</dt><dd>${classifier.name}</dd></div>
        <div><dt>${t.backendTerm}</dt><dd data-stat="backend">${BACKEND_NAMES[stats.backend] ?? stats.backend}</dd></div>
        <div><dt>${t.versionTerm}</dt><dd data-stat="version">${stats.modelVersion === 0 ? t.versionNone : format(t.version, { version: stats.modelVersion })}</dd></div>
        <div><dt>${t.examplesTerm}</dt><dd data-stat="examples">${stats.examples}</dd></div>
        ${modelChoice(stats.featureChoice, t)}
      </dl>
      ${quality?.drift.drifted ? driftAlert(quality, t) : nothing}
      ${labelCounts(classifier.labels, stats, t)} ${classWarningList(stats.classWarnings, t)} ${outOfFoldBlock(stats.outOfFold, t)}
      ${stats.autoAccept ? autoAcceptBlock(stats.autoAccept, this._curve, t) : nothing}
      ${this.#renderTraining(stats, t)} ${this.#versions.render(classifier, t)}
      ${quality ? qualityBlock(quality, t) : nothing} ${quality ? humanTimeBlock(quality.humanTime, t) : nothing}
      ${this.#renderData(classifier, t)}
    `;
  }

  #renderTraining(stats: Stats, t: HitlModelPanelStrings): TemplateResult {
    const training = this.#training.progress;
    const running = training !== null || stats.training;
    const canTrain = Object.values(stats.byLabel).filter((n) => n > 0).length >= 2;
    let status: string;
    if (training && training.epochs > 0)
      status = format(t.epoch, { epoch: training.epoch, epochs: training.epochs, loss: training.loss?.toFixed(3) ?? t.unknown });
    else if (running) status = t.training;
    else if (stats.modelVersion === 0) status = canTrain ? t.notTrained : t.needsTwoClasses;
    else status = format(t.serving, { version: stats.modelVersion });
    return html`<div part="training" class="block training">
      <div class="row">
        <button part="button train" type="button" class="primary" ?disabled=${!canTrain && !this.#training.own} @click=${() => this.#trainOrCancel()}>
          ${this.#training.own ? t.cancelTraining : t.trainNow}
        </button>
        <progress
          aria-label=${t.trainingProgress}
          max=${training && training.epochs > 0 ? training.epochs : 1}
          .value=${training && training.epochs > 0 ? training.epoch : 0}
          ?hidden=${!running}
        ></progress>
      </div>
      <p part="message" class="message" role="status">${status}</p>
      ${this._status ? html`<p part="message" class=${classMap({ message: true, error: this._status.error })} role=${this._status.error ? 'alert' : 'status'}>${this._status.text}</p>` : nothing}
    </div>`;
  }

  #renderData(classifier: Classifier, t: HitlModelPanelStrings): TemplateResult {
    const busy = this._busy !== null;
    const download = this._download;
    return html`<div part="data" class="block data">
      <h3>${t.dataTitle}</h3>
      <div class="row">
        <button part="button export" type="button" ?disabled=${busy} @click=${() => void this.#export(classifier)}>${t.export}</button>
        <label class="file">
          <span>${t.import}</span>
          <input type="file" accept=".jsonl,.ndjson,.json,application/x-ndjson,application/json,text/plain" ?disabled=${busy} @change=${(event: Event) => void this.#import(classifier, event)} />
        </label>
        <button part="button reset" type="button" ?disabled=${busy || this._confirmReset} @click=${() => this.#askReset()}>${t.reset}</button>
      </div>
      ${
        download
          ? html`<p class="message">
            ${fill(t.exported, { link: html`<a part="download" href=${download.url} download=${download.name}>${download.name}</a>`, size: formatBytes(download.size) })}
          </p>`
          : nothing
      }
      ${
        this._confirmReset
          ? html`<div
            class="confirm"
            role="alertdialog"
            aria-labelledby="reset-question"
            aria-describedby="reset-detail"
            @keydown=${(event: KeyboardEvent) => {
              // As in a dialog: Escape answers "no".
              if (event.key !== 'Escape') return;
              event.preventDefault();
              this.#cancelReset();
            }}
          >
            <p id="reset-question"><strong>${format(t.confirmReset, { model: classifier.name })}</strong></p>
            <p id="reset-detail">${t.confirmResetDetail}</p>
            <div class="row">
              <button part="button confirm-reset" type="button" class="danger" @click=${() => void this.#reset(classifier)}>${t.confirmResetButton}</button>
              <button part="button cancel-reset" type="button" class="cancel" @click=${() => this.#cancelReset()}>${t.cancel}</button>
            </div>
          </div>`
          : nothing
      }
    </div>`;
  }

  // ---- Actions ------------------------------------------------------------------------------------------------------

  #trainOrCancel(): void {
    if (this.#training.own) {
      this.#training.cancel();
      return;
    }
    const classifier = this.#connection.classifier;
    if (!classifier) return;
    this._status = null;
    void this.#training
      .start(classifier)
      .then(
        (result) => {
          const t = this.#strings();
          this._status = result
            ? {
                text: format(t.trained, { version: result.modelVersion, examples: result.examples, seconds: (result.ms / 1000).toFixed(1) }),
                error: false,
              }
            : { text: t.cancelled, error: false };
        },
        (error: unknown) => {
          this._status = { text: format(this.#strings().trainFailed, { reason: messageOf(error) }), error: true };
          this.dispatchEvent(new HitlErrorEvent('train', error));
        },
      )
      .finally(() => void this.refresh());
  }

  async #export(classifier: Classifier): Promise<void> {
    this._busy = 'export';
    this._status = null;
    try {
      const blob = await classifier.export();
      if (this._download) URL.revokeObjectURL(this._download.url);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const name = `${classifier.name.replace(/[^\w.-]+/g, '_')}-${stamp}.hitl.jsonl`;
      const url = URL.createObjectURL(blob);
      this._download = { url, name, size: blob.size };
      // Start the download at once; the link stays for saving again.
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
    } catch (error) {
      this._status = { text: format(this.#strings().exportFailed, { reason: messageOf(error) }), error: true };
      this.dispatchEvent(new HitlErrorEvent('storage', error));
    } finally {
      this._busy = null;
    }
  }

  async #import(classifier: Classifier, event: Event): Promise<void> {
    const field = event.target as HTMLInputElement;
    const file = field.files?.[0];
    if (!file) return;
    this._busy = 'import';
    this._status = null;
    try {
      const result = await classifier.import(file);
      const values = { examples: result.examples, logEntries: result.logEntries, file: file.name, version: result.modelVersion };
      this._status = { text: format(this.#strings().imported, values), error: false };
    } catch (error) {
      this._status = { text: format(this.#strings().importFailed, { file: file.name, reason: messageOf(error) }), error: true };
      this.dispatchEvent(new HitlErrorEvent('storage', error));
    } finally {
      this._busy = null;
      // The same file chosen again must fire change again.
      field.value = '';
      void this.refresh();
    }
  }

  #askReset(): void {
    this._confirmReset = true;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button.cancel')?.focus());
  }

  #cancelReset(): void {
    this._confirmReset = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[part~="reset"]')?.focus());
  }

  async #reset(classifier: Classifier): Promise<void> {
    this._confirmReset = false;
    this._busy = 'reset';
    this._status = null;
    try {
      await classifier.reset();
      this.#drifted = false;
      this._status = { text: this.#strings().resetDone, error: false };
    } catch (error) {
      this._status = { text: format(this.#strings().resetFailed, { reason: messageOf(error) }), error: true };
      this.dispatchEvent(new HitlErrorEvent('storage', error));
    } finally {
      this._busy = null;
      void this.refresh();
    }
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

declare global {
  interface HTMLElementTagNameMap {
    'hitl-model-panel': HitlModelPanel;
  }
}
