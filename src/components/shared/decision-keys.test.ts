import { LitElement, html } from 'lit';
import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import { DecisionKeys } from './decision-keys.js';
import { runCleanups, stage } from '../../../test/helpers.js';

afterEach(runCleanups);

/** An element that records the decisions its keys make; `skip` only when asked for. */
class KeysHost extends LitElement {
  decisions: string[] = [];
  withSkip = false;

  constructor() {
    super();
    new DecisionKeys(this, {
      accept: () => this.#record('accept'),
      reject: () => this.#record('reject'),
      cancel: () => this.#record('cancel'),
      undo: () => this.#record('undo'),
      choose: (index) => this.#record(`choose ${index}`),
      skip: () => this.withSkip && this.#record('skip'),
    });
  }

  override render() {
    return html`<button>button</button><input aria-label="field" />`;
  }

  #record(decision: string): true {
    this.decisions.push(decision);
    return true;
  }
}
customElements.define('test-decision-keys', KeysHost);

async function focusedHost(): Promise<KeysHost> {
  const host = document.createElement('test-decision-keys') as KeysHost;
  host.tabIndex = 0;
  stage().append(host);
  await host.updateComplete;
  host.focus();
  return host;
}

describe('DecisionKeys', () => {
  test('one table: Enter and a accept, x rejects, 1-9 choose, Escape cancels, Backspace and u undo, either case', async () => {
    const host = await focusedHost();
    await userEvent.keyboard('{Enter}aAxX19{Escape}{Backspace}uU0b');
    expect(host.decisions).toEqual(['accept', 'accept', 'accept', 'reject', 'reject', 'choose 0', 'choose 8', 'cancel', 'undo', 'undo', 'undo']);
  });

  test('s and Space skip where the element has it; keys in a field are text; Enter on a button is the button', async () => {
    const host = await focusedHost();
    await userEvent.keyboard('s ');
    expect(host.decisions).toEqual([]);
    host.withSkip = true;
    await userEvent.keyboard('S ');
    expect(host.decisions).toEqual(['skip', 'skip']);

    host.decisions = [];
    host.shadowRoot!.querySelector('input')!.focus();
    await userEvent.keyboard('ax1{Backspace}');
    host.shadowRoot!.querySelector('button')!.focus();
    await userEvent.keyboard('{Enter}');
    expect(host.decisions).toEqual([]);
    await userEvent.keyboard('a');
    expect(host.decisions).toEqual(['accept']);
  });

  test('listens only while connected', async () => {
    const host = await focusedHost();
    host.remove();
    host.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
    expect(host.decisions).toEqual([]);
  });
});
