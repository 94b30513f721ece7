import { afterEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { createClassifier, type Classifier } from '../../classifier.js';
import { HitlDriftEvent } from '../../events.js';
import { HitlModelPanel } from './hitl-model-panel.js';
import { onCleanup, runCleanups, stage, uniqueName } from '../../../test/helpers.js';

const LABELS = ['billing', 'bug', 'feature'];
afterEach(runCleanups);

const uniqueModel = (): string => uniqueName('hitl-model-panel-test');

function panelTag(attributes: Record<string, string>): HitlModelPanel {
  const element = document.createElement('hitl-model-panel');
  for (const [name, value] of Object.entries({ 'refresh-interval': '0', ...attributes })) element.setAttribute(name, value);
  stage().append(element);
  return element;
}

async function open(name: string, labels = LABELS): Promise<Classifier> {
  const classifier = await createClassifier({ name, labels, storage: 'memory', autoTrain: false });
  onCleanup(() => classifier.close());
  return classifier;
}

const EXAMPLES: [string, string][] = [
  ['The app crashes when I press save', 'bug'],
  ['I was charged twice for my invoice', 'billing'],
  ['Please add a dark mode to the settings', 'feature'],
  ['The export button throws an error', 'bug'],
  ['My card was billed the wrong amount', 'billing'],
];

async function seeded(name: string): Promise<Classifier> {
  const classifier = await open(name);
  for (const [text, label] of EXAMPLES) await classifier.label(text, label);
  return classifier;
}

function shadowText(element: Element): string {
  return (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

function part(element: HitlModelPanel, name: string): Element | null {
  return element.shadowRoot?.querySelector(`[part~="${name}"]`) ?? null;
}

function stat(element: HitlModelPanel, name: string): string | undefined {
  return element.shadowRoot?.querySelector(`[data-stat="${name}"]`)?.textContent?.trim();
}

describe('<hitl-model-panel>', () => {
  test('shows backend, version and labels per class; Train now trains with a progress bar and the loss', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    const panel = panelTag({ model: name, labels: LABELS.join(','), storage: 'memory' });
    expect(customElements.get('hitl-model-panel')).toBe(HitlModelPanel);
    await expect.poll(() => stat(panel, 'examples'), { timeout: 30_000 }).toBe('5');
    expect(stat(panel, 'backend')).toMatch(/^(WebGPU|WebGL|WASM|CPU)$/);
    expect(stat(panel, 'version')).toBe('none');
    // Five labels: nothing chosen from them yet.
    expect(stat(panel, 'choice')).toBeUndefined();
    const counts = [...(panel.shadowRoot?.querySelectorAll('[part~="counts"] li') ?? [])].map((li) => [
      li.querySelector('.name')?.textContent,
      li.querySelector('.count')?.textContent,
    ]);
    expect(counts).toEqual([
      ['billing', '2'],
      ['bug', '2'],
      ['feature', '1'],
    ]);

    // Progress may flash by: record every status text and progress value shown.
    const seen: string[] = [];
    const training = part(panel, 'training') as HTMLElement;
    const observer = new MutationObserver(() => {
      const bar = training.querySelector('progress');
      seen.push(`${training.textContent?.replace(/\s+/g, ' ')} [${bar?.hidden ? 'hidden' : `${bar?.value}/${bar?.max}`}]`);
    });
    observer.observe(training, { subtree: true, childList: true, characterData: true, attributes: true });
    onCleanup(() => observer.disconnect());
    await userEvent.click(page.getByRole('button', { name: 'Train now' }));
    await expect.poll(() => stat(panel, 'version'), { timeout: 60_000 }).toMatch(/^v\d+$/);
    expect(
      seen.some((text) => /Epoch (\d+) of (\d+) · loss \d+\.\d{3}\s.*\[\1\/\2\]/.test(text)),
      seen.join('\n'),
    ).toBe(true);
    await expect.poll(() => shadowText(panel)).toMatch(/Trained v\d+ on 5 examples/);
    expect((await classifier.stats()).modelVersion).toBeGreaterThan(0);
  });

  test('says what cross-validation on the labels chose for the head, with its out-of-fold accuracy', async () => {
    const name = uniqueModel();
    const classifier = await createClassifier({ name, labels: ['dry', 'wet'], input: 'features', storage: 'memory', autoTrain: false });
    onCleanup(() => classifier.close());
    // Wet days by their rain, from a trace up; two columns of noise: a task whose choice is made at 40 labels.
    await classifier.labelBatch(
      Array.from({ length: 48 }, (_, i) => ({
        input: [i % 2 ? 0.05 * (i % 7) + 0.02 : 0, (i * 37) % 11, (i * 13) % 5],
        label: i % 2 ? 'wet' : 'dry',
      })),
    );
    await classifier.train();
    const choice = (await classifier.stats()).featureChoice!;
    const panel = panelTag({ model: name, labels: 'dry,wet', input: 'features', storage: 'memory' });
    await expect.poll(() => stat(panel, 'choice'), { timeout: 30_000 }).toMatch(/^L2 strength 1e-\d \(\d+\s?% out of fold on 48 labels\)$/);
    expect(stat(panel, 'choice')).toContain(`L2 strength ${choice.l2!.toExponential(0)} `);
  });

  test('quality: agreement chart, a confusion matrix table, a reliability diagram and the auto-accept share', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    // People see predictions and decide: agreeing on some, correcting others.
    const decisions: [string, string][] = [
      ['The app crashes on start', 'bug'],
      ['I was charged for two invoices', 'billing'],
      ['Add dark mode to the app', 'feature'],
      ['The save button crashes', 'billing'],
      ['My invoice shows the wrong amount', 'billing'],
      ['Please add an export of invoices', 'bug'],
    ];
    for (const [text, human] of decisions) {
      const prediction = await classifier.predict(text, { shown: true, queue: false });
      await classifier.label(text, human, { predictionId: prediction.id });
    }
    const report = await classifier.quality();
    expect(report.decisions).toBe(decisions.length);

    const panel = panelTag({ model: name, labels: LABELS.join(','), storage: 'memory' });
    await expect.poll(() => panel.quality?.decisions, { timeout: 30_000 }).toBe(decisions.length);

    const agreed = report.agreement.filter((a) => a.agreed).length;
    expect(stat(panel, 'agreement')).toBe(`${Math.round((agreed / decisions.length) * 100)}%`);
    const chart = part(panel, 'agreement');
    expect(chart?.tagName.toLowerCase()).toBe('svg');
    expect(chart?.getAttribute('role')).toBe('img');
    expect(chart?.getAttribute('aria-label')).toContain(`last ${decisions.length} decisions`);
    expect(chart?.querySelector('.series')).not.toBeNull();

    const table = part(panel, 'confusion') as HTMLTableElement;
    expect(table.tagName).toBe('TABLE');
    expect([...table.tHead!.querySelectorAll('th[scope="col"]')].slice(1).map((th) => th.textContent)).toEqual(report.confusion.labels);
    const rows = [...table.tBodies[0]!.rows];
    expect(rows.map((row) => row.querySelector('th[scope="row"]')?.textContent)).toEqual(report.confusion.labels);
    expect(rows.map((row) => [...row.cells].slice(1).map((cell) => Number(cell.textContent)))).toEqual(report.confusion.matrix);
    await expect.element(page.getByRole('table', { name: /Rows: the label people gave/ })).toBeVisible();

    // Per label: what people gave, and precision / recall / F1 of what the model showed (issue 18, item 3).
    const perClass = part(panel, 'per-class') as HTMLTableElement;
    const shown = report.perClass.filter((row) => row.support > 0 || row.predicted > 0);
    expect([...perClass.tBodies[0]!.rows].map((row) => [row.dataset.label, Number(row.cells[1]!.textContent)])).toEqual(
      shown.map((row) => [row.label, row.support]),
    );
    // Every label has fewer than 5 examples here: each is named with what to do.
    const { classWarnings } = await classifier.stats();
    expect(classWarnings.length).toBeGreaterThan(0);
    const notes = [...part(panel, 'class-warnings')!.querySelectorAll('li')];
    expect(notes.map((li) => [li.dataset.label, li.dataset.reason])).toEqual(classWarnings.map((w) => [w.label, w.reason]));
    expect(notes[0]!.textContent).toContain('give it at least 5');

    const reliability = part(panel, 'reliability');
    expect(reliability?.getAttribute('role')).toBe('img');
    const diagonal = reliability?.querySelector('line.diagonal');
    expect([diagonal?.getAttribute('x1'), diagonal?.getAttribute('y1'), diagonal?.getAttribute('x2'), diagonal?.getAttribute('y2')]).toEqual([
      '0',
      '100',
      '100',
      '0',
    ]);
    const filled = report.reliability.bins.filter((bin) => bin.count > 0);
    expect(reliability?.querySelectorAll('rect.bin')).toHaveLength(filled.length);

    const share = report.autoAccept.share;
    expect(share).not.toBeNull();
    expect(part(panel, 'auto-accept')?.textContent?.replace(/\s+/g, ' ')).toContain(
      `${Math.round((share as number) * 100)}% of ${report.autoAccept.predictions} shown predictions`,
    );
  });

  test('a shifted stream of predictions shows the drift warning with its reasons and fires hitl-drift once', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    const container = stage();
    const drifts: HitlDriftEvent[] = [];
    container.addEventListener('hitl-drift', (event) => drifts.push(event));
    const panel = document.createElement('hitl-model-panel');
    for (const [key, value] of Object.entries({ model: name, labels: LABELS.join(','), storage: 'memory', window: '60', 'refresh-interval': '0' }))
      panel.setAttribute(key, value);
    container.append(panel);
    await expect.poll(() => panel.quality, { timeout: 30_000 }).not.toBeNull();

    // Reference window: mostly bug reports. Recent window: invoices only.
    const before = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? `Invoice ${i} was charged twice` : `The app crashes on screen ${i}`));
    await classifier.predictBatch(before, { shown: true });
    await panel.refresh();
    expect(panel.quality?.autoAccept.predictions).toBe(60);
    expect(panel.quality?.drift.drifted).toBe(false);
    expect(part(panel, 'drift')).toBeNull();

    const after = Array.from({ length: 60 }, (_, i) => `I was charged twice for invoice ${i}`);
    await classifier.predictBatch(after, { shown: true });
    await panel.refresh();
    await panel.updateComplete;
    expect(part(panel, 'drift')).not.toBeNull();
    const report = panel.quality?.drift;
    expect(report?.drifted).toBe(true);
    expect(report?.reasons.length).toBeGreaterThan(0);
    const warning = part(panel, 'drift') as HTMLElement;
    expect(warning.getAttribute('role')).toBe('alert');
    for (const reason of report?.reasons ?? []) expect(warning.textContent).toContain(reason);
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toBeInstanceOf(HitlDriftEvent);
    expect(drifts[0]?.detail).toEqual(report);

    // Still drifted on the next refresh: no second event.
    await classifier.predictBatch(after.slice(0, 10), { shown: true });
    await panel.refresh();
    expect(panel.quality?.drift.drifted).toBe(true);
    expect(drifts).toHaveLength(1);
  });

  test('Export downloads the bundle; a corrupted import shows its error and changes nothing; a good one imports', async () => {
    const name = uniqueModel();
    await seeded(name);
    const panel = panelTag({ model: name, labels: LABELS.join(','), storage: 'memory' });
    await expect.poll(() => stat(panel, 'examples'), { timeout: 30_000 }).toBe('5');

    await userEvent.click(page.getByRole('button', { name: 'Export' }));
    await expect.poll(() => part(panel, 'download'), { timeout: 30_000 }).not.toBeNull();
    const link = part(panel, 'download') as HTMLAnchorElement;
    expect(link.download).toMatch(/\.hitl\.jsonl$/);
    const text = await (await fetch(link.href)).text();
    const header = JSON.parse(text.split('\n')[0] as string) as { format: string; labels: string[] };
    expect(header).toMatchObject({ format: 'hitl-classifier', labels: LABELS });

    // A corrupted file: the header is fine, a later line is cut off.
    const corrupted = new File([text.slice(0, Math.floor(text.length * 0.6))], 'corrupted.hitl.jsonl', { type: 'application/x-ndjson' });
    const target = uniqueModel();
    const other = await open(target);
    await other.label('Something already here', 'bug');
    const importer = panelTag({ model: target, labels: LABELS.join(','), storage: 'memory' });
    await expect.poll(() => stat(importer, 'examples'), { timeout: 30_000 }).toBe('1');
    const input = importer.shadowRoot?.querySelector<HTMLInputElement>('input[type="file"]') as HTMLInputElement;
    await userEvent.upload(input, corrupted);
    await expect
      .poll(() => importer.shadowRoot?.querySelector('[role="alert"]')?.textContent ?? '', { timeout: 30_000 })
      .toContain('Import of corrupted.hitl.jsonl failed, nothing was changed:');
    expect((await other.stats()).examples).toBe(1);
    expect(stat(importer, 'examples')).toBe('1');

    await userEvent.upload(input, new File([text], 'good.hitl.jsonl', { type: 'application/x-ndjson' }));
    await expect.poll(() => shadowText(importer), { timeout: 30_000 }).toContain('Imported 5 examples');
    await expect.poll(() => stat(importer, 'examples'), { timeout: 30_000 }).toBe('6');
  });

  test('Reset asks for confirmation in the page; Cancel keeps everything, Delete everything resets', async () => {
    const name = uniqueModel();
    const classifier = await seeded(name);
    let confirmed = false;
    const original = window.confirm;
    window.confirm = () => ((confirmed = true), true);
    onCleanup(() => (window.confirm = original));
    const panel = panelTag({ model: name, labels: LABELS.join(','), storage: 'memory' });
    await expect.poll(() => stat(panel, 'examples'), { timeout: 30_000 }).toBe('5');

    await userEvent.click(page.getByRole('button', { name: 'Reset…' }));
    const dialog = page.getByRole('alertdialog');
    await expect.element(dialog).toBeVisible();
    expect(dialog.element().textContent).toContain(`Delete everything of the model "${name}"?`);
    await expect.poll(() => panel.shadowRoot?.activeElement?.textContent?.trim()).toBe('Cancel');
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => panel.shadowRoot?.querySelector('[role="alertdialog"]')).toBeNull();
    expect((await classifier.stats()).examples).toBe(5);

    await userEvent.click(page.getByRole('button', { name: 'Reset…' }));
    await userEvent.click(page.getByRole('button', { name: 'Delete everything' }));
    await expect.poll(() => stat(panel, 'examples'), { timeout: 30_000 }).toBe('0');
    expect((await classifier.stats()).examples).toBe(0);
    expect(confirmed).toBe(false);
  });

  test('labels and messages are rendered as text, never as markup', async () => {
    const name = uniqueModel();
    const labels = ['<img src=x onerror="window.__pwned=1">', '<b>bold</b>'];
    const classifier = await open(name, labels);
    await classifier.label('first', labels[0]!);
    await classifier.label('second', labels[1]!);
    const panel = panelTag({ model: name, labels: labels.join(','), storage: 'memory' });
    await expect.poll(() => stat(panel, 'examples'), { timeout: 30_000 }).toBe('2');
    expect(panel.shadowRoot?.querySelector('img, b')).toBeNull();
    expect(shadowText(panel)).toContain('<b>bold</b>');
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
