// The React example (examples/react/) rendered with react-dom's createRoot: @lit/react wrappers pass arrays and
// objects as properties and deliver the elements' events to typed on… props.
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { App } from '../examples/react/App.js';
import type { HitlClassifier } from '../src/index.js';
import { uniqueName } from './helpers.js';

let root: Root | null = null;
let container: HTMLElement | null = null;

afterEach(() => {
  root?.unmount();
  container?.remove();
  root = null;
});

test('renders the example: tags get labels and strings as properties, onLabel reaches React state, the queue loads lazily', async () => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  const model = uniqueName('react');
  const tickets = ['My invoice is charged twice', 'The app crashes when I press save'];
  await act(async () => root!.render(createElement(App, { model, tickets, storage: 'memory' })));

  const tags = [...container.querySelectorAll('hitl-classifier')] as HitlClassifier[];
  expect(tags).toHaveLength(2);
  // An array and an object reached the element as properties, not as "[object Object]" attributes.
  expect(tags[0]!.labels).toEqual(['billing', 'bug', 'feature']);
  await expect.poll(() => tags[0]!.state, { timeout: 30_000 }).toBe('no-model');
  expect(tags[0]!.shadowRoot?.textContent).toContain('No model yet: teach it with a label');
  await expect.element(page.getByRole('status').filter({ hasText: 'No decision yet' })).toBeVisible();

  const second = tags[1]!.shadowRoot!.querySelector<HTMLButtonElement>('[part~="label-button"]:nth-of-type(2)')!;
  await userEvent.click(second);
  await expect.element(page.getByText('Last decision: bug (correct)')).toBeVisible();

  await userEvent.click(page.getByRole('button', { name: 'Review the queue' }));
  await expect
    .poll(() => container!.querySelector('hitl-review-queue')?.shadowRoot?.textContent ?? '', { timeout: 30_000 })
    .toMatch(/queue is empty|Later/);
  const queue = container.querySelector('hitl-review-queue')!;
  expect(queue.strings).toEqual({ skip: 'Later' });
});
