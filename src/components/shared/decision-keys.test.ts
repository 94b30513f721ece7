import { LitElement, html } from 'lit';
import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import { DecisionKeys, type HitlKeys } from './decision-keys.js';
import { runCleanups, stage } from '../../../test/helpers.js';

afterEach(runCleanups);

/** An element that records the decisions its keys make; `skip` only when asked for. */
class KeysHost extends LitElement {
  decisions: string[] = [];
  withSkip = false;
  labels: string[] = [];
  keys: Partial<HitlKeys> = {};

  constructor() {
    super();
    new DecisionKeys(this, {
      accept: () => this.#record('accept'),
      reject: () => this.#record('reject'),
      cancel: () => this.#record('cancel'),
      undo: () => this.#record('undo'),
      choose: (index) => this.#record(`choose ${index}`),
      skip: () => this.withSkip && this.#record('skip'),
      labels: () => this.labels,
      keys: () => this.keys,
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

  test('with labels that are all digits, a digit key chooses the label it shows; with others, 1-9 the first nine', async () => {
    const host = await focusedHost();
    host.labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    await userEvent.keyboard('102');
    expect(host.decisions).toEqual(['choose 1', 'choose 0', 'choose 2']);
    host.decisions = [];
    host.labels = ['0', '1', 'other'];
    await userEvent.keyboard('10');
    expect(host.decisions).toEqual(['choose 0']);
  });

  test('letters of a non-Latin layout and digits of any layout count by their place on the keyboard', async () => {
    const host = await focusedHost();
    const press = (key: string, code: string) =>
      host.dispatchEvent(new KeyboardEvent('keydown', { key, code, bubbles: true, composed: true, cancelable: true }));
    // Russian: ф is on the A key, ч on X; AZERTY: & and é are the digit row's 1 and 2, and its a (on Q) is still a.
    press('ф', 'KeyA');
    press('ч', 'KeyX');
    press('&', 'Digit1');
    press('é', 'Digit2');
    press('a', 'KeyQ');
    press('3', 'Numpad3');
    expect(host.decisions).toEqual(['accept', 'reject', 'choose 0', 'choose 1', 'accept', 'choose 2']);
  });

  test('.keys remaps any decision and the label keys; the rest keep their defaults', async () => {
    const host = await focusedHost();
    host.labels = ['spam', 'ham'];
    host.keys = { accept: ['y'], labels: ['q', 'w'] };
    await userEvent.keyboard('yawq1x');
    expect(host.decisions).toEqual(['accept', 'choose 1', 'choose 0', 'reject']);
  });

  test('listens only while connected', async () => {
    const host = await focusedHost();
    host.remove();
    host.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
    expect(host.decisions).toEqual([]);
  });
});
