import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ClassifierInput } from '../../classifier.js';
import type { BackendRequest, CompareOutcome, InputKind, StorageKind } from '../../protocol.js';
import { openRanker, type Ranker, type RankerChangeEvent } from '../../ranker.js';
import { format, mergeStrings } from '../shared/strings.js';
import { HitlCompareEvent } from './compare-event.js';
import { HITL_COMPARE_STRINGS, type HitlCompareStrings } from './hitl-compare.strings.js';
import { styles } from './hitl-compare.styles.js';

export { HitlCompareEvent } from './compare-event.js';
export { HITL_COMPARE_STRINGS, type HitlCompareStrings } from './hitl-compare.strings.js';

/** Pairs asked of the ranker per turn in `.pool` mode: enough to pass over those skipped or just compared. */
const PAIRS_PER_TURN = 8;
/** A preference this close to even is shown as none. */
const EVEN = 0.04;

interface Pair {
  a: ClassifierInput;
  b: ClassifierInput;
  /** Their indices in `.pool`, in pool mode. */
  indices: [number, number] | null;
}

/** Where two slotted items come from: an image or canvas as itself, anything else as its text. */
function slotted(slot: HTMLSlotElement | null | undefined): ClassifierInput | null {
  const [element] = slot?.assignedElements({ flatten: true }) ?? [];
  if (!element) return null;
  if (element instanceof HTMLImageElement || element instanceof HTMLCanvasElement) return element;
  const text = element.textContent?.trim() ?? '';
  return text === '' ? null : text;
}

function preview(item: ClassifierInput): string {
  if (typeof item === 'string') return item.length > 60 ? `${item.slice(0, 60)}…` : item;
  if (Array.isArray(item) || ArrayBuffer.isView(item)) return `[${Array.from(item as ArrayLike<number>, (n) => String(n)).join(', ')}]`;
  return '';
}

/**
 * @summary Shows two items side by side (stacked on a phone) for a person to say which is better, with the model's
 * current preference; learns from each choice at once through a ranker (createRanker). Keys: ← or 1 picks A, → or 2
 * picks B, = or t is a tie, Backspace undoes, s skips.
 *
 * @slot a - The first item: text, an `<img>` or a `<canvas>` (or set `.items`).
 * @slot b - The second item.
 *
 * @fires {HitlCompareEvent} hitl-compare - A comparison is durably stored (`outcome`, `decisionId`, `a`, `b`, `indices`).
 *
 * @csspart base - The outer box.
 * @csspart side - Each item's box.
 * @csspart side-a - The first item's box.
 * @csspart side-b - The second item's box.
 * @csspart item - Each item.
 * @csspart preference - The model's preference (hidden by `hide-preference`).
 * @csspart actions - The tie / skip / undo buttons and the count.
 * @csspart button - Every button.
 * @csspart prefer - The two buttons that pick an item.
 * @csspart tie - The tie button.
 * @csspart skip - The skip button.
 * @csspart undo - The undo button.
 * @csspart count - How many comparisons were made here.
 * @csspart message - Loading, missing-pair and error messages.
 *
 * @cssprop --hitl-font-family - Font of the whole element.
 * @cssprop --hitl-font-size - Base font size.
 * @cssprop --hitl-radius - Corner radius.
 * @cssprop --hitl-spacing - Padding.
 * @cssprop --hitl-accent-color - The pick buttons.
 * @cssprop --hitl-accent-contrast-color - Text on the accent color.
 * @cssprop --hitl-background - Background.
 * @cssprop --hitl-text-color - Main text color.
 * @cssprop --hitl-muted-color - Secondary text: the preference and the count.
 * @cssprop --hitl-border-color - Borders of the items.
 * @cssprop --hitl-review-color - Text of a notice.
 * @cssprop --hitl-review-background - Background of a notice.
 * @cssprop --hitl-error-color - Errors.
 * @cssprop --hitl-focus-ring-color - Keyboard focus outline.
 */
@customElement('hitl-compare')
export class HitlCompare extends LitElement {
  static override styles = styles;

  /** The ranker's name: every element and `createRanker` handle of one name share its comparisons. */
  @property({ reflect: true }) model = '';
  /** What is compared. */
  @property() input: InputKind = 'text';
  /** Where the comparisons are kept: 'indexeddb' (default) or 'memory'. */
  @property() storage: StorageKind = 'indexeddb';
  /** The engine's backend: 'auto' (default), 'webgpu', 'webgl', 'wasm' or 'cpu'. */
  @property() backend: BackendRequest = 'auto';
  /** Recorded with each comparison in the audit log. */
  @property() annotator: string | undefined;
  /** Hides the model's preference, so that it does not anchor the person's choice. */
  @property({ type: Boolean, reflect: true, attribute: 'hide-preference' }) hidePreference = false;
  /** The two items to compare, instead of slotted ones. */
  @property({ attribute: false }) items: readonly [ClassifierInput, ClassifierInput] | null = null;
  /** Items to rank: the element asks the ranker for the next most informative pair itself, one after another. */
  @property({ attribute: false }) pool: readonly ClassifierInput[] | null = null;
  /** A ranker the page opened itself; otherwise the element opens `model`. */
  @property({ attribute: false }) ranker: Ranker | null = null;
  /** Overrides of the element's strings (HITL_COMPARE_STRINGS). */
  @property({ attribute: false }) strings: Partial<HitlCompareStrings> = {};

  @state() private pair: Pair | null = null;
  @state() private preference: { a: number; b: number } | null = null;
  @state() private count = 0;
  @state() private announcement = '';
  @state() private error: string | null = null;
  @state() private busy = false;
  @state() private opened: Ranker | null = null;

  /** Comparisons made here, newest last, for Backspace. */
  private readonly history: { decisionId: string; pair: Pair }[] = [];
  private readonly skipped = new Set<string>();
  /** Only the latest open and the latest request for a pair count (a newer one started meanwhile wins). */
  private connecting = 0;
  private asking = 0;
  private owned: Ranker | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKey);
    void this.releaseOwned();
  }

  private get text(): HitlCompareStrings {
    return mergeStrings(HITL_COMPARE_STRINGS, this.strings);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ranker') || changed.has('model') || changed.has('input') || changed.has('storage') || changed.has('backend'))
      void this.connect();
    if (changed.has('items') || changed.has('pool')) {
      this.skipped.clear();
      void this.nextPair();
    }
  }

  private readonly onChange = (event: Event): void => {
    // Another handle, tab or element changed the ranker: the preference shown may be stale.
    const { change } = event as RankerChangeEvent;
    if (change.type === 'ranker-changed' && change.reason !== 'compare') void this.refreshPreference();
  };

  private async releaseOwned(): Promise<void> {
    this.opened?.removeEventListener('change', this.onChange);
    const owned = this.owned;
    this.owned = null;
    this.opened = null;
    await owned?.close();
  }

  private async connect(): Promise<void> {
    const ticket = ++this.connecting;
    await this.releaseOwned();
    this.error = null;
    let ranker = this.ranker;
    if (!ranker && this.model !== '' && this.isConnected) {
      try {
        ranker = await openRanker({ name: this.model, input: this.input, storage: this.storage, backend: this.backend });
      } catch (error) {
        this.error = (error as Error).message;
        return;
      }
      if (ticket !== this.connecting || !this.isConnected) {
        await ranker.close();
        return;
      }
      this.owned = ranker;
    }
    this.opened = ranker;
    ranker?.addEventListener('change', this.onChange);
    await this.nextPair();
  }

  /** The pair to show: `.items`, else the pool's next informative pair, else the slotted items. */
  private async nextPair(): Promise<void> {
    const ticket = ++this.asking;
    this.preference = null;
    if (this.items) {
      this.pair = { a: this.items[0], b: this.items[1], indices: null };
    } else if (this.pool) {
      if (this.pool.length < 2 || !this.opened) {
        this.pair = null;
        return;
      }
      try {
        const pairs = await this.opened.selectPairs(this.pool, PAIRS_PER_TURN);
        if (ticket !== this.asking || !this.pool) return;
        const fresh = pairs.find(([i, j]) => !this.skipped.has(`${Math.min(i, j)}:${Math.max(i, j)}`)) ?? pairs[0];
        this.pair = fresh ? { a: this.pool[fresh[0]]!, b: this.pool[fresh[1]]!, indices: fresh } : null;
      } catch (error) {
        this.error = (error as Error).message;
        return;
      }
    } else {
      const root = this.renderRoot as ShadowRoot | undefined;
      const a = slotted(root?.querySelector?.<HTMLSlotElement>('slot[name="a"]'));
      const b = slotted(root?.querySelector?.<HTMLSlotElement>('slot[name="b"]'));
      this.pair = a !== null && b !== null ? { a, b, indices: null } : null;
    }
    await this.refreshPreference();
  }

  private async refreshPreference(): Promise<void> {
    const { pair, opened } = this;
    if (!pair || !opened || this.hidePreference) return;
    try {
      const p = await opened.probabilities(pair.a, pair.b);
      if (this.pair === pair) this.preference = { a: p.a, b: p.b };
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const origin = event.composedPath()[0];
    if (origin instanceof HTMLInputElement || origin instanceof HTMLTextAreaElement || (origin as HTMLElement | undefined)?.isContentEditable) return;
    const action: Record<string, () => Promise<void>> = {
      ArrowLeft: () => this.decide('a'),
      '1': () => this.decide('a'),
      ArrowRight: () => this.decide('b'),
      '2': () => this.decide('b'),
      '=': () => this.decide('tie'),
      t: () => this.decide('tie'),
      Backspace: () => this.undo(),
      s: () => this.skip(),
    };
    const run = action[event.key];
    if (!run) return;
    event.preventDefault();
    void run();
  };

  /** Stores the person's choice; in pool mode, then shows the next pair. */
  async decide(outcome: CompareOutcome): Promise<void> {
    const { pair, opened } = this;
    if (!pair || !opened || this.busy) return;
    this.busy = true;
    try {
      const result = await opened.compare(pair.a, pair.b, outcome, this.annotator ? { annotator: this.annotator } : {});
      this.history.push({ decisionId: result.decisionId, pair });
      this.count += 1;
      const { text } = this;
      this.announcement = format(text.decided, { outcome: { a: text.preferredA, b: text.preferredB, tie: text.tied }[outcome], count: this.count });
      this.dispatchEvent(new HitlCompareEvent(outcome, result.decisionId, pair.a, pair.b, pair.indices));
      if (pair.indices) this.skipped.add(`${Math.min(...pair.indices)}:${Math.max(...pair.indices)}`);
      if (this.pool) await this.nextPair();
      else await this.refreshPreference();
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = false;
    }
  }

  /** Undoes the last comparison made here and shows its pair again. */
  async undo(): Promise<void> {
    const last = this.history.at(-1);
    if (!last || !this.opened || this.busy) return;
    this.busy = true;
    try {
      await this.opened.undo(last.decisionId);
      this.history.pop();
      this.count -= 1;
      this.announcement = format(this.text.undone, { count: this.count });
      if (last.pair.indices) this.skipped.delete(`${Math.min(...last.pair.indices)}:${Math.max(...last.pair.indices)}`);
      this.pair = last.pair;
      this.preference = null;
      await this.refreshPreference();
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = false;
    }
  }

  /** Passes over this pair without a comparison (pool mode: the next pair). */
  async skip(): Promise<void> {
    if (!this.pair || this.busy) return;
    this.announcement = this.text.skipped;
    if (this.pair.indices) {
      this.skipped.add(`${Math.min(...this.pair.indices)}:${Math.max(...this.pair.indices)}`);
      await this.nextPair();
    }
  }

  private renderItem(item: ClassifierInput | undefined, side: 'a' | 'b'): TemplateResult {
    if (this.items === null && this.pool === null) {
      const changed = () => void this.nextPair();
      return side === 'a' ? html`<slot name="a" @slotchange=${changed}></slot>` : html`<slot name="b" @slotchange=${changed}></slot>`;
    }
    if (item instanceof HTMLImageElement) return html`<img src=${item.src} alt=${item.alt || this.text.image} />`;
    if (typeof item === 'string') return html`<p class="text">${item}</p>`;
    if (item !== undefined && (Array.isArray(item) || ArrayBuffer.isView(item))) return html`<p class="text">${preview(item)}</p>`;
    return html`<p class="text">${item === undefined ? '' : this.text.image}</p>`;
  }

  private renderSide(side: 'a' | 'b'): TemplateResult {
    const { text, pair } = this;
    const label = side.toUpperCase();
    const item = pair ? pair[side] : undefined;
    const named = item !== undefined ? preview(item) : '';
    const disabled = !pair || !this.opened || this.busy;
    const body = html`<h3>${format(text.sideLabel, { side: label })}</h3>
      <div class="item" part="item">${this.renderItem(item, side)}</div>
      <button
        class="primary"
        part="button prefer"
        aria-keyshortcuts=${side === 'a' ? 'ArrowLeft 1' : 'ArrowRight 2'}
        aria-label=${named ? `${format(text.prefer, { side: label })}: ${format(text.preferItem, { item: named })}` : format(text.prefer, { side: label })}
        aria-disabled=${disabled ? 'true' : 'false'}
        @click=${() => void this.decide(side)}
      >
        ${format(text.prefer, { side: label })}
      </button>`;
    const name = format(text.sideLabel, { side: label });
    // Literal part names (not built from `side`), so that each is stated where it is rendered.
    return side === 'a'
      ? html`<section class="side" part="side side-a" aria-label=${name}>${body}</section>`
      : html`<section class="side" part="side side-b" aria-label=${name}>${body}</section>`;
  }

  private renderPreference(): TemplateResult | typeof nothing {
    if (this.hidePreference || !this.pair || !this.opened) return nothing;
    const { text, preference } = this;
    if (!preference) return html`<p class="preference" part="preference">&nbsp;</p>`;
    const share = preference.a / (preference.a + preference.b);
    const line =
      Math.abs(share - 0.5) < EVEN
        ? text.noPreference
        : format(text.preference, { side: share > 0.5 ? 'A' : 'B', percent: `${Math.round(Math.max(share, 1 - share) * 100)} %` });
    return html`<p class="preference" part="preference">${line}</p>`;
  }

  override render(): TemplateResult {
    const { text } = this;
    const message =
      this.error !== null
        ? html`<p class="message error" part="message" role="alert">${format(text.failed, { message: this.error })}</p>`
        : !this.opened
          ? html`<p class="message" part="message">${text.loading}</p>`
          : this.pool && this.pool.length < 2
            ? html`<p class="message" part="message">${text.poolTooSmall}</p>`
            : !this.pair && !(this.items === null && this.pool === null)
              ? html`<p class="message" part="message">${text.noPair}</p>`
              : nothing;
    const idle = !this.pair || !this.opened || this.busy;
    return html`<div class="base" part="base" role="group" aria-label=${text.region}>
      ${message}
      <div class="pair">${this.renderSide('a')} ${this.renderSide('b')}</div>
      ${this.renderPreference()}
      <div class="actions" part="actions">
        <button part="button tie" aria-keyshortcuts="= t" aria-disabled=${idle ? 'true' : 'false'} @click=${() => void this.decide('tie')}>${text.tie}</button>
        <button part="button skip" aria-keyshortcuts="s" aria-disabled=${idle || !this.pool ? 'true' : 'false'} @click=${() => void this.skip()}>
          ${text.skip}
        </button>
        <button part="button undo" aria-keyshortcuts="Backspace" aria-disabled=${this.history.length === 0 || this.busy ? 'true' : 'false'} @click=${() => void this.undo()}>
          ${text.undo}
        </button>
        <span class="count" part="count">${format(text.count, { count: this.count })}</span>
      </div>
      <p class="live" role="status" aria-live="polite">${this.announcement}</p>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hitl-compare': HitlCompare;
  }
}
