import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Parts that a page may cap in size (a long e-mail in the queue, a wide confusion matrix) scroll then, and a
 * keyboard user must be able to scroll them too: while such a part overflows it takes focus (tabindex 0) and, where
 * it has no name of its own, `label()` as its name. A part that fits is left out of the tab order.
 */
export class ScrollFocus implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #selector: string;
  readonly #label: (() => string) | undefined;
  readonly #observer = new ResizeObserver(() => this.#mark());
  #watched = new Set<Element>();

  constructor(host: ReactiveControllerHost & HTMLElement, selector: string, label?: () => string) {
    this.#host = host;
    this.#selector = selector;
    this.#label = label;
    host.addController(this);
  }

  hostUpdated(): void {
    const parts = new Set(this.#host.shadowRoot?.querySelectorAll(this.#selector) ?? []);
    for (const part of this.#watched) if (!parts.has(part)) this.#observer.unobserve(part);
    for (const part of parts) if (!this.#watched.has(part)) this.#observer.observe(part);
    this.#watched = parts;
    this.#mark();
  }

  hostDisconnected(): void {
    this.#observer.disconnect();
    this.#watched.clear();
  }

  #mark(): void {
    for (const part of this.#watched) {
      const scrolls = part.scrollHeight > part.clientHeight + 1 || part.scrollWidth > part.clientWidth + 1;
      part.toggleAttribute('tabindex', scrolls);
      if (scrolls) part.setAttribute('tabindex', '0');
      if (this.#label) {
        if (scrolls) part.setAttribute('aria-label', this.#label());
        else part.removeAttribute('aria-label');
      }
    }
  }
}
