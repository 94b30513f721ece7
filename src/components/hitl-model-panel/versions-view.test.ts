import axe from 'axe-core';
import { afterEach, expect, test } from 'vitest';
import { createClassifier } from '../../classifier.js';
import { HitlErrorEvent } from '../../events.js';
import { HitlModelPanel } from './hitl-model-panel.js';
import { onCleanup, runCleanups, stage, uniqueName } from '../../../test/helpers.js';

afterEach(runCleanups);

const LABELS = ['billing', 'bug', 'feature'];
const EXAMPLES: [string, string][] = [
  ['The app crashes when I press save', 'bug'],
  ['I was charged twice for my invoice', 'billing'],
  ['Please add a dark mode to the settings', 'feature'],
  ['The export button throws an error', 'bug'],
];

function rows(panel: HitlModelPanel): HTMLTableRowElement[] {
  return [...(panel.shadowRoot?.querySelectorAll<HTMLTableRowElement>('[part~="versions"] tbody tr') ?? [])];
}

function rowOf(panel: HitlModelPanel, version: number): HTMLTableRowElement {
  return rows(panel).find((row) => row.dataset['version'] === String(version))!;
}

test('<hitl-model-panel> lists the versions with their metrics; Roll back and Pin change what serves, and axe finds nothing', async () => {
  const name = uniqueName('versions-panel');
  const clf = await createClassifier({ name, labels: LABELS, storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  for (const [text, label] of EXAMPLES.slice(0, 3)) await clf.label(text, label);
  await clf.train();
  await clf.label(...EXAMPLES[3]!);
  await clf.train();

  expect(customElements.get('hitl-model-panel')).toBe(HitlModelPanel);
  const panel = document.createElement('hitl-model-panel');
  for (const [key, value] of Object.entries({ model: name, labels: LABELS.join(','), storage: 'memory', 'refresh-interval': '0' })) {
    panel.setAttribute(key, value);
  }
  stage().append(panel);
  await expect.poll(() => rows(panel).length, { timeout: 30_000 }).toBe(2);
  // Newest first, with the labels each saw; the serving one has no rollback button.
  expect(rows(panel).map((row) => row.querySelector('th')!.textContent!.trim())).toEqual(['v2', 'v1']);
  expect(rowOf(panel, 2).cells[2]!.textContent!.trim()).toBe('4');
  expect(rowOf(panel, 1).cells[2]!.textContent!.trim()).toBe('3');
  expect(rowOf(panel, 2).textContent).toContain('serving');
  expect(rowOf(panel, 2).querySelector('[part~="rollback"]')).toBeNull();

  const failures: HitlErrorEvent[] = [];
  panel.addEventListener('hitl-error', (event) => failures.push(event));
  rowOf(panel, 1).querySelector<HTMLButtonElement>('[part~="rollback"]')!.click();
  await expect.poll(async () => (await clf.stats()).modelVersion, { timeout: 30_000 }).toBe(1);
  await expect.poll(() => rowOf(panel, 1).textContent, { timeout: 30_000 }).toContain('serving');
  expect(panel.shadowRoot!.querySelector('[part~="versions"] [role="status"]')?.textContent).toContain('Version 1 serves again');

  const pin = () => rowOf(panel, 1).querySelector<HTMLButtonElement>('[part~="pin"]')!;
  expect(pin().getAttribute('aria-pressed')).toBe('false');
  pin().click();
  await expect.poll(() => pin().getAttribute('aria-pressed'), { timeout: 30_000 }).toBe('true');
  expect((await clf.versions()).find((v) => v.version === 1)?.pinned).toBe(true);
  expect(failures).toEqual([]);

  const result = await axe.run(panel, { rules: { region: { enabled: false } }, resultTypes: ['violations'] });
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`)).toEqual([]);
});
