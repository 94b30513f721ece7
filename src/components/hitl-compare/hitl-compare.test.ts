import axe from 'axe-core';
import { afterEach, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import { createRanker as openRanker, HitlCompare, HitlCompareEvent, type Ranker } from '../../ranker-entry.js';
import { onCleanup, runCleanups, stage, uniqueName } from '../../../test/helpers.js';
import '../hitl-model-panel/hitl-model-panel.js';

afterEach(runCleanups);

const REPLIES = [
  'Thanks for writing in! I refunded the charge; it shows on your card within 3 days.',
  'Refund done.',
  'We cannot help with that.',
  'Sorry about the trouble: I reset your password and sent you a link.',
  'Please read the FAQ.',
  'I have escalated this to our billing team, who will write to you today.',
];

async function ranker(): Promise<Ranker> {
  const made = await openRanker({ name: uniqueName('compare-el'), storage: 'memory', autoTrain: false });
  onCleanup(() => made.close());
  return made;
}

function events(target: EventTarget): HitlCompareEvent[] {
  const seen: HitlCompareEvent[] = [];
  const listener = (event: Event) => seen.push(event as HitlCompareEvent);
  target.addEventListener('hitl-compare', listener);
  onCleanup(() => target.removeEventListener('hitl-compare', listener));
  return seen;
}

/** expect.poll with a generous bound: the worker's first answers may take seconds on a busy machine. */
const poll = <T>(read: () => T) => expect.poll(read, { timeout: 15_000 });
const part = (element: HitlCompare, name: string) => element.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (element: HitlCompare) => (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');

async function violations(context: Element): Promise<string[]> {
  const result = await axe.run(context, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(' | ')}`);
}

test('slotted items: accessible in both themes, keys pick, tie and undo, and each choice is stored and fired', async () => {
  const r = await ranker();
  const element = document.createElement('hitl-compare');
  element.innerHTML = `<p slot="a">${REPLIES[0]}</p><p slot="b">${REPLIES[1]}</p>`;
  element.ranker = r;
  stage().append(element);
  const seen = events(document);
  await poll(() => part(element, 'preference')?.textContent ?? '').toContain('no preference');
  const prefer = element.shadowRoot!.querySelectorAll('[part~="prefer"]');
  expect(prefer[0]!.getAttribute('aria-label')).toBe(`Prefer A: ${REPLIES[0]!.slice(0, 60)}…`);
  for (const scheme of ['light', 'dark']) {
    element.style.colorScheme = scheme;
    expect(await violations(element)).toEqual([]);
  }

  element.focus();
  await userEvent.keyboard('1');
  await poll(() => seen.length).toBe(1);
  expect(seen[0]).toMatchObject({ outcome: 'a', a: REPLIES[0], b: REPLIES[1], indices: null });
  expect((await r.stats()).comparisons).toBe(1);
  await poll(() => part(element, 'preference')?.textContent ?? '').toMatch(/prefers A \(\d+ % sure\)/);
  expect(element.shadowRoot!.querySelector('[role="status"]')!.textContent).toBe('Preferred A. 1 compared.');

  await userEvent.keyboard('{Backspace}');
  await poll(async () => (await r.stats()).comparisons).toBe(0);
  await poll(() => part(element, 'count')?.textContent).toBe('0 compared');
  await userEvent.keyboard('t');
  await poll(() => seen.length).toBe(2);
  expect(seen[1]!.outcome).toBe('tie');
  expect((await r.auditLog()).map((e) => e.kind)).toEqual(['compare', 'undo', 'compare']);

  element.hidePreference = true;
  await element.updateComplete;
  expect(part(element, 'preference')).toBeNull();
});

test('.pool: asks the ranker for informative pairs one after another, counts, skips', async () => {
  const r = await ranker();
  const element = document.createElement('hitl-compare');
  element.ranker = r;
  element.pool = REPLIES;
  stage().append(element);
  const seen = events(element);
  await poll(() => part(element, 'side-a')?.textContent ?? '').toMatch(/Refund|Thanks|cannot|Sorry|FAQ|escalated/);
  await poll(() => part(element, 'side-b')?.textContent ?? '').toMatch(/Refund|Thanks|cannot|Sorry|FAQ|escalated/);
  expect(await violations(element)).toEqual([]);
  const first = text(element);
  await userEvent.click(element.shadowRoot!.querySelectorAll<HTMLElement>('[part~="prefer"]')[1]!);
  await poll(() => seen.length).toBe(1);
  const [i, j] = seen[0]!.indices!;
  expect(seen[0]!.a).toBe(REPLIES[i]);
  expect(seen[0]!.b).toBe(REPLIES[j]);
  await poll(() => part(element, 'count')?.textContent).toBe('1 compared');
  await poll(() => text(element)).not.toBe(first);
  const beforeSkip = part(element, 'side-a')!.textContent! + part(element, 'side-b')!.textContent!;
  element.focus();
  await userEvent.keyboard('s');
  await poll(() => part(element, 'side-a')!.textContent! + part(element, 'side-b')!.textContent!).not.toBe(beforeSkip);
  expect((await r.stats()).comparisons).toBe(1);
});

test("<hitl-model-panel> shows a ranker's figures, accessibly, and follows its changes", async () => {
  const r = await ranker();
  for (let k = 0; k < 12; k++) await r.compare(REPLIES[k % 6]!, REPLIES[(k + 1) % 6]!, k % 5 === 0 ? 'tie' : 'a');
  await r.train();
  const panel = document.createElement('hitl-model-panel');
  panel.ranker = r;
  stage().append(panel);
  const stat = (key: string) => panel.shadowRoot?.querySelector(`[data-stat="${key}"]`)?.textContent ?? '';
  await poll(() => stat('comparisons')).toBe('12');
  expect(stat('ties')).toBe('3');
  expect(stat('agreement')).toMatch(/ of \d+/);
  expect(await violations(panel)).toEqual([]);
  await r.compare(REPLIES[0]!, REPLIES[5]!, 'b');
  await poll(() => stat('comparisons')).toBe('13');
});
