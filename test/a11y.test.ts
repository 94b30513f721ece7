// WCAG 2.2 AA for every element, in the states a person meets: axe-core (names, roles, contrast, ARIA) in the light and
// the dark theme, and keyboard-only use with focus that stays visible.
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import '../src/index.js';
import { HitlModelPanel } from '../src/components/hitl-model-panel/hitl-model-panel.js';
import { HitlReviewQueue } from '../src/components/hitl-review-queue/hitl-review-queue.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import { onCleanup, runCleanups, seeded, uniqueName } from './helpers.js';

const LABELS = ['billing', 'bug', 'feature'];
const UNSURE = 'Something about my account';
const SCHEMES = ['light', 'dark'] as const;
afterEach(runCleanups);

let scheme: 'light' | 'dark' = 'light';

/** A container for the elements, on a page background of the current theme. */
function stage(): HTMLDivElement {
  const container = document.createElement('div');
  // The page behind the elements follows the theme too, as a real dark page would.
  container.style.background = scheme === 'dark' ? '#111318' : '#ffffff';
  container.style.padding = '8px';
  document.body.append(container);
  onCleanup(() => container.remove());
  return container;
}

function element<K extends keyof HTMLElementTagNameMap>(tagName: K, attributes: Record<string, string>, text = ''): HTMLElementTagNameMap[K] {
  const created = document.createElement(tagName);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  if (text) created.textContent = text;
  // The page's way to pick a theme: color-scheme on the element chooses its light or dark defaults (light-dark()).
  if (tagName.startsWith('hitl-')) created.style.colorScheme = scheme;
  return created;
}

/**
 * Every rule axe has, WCAG and best practice, of any impact, on the given element (shadow roots included); only the
 * rules about the whole page (a main landmark, a level-one heading, content inside landmarks) are the test page's.
 */
async function violations(context: Element): Promise<string[]> {
  const result = await axe.run(context, {
    rules: { region: { enabled: false }, 'landmark-one-main': { enabled: false }, 'page-has-heading-one': { enabled: false } },
    resultTypes: ['violations'],
  });
  return result.violations.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`,
  );
}

function shadow(host: Element, selector: string): HTMLElement | null {
  return host.shadowRoot?.querySelector<HTMLElement>(selector) ?? null;
}

function focusRing(host: Element): { style: string; width: number } {
  const focused = host.shadowRoot?.activeElement;
  if (!focused) return { style: 'none', width: 0 };
  const style = getComputedStyle(focused);
  return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
}

describe.each(SCHEMES)('axe, %s theme', (theme) => {
  beforeEach(() => {
    scheme = theme;
    return () => {
      scheme = 'light';
    };
  });

  test('<hitl-classifier>: no model, needs review, picking, labelled, confident, error', async () => {
    const name = uniqueName('a11y');
    const container = stage();
    const fresh = element(
      'hitl-classifier',
      { model: uniqueName('a11y'), labels: LABELS.join(','), storage: 'memory' },
      'My invoice is charged twice',
    );
    const broken = element('hitl-classifier', { model: name, labels: 'only-one', storage: 'memory' }, 'x');
    container.append(fresh, broken);
    await expect.poll(() => fresh.state, { timeout: 30_000 }).toBe('no-model');
    expect(broken.state).toBe('error');
    expect(await violations(container)).toEqual([]);

    await seeded(name);
    const unsure = element('hitl-classifier', { model: name, labels: LABELS.join(','), storage: 'memory', threshold: '1' }, UNSURE);
    const sure = element(
      'hitl-classifier',
      { model: name, labels: LABELS.join(','), storage: 'memory', threshold: '0.01' },
      'The app crashes when I press the save button',
    );
    const review = element(
      'hitl-classifier',
      { model: name, labels: LABELS.join(','), storage: 'memory', threshold: '1', mode: 'review' },
      'Refund please',
    );
    container.append(unsure, sure, review);
    await expect.poll(() => [unsure.state, sure.state, review.state], { timeout: 30_000 }).toEqual(['needs-review', 'confident', 'needs-review']);
    expect(await violations(container)).toEqual([]);

    unsure.focus();
    await userEvent.keyboard('x');
    await expect.poll(() => shadow(unsure, '.label.rejected')).not.toBeNull();
    expect(await violations(container)).toEqual([]);

    await userEvent.keyboard('{Escape}');
    await userEvent.keyboard('a');
    await expect.poll(() => unsure.state, { timeout: 30_000 }).toBe('labelled');
    expect(await violations(container)).toEqual([]);
  });

  test('<hitl-review-queue>: an item, picking a label, the empty queue', async () => {
    const name = uniqueName('a11y');
    const classifier = await seeded(name);
    await classifier.enqueue(['Something about my account', 'Where is my order?']);
    const container = stage();
    // A page that caps the item's height, as the demo does for long e-mails: the text scrolls, so the keyboard must reach it.
    const style = document.createElement('style');
    style.textContent = 'hitl-review-queue::part(text) { max-height: 1em; overflow: auto; }';
    const queue = element('hitl-review-queue', { model: name, labels: LABELS.join(','), storage: 'memory' });
    container.append(style, queue);
    await expect.poll(() => queue.current, { timeout: 30_000 }).not.toBeNull();
    await queue.updateComplete;
    await expect.poll(() => shadow(queue, '[part~="text"]')?.getAttribute('tabindex')).toBe('0');
    expect(shadow(queue, '[part~="text"]')?.getAttribute('aria-label')).toBe('Text to review');
    expect(await violations(container)).toEqual([]);

    queue.focus();
    await userEvent.keyboard('x');
    await expect.poll(() => shadow(queue, '.label.rejected')).not.toBeNull();
    expect(await violations(container)).toEqual([]);

    await userEvent.keyboard('{Escape}');
    const skipped = queue.current!.id;
    await userEvent.keyboard('s');
    // The queue ignores keys while the skip is on its way to the worker: the next key waits for the next item.
    await expect.poll(() => queue.current?.id, { timeout: 30_000 }).not.toBe(skipped);
    await userEvent.keyboard('1');
    await expect.poll(() => queue.reviewed, { timeout: 30_000 }).toBe(1);
    await userEvent.keyboard('1');
    await expect.poll(() => queue.current, { timeout: 30_000 }).toBeNull();
    await queue.updateComplete;
    expect(await violations(container)).toEqual([]);
  });

  test('<hitl-model-panel>: figures, charts, confusion matrix, the reset question', async () => {
    const name = uniqueName('a11y');
    const classifier = await seeded(name);
    for (const [text, label] of [
      ['My card was charged twice', 'billing'],
      ['The page crashes on save', 'bug'],
      ['Add an export button', 'feature'],
    ] as const) {
      const prediction = await classifier.predict(text, { shown: true });
      await classifier.label(text, label, { predictionId: prediction.id });
    }
    await classifier.train();
    const container = stage();
    const panel = element('hitl-model-panel', { model: name, labels: LABELS.join(','), storage: 'memory', 'refresh-interval': '0' });
    container.append(panel);
    await expect.poll(() => panel.quality?.decisions, { timeout: 30_000 }).toBe(3);
    await panel.updateComplete;
    expect(shadow(panel, 'table')).not.toBeNull();
    expect(await violations(container)).toEqual([]);

    shadow(panel, '[part~="reset"]')?.click();
    await expect.poll(() => shadow(panel, '[role="alertdialog"]')).not.toBeNull();
    expect(await violations(container)).toEqual([]);
  });
});

describe('keyboard only', () => {
  test('<hitl-classifier>: Tab reaches the controls with a visible ring; keys and Enter decide, Backspace undoes', async () => {
    const name = uniqueName('a11y');
    await seeded(name);
    const container = stage();
    const before = element('button', {}, 'before');
    const tag = element('hitl-classifier', { model: name, labels: LABELS.join(','), storage: 'memory', threshold: '1' }, UNSURE) as HitlClassifier;
    container.append(before, tag);
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('needs-review');
    before.focus();
    await userEvent.tab();
    expect(tag.shadowRoot?.activeElement?.textContent?.trim()).toBe('Accept');
    expect(focusRing(tag)).toMatchObject({ style: 'solid' });
    expect(focusRing(tag).width).toBeGreaterThanOrEqual(2);
    // The prediction is announced politely, and the buttons say which question they answer.
    expect(shadow(tag, '[aria-live="polite"]')?.textContent).toContain(`Is this ${tag.prediction?.label}?`);
    expect(tag.shadowRoot?.activeElement?.getAttribute('aria-describedby')).toBe('prediction');

    await userEvent.keyboard('{Enter}');
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('labelled');
    expect(tag.shadowRoot?.activeElement?.textContent?.trim()).toBe('Undo');
    await userEvent.keyboard('{Backspace}');
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('needs-review');
  });

  test('<hitl-review-queue>: Tab to the item, decide, skip and undo from the keyboard, every button reachable', async () => {
    const name = uniqueName('a11y');
    const classifier = await seeded(name);
    await classifier.enqueue(['Something about my account', 'Where is my order?', 'Can I pay by card?']);
    const container = stage();
    const before = element('button', {}, 'before');
    const queue = element('hitl-review-queue', { model: name, labels: LABELS.join(','), storage: 'memory' }) as HitlReviewQueue;
    container.append(before, queue);
    await expect.poll(() => queue.remaining, { timeout: 30_000 }).toBe(3);
    before.focus();
    await userEvent.tab();
    expect(queue.shadowRoot?.activeElement?.getAttribute('part')).toBe('item');
    expect(focusRing(queue)).toMatchObject({ style: 'solid' });

    const first = queue.current!.id;
    await userEvent.keyboard('a');
    await expect.poll(() => queue.reviewed, { timeout: 30_000 }).toBe(1);
    expect(queue.current?.id).not.toBe(first);
    await userEvent.keyboard('{Backspace}');
    await expect.poll(() => queue.current?.id, { timeout: 30_000 }).toBe(first);
    expect(queue.reviewed).toBe(0);

    // Tab walks every control in order: accept, reject, skip, undo, then the label buttons.
    const item = queue.current!;
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      await userEvent.tab();
      names.push(queue.shadowRoot?.activeElement?.textContent?.trim() ?? '');
      expect(focusRing(queue).style).toBe('solid');
    }
    expect(names).toEqual(['Accept', 'Reject', 'Skip', 'Undo', ...LABELS]);
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => queue.reviewed, { timeout: 30_000 }).toBe(1);
    expect((await classifier.getLabel(item.input as string))?.label).toBe(LABELS[2]);
  });

  test('<hitl-model-panel>: Train now, and reset with its question, from the keyboard; Escape cancels the question', async () => {
    const name = uniqueName('a11y');
    await seeded(name);
    const container = stage();
    const before = element('button', {}, 'before');
    const panel = element('hitl-model-panel', {
      model: name,
      labels: LABELS.join(','),
      storage: 'memory',
      'refresh-interval': '0',
    }) as HitlModelPanel;
    container.append(before, panel);
    await expect.poll(() => panel.stats?.examples, { timeout: 30_000 }).toBe(3);
    before.focus();
    await userEvent.tab();
    expect(panel.shadowRoot?.activeElement?.textContent?.trim()).toBe('Train now');
    expect(focusRing(panel)).toMatchObject({ style: 'solid' });
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => panel.stats?.modelVersion, { timeout: 60_000 }).toBe(1);

    const reset = shadow(panel, '[part~="reset"]')!;
    reset.focus();
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => panel.shadowRoot?.activeElement?.textContent?.trim()).toBe('Cancel');
    await userEvent.keyboard('{Escape}');
    await expect.poll(() => shadow(panel, '[role="alertdialog"]')).toBeNull();
    expect(panel.shadowRoot?.activeElement).toBe(reset);

    await userEvent.keyboard('{Enter}');
    await expect.poll(() => panel.shadowRoot?.activeElement?.textContent?.trim()).toBe('Cancel');
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    expect(panel.shadowRoot?.activeElement?.textContent?.trim()).toBe('Delete everything');
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => panel.stats?.examples, { timeout: 30_000 }).toBe(0);
    await expect.element(page.getByText('Deleted: the model starts over.')).toBeVisible();
  });
});
