// Building the page from data: every value goes in as a text node or an attribute, never as markup.

type Child = Node | string | null | undefined | false;

interface Props {
  class?: string;
  text?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
}

/** A new element; strings among the children become text nodes, so data can never turn into markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  setAttrs(element, props.attrs);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Props['attrs'] = {}, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttrs(element, attrs);
  if (text !== undefined) element.textContent = text;
  return element;
}

function setAttrs(element: Element, attrs: Props['attrs']): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

export function $<T extends Element>(selector: string, root: ParentNode = document): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`The demo page lacks ${selector}.`);
  return element;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const percent = (value: number, digits = 1): string =>
  `${(value * 100).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })} %`;

/** The repo's one seeded generator: the demo's splits and orders depend on the seed only, so every visitor sees the same run. */
export { seededRandom, shuffled } from '../scripts/seeded-random.mjs';

/** A small pager: "1–20 of 300" with Newer / Older buttons. Calls `show(page)`; returns a function to repaint. */
export function pager(options: { total: number; size: number; noun: string; show: (page: number) => void }): {
  element: HTMLElement;
  go: (page: number) => void;
} {
  const pages = Math.max(1, Math.ceil(options.total / options.size));
  const previous = el('button', { class: 'button quiet small', text: '← Previous', attrs: { type: 'button' } });
  const next = el('button', { class: 'button quiet small', text: 'Next →', attrs: { type: 'button' } });
  const status = el('p', { class: 'pager-status', attrs: { 'aria-live': 'polite' } });
  const element = el('nav', { class: 'pager', attrs: { 'aria-label': `Pages of ${options.noun}` } }, previous, status, next);
  let current = 0;
  const go = (page: number): void => {
    current = Math.min(pages - 1, Math.max(0, page));
    const from = current * options.size;
    const to = Math.min(options.total, from + options.size);
    status.textContent = `${from + 1}–${to} of ${options.total} ${options.noun}`;
    previous.disabled = current === 0;
    next.disabled = current === pages - 1;
    options.show(current);
  };
  previous.addEventListener('click', () => go(current - 1));
  next.addEventListener('click', () => go(current + 1));
  return { element, go };
}
