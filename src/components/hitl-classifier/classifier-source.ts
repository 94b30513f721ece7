import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InputKind } from '../../protocol.js';

/** A mutation per keystroke in editable content: predict once the text has settled. */
const CONTENT_DEBOUNCE_MS = 150;
/** Typing in a `for` field: long enough to skip most keystrokes of a word, short enough to feel live. */
const TYPING_DEBOUNCE_MS = 250;

export type ImageElement = HTMLImageElement | HTMLCanvasElement;

/**
 * What is being classified right now: text, an image element, or nothing, with the reason (a key of the
 * classifier's strings; `id` fills `noTarget`). `key` names the input: a label never carries over to another one.
 */
export type Source =
  | { kind: 'text'; text: string; key: string }
  | { kind: 'image'; image: ImageElement; key: string }
  | { kind: 'features'; features: number[]; key: string }
  | { kind: 'none'; reason: 'noText' | 'noImage' | 'emptyCanvas' | 'noTarget' | 'noFeatures'; id?: string };

/** What the source reads from its host: `input="features"` reads `features`, or the `for` form's `columns`. */
interface SourceHost {
  htmlFor: string;
  input?: string | undefined;
  features?: readonly number[] | null | undefined;
  columns?: readonly string[] | undefined;
}

/** The input a source holds, as `predict` and `label` take it. */
export function inputOf(source: Exclude<Source, { kind: 'none' }>): string | ImageElement | number[] {
  return source.kind === 'text' ? source.text : source.kind === 'image' ? source.image : source.features;
}

/**
 * What `<hitl-classifier>` classifies, and when it changes: its own text or first slotted img / canvas, or the
 * element its `for` attribute names (a field as typed, an image as it loads), found even when that element joins
 * the document later. `onChange` runs once a change has settled.
 */
export class ClassifierSource implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement & SourceHost;
  readonly #onChange: () => void;
  readonly #observer = new MutationObserver(() => this.#schedule(CONTENT_DEBOUNCE_MS));
  /** Watches the document while the `for` target does not exist yet. */
  #rootObserver: MutationObserver | null = null;
  #target: Element | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped when a canvas is drawn on, which the DOM does not say: the drawing becomes a new input. */
  #canvasVersion = 0;

  constructor(host: ReactiveControllerHost & HTMLElement & SourceHost, onChange: () => void) {
    this.#host = host;
    this.#onChange = onChange;
    host.addController(this);
  }

  hostConnected(): void {
    this.#observer.observe(this.#host, {
      characterData: true,
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['src', 'width', 'height'],
    });
    // `load` does not bubble: capture it for slotted images whose source changes.
    this.#host.addEventListener('load', this.#onLoad, true);
    this.bind();
  }

  hostDisconnected(): void {
    this.#observer.disconnect();
    this.#host.removeEventListener('load', this.#onLoad, true);
    this.#unbind();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  read(): Source {
    const id = this.#id();
    if (this.#host.input === 'features') {
      if (id === '') return featuresSource(this.#host.features);
      const form = this.#findTarget();
      return form instanceof HTMLFormElement ? featuresSource(formRow(form, this.#host.columns ?? [])) : { kind: 'none', reason: 'noTarget', id };
    }
    if (id !== '') {
      const target = this.#findTarget();
      if (!target) return { kind: 'none', reason: 'noTarget', id };
      if (target instanceof HTMLImageElement || target instanceof HTMLCanvasElement) return this.#imageSource(target);
      return textSource(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ? target.value : (target.textContent ?? ''));
    }
    const image = this.image();
    return image ? this.#imageSource(image) : textSource(this.#host.textContent ?? '');
  }

  /** The image being classified: the `for` target if it is one, else the first slotted img or canvas. */
  image(): ImageElement | null {
    if (this.#id() !== '') {
      const target = this.#findTarget();
      return target instanceof HTMLImageElement || target instanceof HTMLCanvasElement ? target : null;
    }
    return this.#host.querySelector<ImageElement>('img, canvas');
  }

  inputKind(): InputKind {
    return this.#host.input === 'features' ? 'features' : this.image() ? 'image' : 'text';
  }

  /** With `for`, the tag often has no content of its own: its empty box would only push the prediction down. */
  hasContent(): boolean {
    return [...this.#host.childNodes].some((node) => node instanceof Element || (node.nodeType === Node.TEXT_NODE && node.textContent?.trim()));
  }

  /** A canvas was drawn on: it is a new input from now on. */
  touch(): void {
    if (this.image() instanceof HTMLCanvasElement) this.#canvasVersion += 1;
  }

  /** Listens to the `for` element: typing re-predicts after a pause; an image re-predicts when it loads. */
  bind(): void {
    this.#unbind();
    if (this.#id() === '' || !this.#host.isConnected) return;
    const target = this.#findTarget();
    if (target) {
      this.#target = target;
      target.addEventListener('input', this.#onInput);
      target.addEventListener('load', this.#onLoad);
      return;
    }
    // The target may come later in the document (or be added by a framework): look again on every change.
    const root = this.#host.getRootNode();
    if (!(root instanceof Document || root instanceof ShadowRoot)) return;
    this.#rootObserver = new MutationObserver(() => {
      if (!this.#findTarget()) return;
      this.bind();
      this.#onChange();
    });
    this.#rootObserver.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['id'] });
  }

  #unbind(): void {
    this.#rootObserver?.disconnect();
    this.#rootObserver = null;
    this.#target?.removeEventListener('input', this.#onInput);
    this.#target?.removeEventListener('load', this.#onLoad);
    this.#target = null;
  }

  #id(): string {
    const id: unknown = this.#host.htmlFor;
    return typeof id === 'string' ? id.trim() : '';
  }

  #findTarget(): Element | null {
    const id = this.#id();
    if (!id) return null;
    const root = this.#host.getRootNode();
    return root instanceof Document || root instanceof ShadowRoot ? root.getElementById(id) : null;
  }

  #imageSource(image: ImageElement): Source {
    if (image instanceof HTMLImageElement) {
      const src = image.currentSrc || image.src;
      return src ? { kind: 'image', image, key: `img:${src}` } : { kind: 'none', reason: 'noImage' };
    }
    if (image.width === 0 || image.height === 0) return { kind: 'none', reason: 'emptyCanvas' };
    return { kind: 'image', image, key: `canvas:${this.#canvasVersion}` };
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#onChange();
    }, delay);
  }

  readonly #onInput = (): void => this.#schedule(TYPING_DEBOUNCE_MS);

  readonly #onLoad = (event: Event): void => {
    if (event.target instanceof HTMLImageElement) this.#schedule(0);
  };
}

/**
 * The form's numbers: the fields `columns` names, in that order, or else every number and range field in the form's
 * order. An empty or non-numeric field leaves the row incomplete (null).
 */
function formRow(form: HTMLFormElement, columns: readonly string[]): number[] | null {
  const fields =
    columns.length > 0
      ? columns.map((name) => form.elements.namedItem(name))
      : [...form.elements].filter((field) => field instanceof HTMLInputElement && (field.type === 'number' || field.type === 'range'));
  const row = fields.map((field) => (field instanceof HTMLInputElement && field.value.trim() !== '' ? Number(field.value) : NaN));
  return row.length > 0 && row.every(Number.isFinite) ? row : null;
}

function featuresSource(raw: unknown): Source {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return { kind: 'none', reason: 'noFeatures' };
  const features = [...(raw as number[])];
  return { kind: 'features', features, key: `features:${features.join(',')}` };
}

function textSource(raw: string): Source {
  const text = raw.trim();
  return text === '' ? { kind: 'none', reason: 'noText' } : { kind: 'text', text, key: `text:${text}` };
}
