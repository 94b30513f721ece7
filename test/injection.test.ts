// Issue 6, "nothing injected": labels, texts and file contents that are HTML or script reach every element and the
// API as data. Each payload would set window.__pwned if it ever became markup; the test checks that it did not, that
// no element of the payload exists in any shadow root, and that the payload is shown as the very text it is.
import { afterEach, describe, expect, test } from 'vitest';
import { createClassifier, type Classifier } from '../src/classifier.js';
import '../src/components/hitl-classifier/hitl-classifier.js';
import { defineHitlTools } from '../src/components/define-on-demand.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import { uniqueName } from './helpers.js';

type Pwned = Window & { __pwned?: unknown };

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=\'img\'">',
  '<script>window.__pwned="script"</script>',
  '"><svg onload="window.__pwned=\'svg\'">',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
] as const;
/** Labels come from a comma-separated attribute: payloads without commas. */
const LABELS = [PAYLOADS[0], PAYLOADS[1], 'plain'];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  delete (window as Pwned).__pwned;
});

function mount<T extends HTMLElement>(element: T): T {
  document.body.append(element);
  cleanups.push(() => element.remove());
  return element;
}

async function open(name: string, labels: readonly string[] = LABELS): Promise<Classifier> {
  const clf = await createClassifier({ name, labels, autoTrain: false, storage: 'memory' });
  cleanups.push(() => clf.close());
  return clf;
}

/** Every element in `root` and the shadow roots below it. */
function allElements(root: ParentNode): Element[] {
  const found: Element[] = [];
  for (const element of root.querySelectorAll('*')) {
    found.push(element);
    if (element.shadowRoot) found.push(...allElements(element.shadowRoot));
  }
  return found;
}

/** Nothing ran and nothing of a payload became an element: no img, script or iframe, no handler attribute, in shadow DOM. */
async function expectNothingInjected(host: Element): Promise<void> {
  // An injected <img src=x> would fire its error a task or two later: give it those tasks.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect((window as Pwned).__pwned).toBeUndefined();
  const elements = allElements(host.shadowRoot!);
  expect(elements.map((e) => e.localName).filter((t) => ['img', 'script', 'iframe'].includes(t))).toEqual([]);
  // The panel draws its charts as <svg>: none of them (nor anything else) may carry a payload's handler or srcdoc.
  const handlers = elements.flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith('on') || a === 'srcdoc'));
  expect(handlers).toEqual([]);
}

function shadowText(element: Element): string {
  return element.shadowRoot?.textContent ?? '';
}

describe('HTML and script payloads are shown as text', () => {
  test('<hitl-classifier>: payload labels, a payload text of its own and one typed into a for= field', async () => {
    const name = uniqueName('inject-tag');
    const clf = await open(name);
    await clf.label(PAYLOADS[2], PAYLOADS[0]);
    const own = mount(document.createElement('hitl-classifier') as HitlClassifier);
    own.setAttribute('model', name);
    own.setAttribute('storage', 'memory');
    own.setAttribute('labels', LABELS.join(','));
    own.textContent = PAYLOADS[2];
    const field = mount(document.createElement('textarea'));
    field.id = `field-${crypto.randomUUID()}`;
    field.value = PAYLOADS[3];
    const typed = mount(document.createElement('hitl-classifier') as HitlClassifier);
    typed.setAttribute('model', name);
    typed.setAttribute('storage', 'memory');
    typed.setAttribute('labels', LABELS.join(','));
    typed.setAttribute('for', field.id);
    await expect.poll(() => own.state, { timeout: 30_000 }).toBe('labelled');
    await expect.poll(() => typed.prediction?.label, { timeout: 30_000 }).toBe(PAYLOADS[0]);

    const buttons = [...own.shadowRoot!.querySelectorAll('[part~="label-button"]')].map((b) => b.textContent);
    expect(buttons).toEqual(LABELS);
    expect(own.shadowRoot!.querySelector('[part="label"]')!.textContent).toBe(PAYLOADS[0]);
    expect(typed.shadowRoot!.querySelector('[part="label"]')!.textContent).toBe(PAYLOADS[0]);
    // Choosing the script label stores it as the plain string it is.
    typed.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="label-button"]')[1]!.click();
    await expect.poll(() => typed.state, { timeout: 30_000 }).toBe('labelled');
    expect(await clf.getLabel(PAYLOADS[3])).toMatchObject({ label: PAYLOADS[1] });
    expect(shadowText(typed)).toContain(PAYLOADS[1]);
    await expectNothingInjected(own);
    await expectNothingInjected(typed);
  });

  test('a bad attribute value with markup is shown in the error as text', async () => {
    const tag = mount(document.createElement('hitl-classifier') as HitlClassifier);
    tag.setAttribute('model', uniqueName('inject-attr'));
    tag.setAttribute('labels', `${PAYLOADS[0]},${PAYLOADS[0]}`);
    tag.setAttribute('threshold', PAYLOADS[2]);
    tag.textContent = 'hello';
    await expect.poll(() => tag.state).toBe('error');
    expect(shadowText(tag)).toContain(PAYLOADS[0]);
    await expectNothingInjected(tag);
  });

  test('<hitl-review-queue> and <hitl-model-panel>: queued payload texts, payload labels, and an imported file full of markup', async () => {
    await defineHitlTools();
    const name = uniqueName('inject-tools');
    const clf = await open(name);
    await clf.label('plain words about nothing', 'plain');
    await clf.label(PAYLOADS[0], PAYLOADS[0]);
    await clf.enqueue([PAYLOADS[3], PAYLOADS[2]]);
    const queue = mount(document.createElement('hitl-review-queue'));
    const panel = mount(document.createElement('hitl-model-panel'));
    for (const tool of [queue, panel]) {
      tool.setAttribute('model', name);
      tool.setAttribute('storage', 'memory');
      tool.setAttribute('labels', LABELS.join(','));
      tool.setAttribute('input', 'text');
    }
    await expect.poll(() => shadowText(queue), { timeout: 30_000 }).toMatch(/<iframe srcdoc|"><svg onload/);
    await expect.poll(() => shadowText(panel), { timeout: 30_000 }).toContain(PAYLOADS[1]);

    // A file whose content is markup, not JSON: the panel shows why it was refused, as text.
    const input = panel.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    const transfer = new DataTransfer();
    transfer.items.add(new File([`${PAYLOADS[0]}\n${PAYLOADS[1]}`], `${PAYLOADS[2]}.jsonl`, { type: 'application/x-ndjson' }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await expect
      .poll(() => panel.shadowRoot!.querySelector('[role="alert"]')?.textContent ?? '', { timeout: 30_000 })
      .toMatch(/failed, nothing was changed/);
    expect(panel.shadowRoot!.querySelector('[role="alert"]')!.textContent).toContain(PAYLOADS[2]);
    await expectNothingInjected(queue);
    await expectNothingInjected(panel);
  });

  test('an imported file whose labels, texts and annotators are markup: stored and shown as the strings they are', async () => {
    const source = await open(uniqueName('inject-export'), [PAYLOADS[2], PAYLOADS[3]]);
    await source.label(PAYLOADS[0], PAYLOADS[2], { annotator: PAYLOADS[1] });
    await source.label(PAYLOADS[1], PAYLOADS[3], { annotator: PAYLOADS[0] });
    const file = await source.export();
    const name = uniqueName('inject-import');
    const target = await open(name, ['plain', 'other']);
    await target.import(file);
    expect(target.labels).toEqual(['plain', 'other', PAYLOADS[2], PAYLOADS[3]]);
    expect(await target.getLabel(PAYLOADS[0])).toMatchObject({ label: PAYLOADS[2], annotator: PAYLOADS[1] });
    const tag = mount(document.createElement('hitl-classifier') as HitlClassifier);
    tag.setAttribute('model', name);
    tag.setAttribute('storage', 'memory');
    tag.setAttribute('labels', ['plain', 'other', PAYLOADS[2], PAYLOADS[3]].join(','));
    tag.textContent = PAYLOADS[0];
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('labelled');
    expect(tag.shadowRoot!.querySelector('[part="label"]')!.textContent).toBe(PAYLOADS[2]);
    expect(shadowText(tag)).toContain(PAYLOADS[1]);
    await expectNothingInjected(tag);
  });
});
