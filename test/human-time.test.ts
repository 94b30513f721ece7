import axe from 'axe-core';
import { LitElement, css, html } from 'lit';
import { afterEach, describe, expect, test } from 'vitest';
import { createClassifier, type Classifier } from '../src/classifier.js';
import { acquireClassifier, releaseClassifier } from '../src/registry.js';
import { DecisionTimer, IDLE_CUTOFF_MS, decisionClock, runningTimers } from '../src/components/shared/decision-timer.js';
import { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import '../src/components/hitl-review-queue/hitl-review-queue.js';
import '../src/components/hitl-model-panel/hitl-model-panel.js';
import { closeAll, onCleanup, runCleanups, stage, tickets, uniqueName, until } from './helpers.js';

// Issue 19 item 5, the cost of human time: the elements count a decision's visible, active time; the decision's log
// entry keeps it (and the chain still verifies); quality(), the export and the panel give the figures. Every timing
// here runs on a clock the test sets (decisionClock), so wall time never decides a result.

afterEach(closeAll);
afterEach(runCleanups);

let clock = 0;
function fakeClock(start: number): void {
  const real = decisionClock.now;
  clock = start;
  decisionClock.now = () => clock;
  onCleanup(() => (decisionClock.now = real));
}

function setVisibility(state: DocumentVisibilityState): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

class TimedItem extends LitElement {
  static override styles = css`
    :host {
      display: block;
      height: 40px;
    }
  `;
  item: string | null = null;
  readonly timer = new DecisionTimer(this, { shown: () => this.item });
  override render() {
    return html`<p>${this.item}</p>`;
  }
}
customElements.define('human-time-item', TimedItem);

async function timedItem(): Promise<TimedItem> {
  const element = document.createElement('human-time-item') as TimedItem;
  stage().append(element);
  await until(
    () => element.timer.inView,
    (inView) => inView,
  );
  return element;
}

async function show(element: TimedItem, item: string | null): Promise<void> {
  element.item = item;
  element.requestUpdate();
  await element.updateComplete;
}

describe('DecisionTimer', () => {
  test('counts only while the page is visible, the element in view and the person active', async () => {
    fakeClock(1000);
    onCleanup(() => setVisibility('visible'));
    const element = await timedItem();
    await show(element, 'a');
    clock = 6000;
    expect(element.timer.elapsedMs).toBe(5000);

    // Idle: nothing happens for 44 s after an activity at 6 s; only the cut-off's 30 s of it count.
    window.dispatchEvent(new Event('pointermove'));
    clock = 50_000;
    expect(element.timer.elapsedMs).toBe(5000 + IDLE_CUTOFF_MS);
    window.dispatchEvent(new KeyboardEvent('keydown'));
    clock = 52_000;
    expect(element.timer.elapsedMs).toBe(37_000);

    // Another tab: hidden time never counts, activity or not.
    setVisibility('hidden');
    clock = 55_000;
    window.dispatchEvent(new Event('pointermove'));
    clock = 60_000;
    expect(element.timer.elapsedMs).toBe(37_000);
    setVisibility('visible');
    clock = 61_000;
    expect(element.timer.elapsedMs).toBe(38_000);

    // Scrolled out of the viewport: not counted, though the person is busy elsewhere on the page.
    element.style.cssText = 'position: fixed; top: 300vh';
    await until(
      () => element.timer.inView,
      (inView) => !inView,
    );
    clock = 70_000;
    window.dispatchEvent(new Event('pointerdown'));
    clock = 75_000;
    expect(element.timer.elapsedMs).toBe(38_000);
    element.style.cssText = '';
    await until(
      () => element.timer.inView,
      (inView) => inView,
    );
    clock = 76_000;
    expect(element.timer.elapsedMs).toBe(39_000);

    // The decision takes the count; the next one starts from zero.
    expect(element.timer.take()).toBe(39_000);
    clock = 77_000;
    expect(element.timer.elapsedMs).toBe(1000);
    // A new item starts again, nothing shown stops.
    await show(element, 'b');
    clock = 79_000;
    expect(element.timer.elapsedMs).toBe(2000);
    await show(element, null);
    clock = 90_000;
    expect(element.timer.elapsedMs).toBe(0);
  });

  test('a decision anywhere on the page starts the other running timers again', async () => {
    fakeClock(0);
    const first = await timedItem();
    const second = await timedItem();
    await show(first, 'a');
    await show(second, 'b');
    clock = 4000;
    expect(first.timer.take()).toBe(4000);
    clock = 7000;
    // The second item's decision is charged from the first decision on, not from when both appeared.
    expect(second.timer.take()).toBe(3000);
  });
});

/** A container fixed at the top of the viewport: what earlier tests left scrolled cannot take the element out of view. */
function fixedStage(): HTMLDivElement {
  const container = stage();
  container.style.cssText = 'position: fixed; top: 0; left: 0; width: 40rem';
  return container;
}

/** Waits until one timer waits for a decision and its element is on screen, as the element's own observer says. */
async function oneTimerInView(): Promise<void> {
  await until(
    () => runningTimers(),
    (timers) => timers.length === 1 && timers[0]!.inView,
  );
}

const LABELS = 'billing,bug,feature';

function labelButton(element: Element, label: string): HTMLButtonElement {
  const buttons = [...element.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="label-button"]')];
  const button = buttons.find((b) => b.textContent?.trim() === label);
  if (!button) throw new Error(`No ${label} button among ${buttons.map((b) => b.textContent?.trim()).join(', ')}`);
  return button;
}

describe('the elements send the time with the decision', () => {
  test('<hitl-classifier>: the decision entry keeps the measured ms, and the log verifies', async () => {
    const name = uniqueName('human-time-tag');
    fakeClock(0);
    const element = document.createElement('hitl-classifier');
    for (const [key, value] of Object.entries({ model: name, labels: LABELS, storage: 'memory', annotator: 'ana' })) element.setAttribute(key, value);
    element.textContent = tickets.bug[0];
    fixedStage().append(element);
    await until(
      () => element.prediction,
      (p) => p !== null,
    );
    await oneTimerInView();
    clock = 4200;
    labelButton(element, 'bug').click();
    const clf = element.classifier as Classifier;
    const decision = await until(
      async () => (await clf.auditLog()).find((e) => e.kind === 'decision'),
      (found) => found !== undefined,
    );
    expect(decision).toMatchObject({ human: 'bug', annotator: 'ana', durationMs: 4200 });
    expect((await clf.verifyLog()).ok).toBe(true);
    expect(element).toBeInstanceOf(HitlClassifier);
  });

  test('<hitl-review-queue>: an idle stretch counts the cut-off only', async () => {
    const name = uniqueName('human-time-queue');
    // Opened as an element would open it: the queue joins a model the page has open.
    const clf = await acquireClassifier({ name, labels: ['billing', 'bug', 'feature'], storage: 'memory', autoTrain: false });
    onCleanup(() => releaseClassifier(clf));
    await clf.label(tickets.bug[0], 'bug');
    await clf.label(tickets.billing[0], 'billing');
    await clf.enqueue(tickets.feature[1]);
    fakeClock(0);
    const queue = document.createElement('hitl-review-queue');
    queue.setAttribute('model', name);
    queue.setAttribute('storage', 'memory');
    queue.setAttribute('annotator', 'bo');
    fixedStage().append(queue);
    await until(
      () => queue.current,
      (item) => item !== null,
    );
    await oneTimerInView();
    clock = 10_000;
    window.dispatchEvent(new Event('wheel'));
    clock = 60_000;
    labelButton(queue, 'feature').click();
    const decision = await until(
      async () => (await clf.auditLog()).find((e) => e.kind === 'decision' && e.annotator === 'bo'),
      (found) => found !== undefined,
    );
    expect(decision?.durationMs).toBe(10_000 + IDLE_CUTOFF_MS);
  });
});

describe('figures from stored durations', () => {
  test('quality(), the export and the panel give them; bad durations are refused and nothing is stored', async () => {
    const name = uniqueName('human-time-api');
    // A threshold nothing falls under: every shown prediction with a label is let through without review.
    const clf = await createClassifier({ name, labels: ['billing', 'bug', 'feature'], autoTrain: false, threshold: 0.01 });
    onCleanup(() => clf.close());
    for (const [i, [label, ms, annotator]] of (
      [
        ['bug', 60_000, 'ana'],
        ['billing', 120_000, 'ana'],
        ['feature', 300_000, 'bo'],
      ] as const
    ).entries()) {
      const shown = await clf.predict(tickets[label][i]!, { shown: true, queue: false });
      await clf.label(tickets[label][i]!, label, { predictionId: shown.id, annotator, durationMs: ms });
    }
    // An entry written without a duration still verifies, and counts as a decision that is not timed.
    await clf.label(tickets.bug[3], 'bug');
    for (const text of [tickets.bug[4], tickets.billing[4], tickets.feature[4]]) await clf.predict(text, { shown: true, queue: false });

    for (const bad of [-1, Number.NaN, Infinity]) {
      await expect(clf.label(tickets.bug[5], 'bug', { durationMs: bad })).rejects.toThrow(/durationMs must be a finite number of milliseconds ≥ 0/);
    }
    await expect(clf.label(tickets.bug[5], 'bug', { durationMs: '5' as unknown as number })).rejects.toThrow(TypeError);
    expect((await clf.stats()).examples).toBe(4);

    const figures = (await clf.quality()).humanTime;
    // The first shown prediction (no example yet) had no label, so it was not let through: 2 of the 3 decided
    // predictions were, but a person answered them, and the 3 predictions shown last were let through.
    expect(figures).toEqual({
      decisions: 4,
      timed: 3,
      medianSeconds: 120,
      perAnnotator: [
        { annotator: 'ana', decisions: 2, timed: 2, medianSeconds: 90 },
        { annotator: '', decisions: 1, timed: 0, medianSeconds: null },
        { annotator: 'bo', decisions: 1, timed: 1, medianSeconds: 300 },
      ],
      autoAccepted: 3,
      hoursSaved: 0.1,
      spotChecks: 0,
      spotCheckHours: 0,
    });
    const log = await clf.auditLog();
    expect(log.filter((e) => e.kind === 'decision').map((e) => e.durationMs)).toEqual([60_000, 120_000, 300_000, undefined]);
    expect((await clf.verifyLog()).ok).toBe(true);

    // The export carries the figures in its header and the durations in the chained entries; an import verifies them.
    const file = await clf.export();
    const header = JSON.parse((await file.text()).split('\n')[0]!) as { humanTime?: unknown };
    expect(header.humanTime).toEqual(figures);
    const copy = await createClassifier({ name: uniqueName('human-time-copy'), labels: ['billing', 'bug', 'feature'], autoTrain: false });
    onCleanup(() => copy.close());
    await copy.import(file);
    expect((await copy.auditLog()).filter((e) => e.durationMs !== undefined).map((e) => e.durationMs)).toEqual([60_000, 120_000, 300_000]);
    expect((await copy.verifyLog()).ok).toBe(true);
    // A file whose duration is not a time is refused at its line, before the chain is even checked.
    const lines = (await file.text()).split('\n');
    const at = lines.findIndex((line) => line.includes('"durationMs":60000'));
    lines[at] = lines[at]!.replace('"durationMs":60000', '"durationMs":-5');
    const other = await createClassifier({ name: uniqueName('human-time-bad'), labels: ['billing', 'bug', 'feature'], autoTrain: false });
    onCleanup(() => other.close());
    await expect(other.import(new Blob([lines.join('\n')]))).rejects.toThrow(
      `line ${at + 1} (log): durationMs must be a finite number of milliseconds ≥ 0, got -5.`,
    );
    expect((await other.stats()).examples).toBe(0);

    const panel = document.createElement('hitl-model-panel');
    panel.setAttribute('model', name);
    panel.setAttribute('labels', LABELS);
    stage().append(panel);
    const stat = (key: string) => panel.shadowRoot?.querySelector(`[data-stat="${key}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
    await until(
      () => stat('decisions-made'),
      (text) => text === '4',
    );
    expect(stat('median-time')).toBe('120 s (3 timed)');
    expect(stat('auto-accepted')).toBe('3');
    expect(stat('hours-saved')).toBe('0.1 h');
    expect(stat('spot-check-cost')).toBe('0 answered, 0 h');
    const rows = [...panel.shadowRoot!.querySelectorAll('.per-annotator tbody tr')].map((tr) => tr.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows).toEqual(['ana 2 90 s', '(none) 1 –', 'bo 1 300 s']);
    // The section and its table pass every axe rule, as the panel's other figures do (test/a11y.test.ts).
    const found = await axe.run(panel, {
      rules: { region: { enabled: false }, 'landmark-one-main': { enabled: false }, 'page-has-heading-one': { enabled: false } },
      resultTypes: ['violations'],
    });
    expect(found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`)).toEqual([]);
  });
});
