import axe from 'axe-core';
import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import { createClassifier, type Classifier } from '../../classifier.js';
import type { HitlLabelEvent } from '../../events.js';
import { HitlClassifier } from './hitl-classifier.js';
import { HITL_CLASSIFIER_STRINGS } from './hitl-classifier.strings.js';
import { onCleanup, runCleanups, stage, uniqueName } from '../../../test/helpers.js';

afterEach(runCleanups);

const SPAM = [
  'Win a free prize now, click here',
  'Free cash, claim your prize today',
  'Cheap pills, buy now, free shipping',
  'Click here to claim free money',
];
const HAM = [
  'Meeting moved to Thursday afternoon',
  'Notes from the project review attached',
  'Lunch with the team tomorrow?',
  'The release build failed again',
];

async function trained(name: string, input: 'text' | 'image' = 'text'): Promise<Classifier> {
  const labels = input === 'text' ? ['spam', 'ham'] : ['left', 'right'];
  const clf = await createClassifier({ name, labels, input, storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  if (input === 'text') {
    for (const text of SPAM) await clf.label(text, 'spam', { annotator: 'ana' });
    for (const text of HAM) await clf.label(text, 'ham', { annotator: 'ben' });
  } else {
    for (let shift = 0; shift < 3; shift++) {
      await clf.label(square('left', shift), 'left');
      await clf.label(square('right', shift), 'right');
    }
  }
  await clf.train();
  return clf;
}

/** A bright square on the left or the right of a dark picture. */
function square(side: 'left' | 'right', shift: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 48;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, 48, 48);
  context.fillStyle = '#fff';
  context.fillRect(side === 'left' ? 4 + shift : 26 + shift, 12 + shift, 16, 16);
  return canvas;
}

function tag(attributes: Record<string, string>, text = ''): HitlClassifier {
  const element = document.createElement('hitl-classifier');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.textContent = text;
  return element;
}

function shadow<T extends Element = HTMLElement>(element: HitlClassifier, selector: string): T | null {
  return element.shadowRoot?.querySelector<T>(selector) ?? null;
}

async function violations(context: Element): Promise<string[]> {
  const result = await axe.run(context, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => `${v.id}: ${v.help}`);
}

describe('<hitl-classifier explain>', () => {
  test('offers a closed "Why?" button after the prediction; the keyboard opens it on the marked words and nearest examples', async () => {
    const name = uniqueName('explain-tag');
    await trained(name);
    const container = stage();
    const plain = tag({ model: name, labels: 'spam,ham', storage: 'memory' }, 'Claim your free prize now');
    const element = tag({ model: name, labels: 'spam,ham', storage: 'memory', explain: '' }, 'Claim your free prize now, notes attached');
    container.append(plain, element);
    const labels: HitlLabelEvent[] = [];
    element.addEventListener('hitl-label', (event) => labels.push(event));
    await expect.poll(() => element.state, { timeout: 30_000 }).toMatch(/confident|needs-review/);
    await expect.poll(() => plain.state, { timeout: 30_000 }).toMatch(/confident|needs-review/);
    expect(element.explain).toBe(true);
    // Opt-in: without the attribute there is no button at all.
    expect(shadow(plain, '.why-toggle')).toBeNull();
    const toggle = shadow<HTMLButtonElement>(element, '.why-toggle')!;
    expect(toggle.textContent?.trim()).toBe(HITL_CLASSIFIER_STRINGS.why);
    // Closed until a person asks: nothing anchors the decision.
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(shadow(element, '.why-panel')).toBeNull();

    toggle.focus();
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => shadow(element, '.why-nearest li')?.textContent ?? '', { timeout: 30_000 }).toMatch(/spam|ham/);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.getAttribute('aria-controls')).toBe('why-panel');
    // Enter on the toggle opened it; it did not accept the prediction.
    expect(labels).toHaveLength(0);
    const marks = [...(element.shadowRoot?.querySelectorAll('mark') ?? [])];
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) {
      // Each mark says in words which way it weighs, and shows a sign: not colour alone.
      expect(mark.querySelector('.visually-hidden')?.textContent?.trim()).toMatch(/^\((for|against)\)$/);
      expect(mark.querySelector('.sign')?.textContent).toMatch(/^[+−]$/);
    }
    const strongestFor = marks
      .filter((m) => m.classList.contains('for'))
      .map((m) =>
        (m.textContent ?? '')
          .replace(/[+−]|\((for|against)\)/g, '')
          .trim()
          .toLowerCase(),
      );
    expect(strongestFor.some((word) => ['claim', 'free', 'prize', 'now'].includes(word ?? ''))).toBe(true);
    expect(shadow(element, '.why-text')?.textContent?.replace(/\s+|[+−]|\((for|against)\)/g, '')).toBe('Claimyourfreeprizenow,notesattached');
    const nearest = [...(element.shadowRoot?.querySelectorAll('.why-nearest li') ?? [])].map((li) => li.textContent ?? '');
    expect(nearest).toHaveLength(5);
    expect(nearest.some((line) => /labelled by (ana|ben)/.test(line))).toBe(true);
    expect(await violations(element)).toEqual([]);

    await userEvent.keyboard('{Enter}');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    expect(shadow(element, '.why-panel')).toBeNull();
  });

  test('the open disclosure passes axe in the dark theme too', async () => {
    const name = uniqueName('explain-tag');
    await trained(name);
    const container = stage();
    container.style.background = '#111318';
    const element = tag({ model: name, labels: 'spam,ham', storage: 'memory', explain: '' }, 'Free prize meeting notes, click now');
    element.style.colorScheme = 'dark';
    container.append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toMatch(/confident|needs-review/);
    shadow<HTMLButtonElement>(element, '.why-toggle')!.click();
    await expect.poll(() => shadow(element, '.why-nearest'), { timeout: 30_000 }).not.toBeNull();
    expect(element.shadowRoot?.querySelectorAll('mark.for, mark.against').length).toBeGreaterThan(0);
    expect(await violations(element)).toEqual([]);
  });

  test('goes away while a person picks another label, and a new text closes it', async () => {
    const name = uniqueName('explain-tag');
    await trained(name);
    const element = tag({ model: name, labels: 'spam,ham', storage: 'memory', explain: '' }, 'Free prize waiting, click now');
    stage().append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toMatch(/confident|needs-review/);
    shadow<HTMLButtonElement>(element, '.why-toggle')!.click();
    await expect.poll(() => shadow(element, '.why-nearest'), { timeout: 30_000 }).not.toBeNull();
    shadow<HTMLButtonElement>(element, '.why-toggle')!.focus();
    await userEvent.keyboard('x');
    await expect.poll(() => shadow(element, '.why-toggle')).toBeNull();
    await userEvent.keyboard('{Escape}');
    await expect.poll(() => shadow(element, '.why-toggle')).not.toBeNull();
    expect(shadow(element, '.why-toggle')!.getAttribute('aria-expanded')).toBe('false');

    shadow<HTMLButtonElement>(element, '.why-toggle')!.click();
    await expect.poll(() => shadow(element, '.why-panel')).not.toBeNull();
    element.textContent = 'The meeting notes from Thursday';
    await expect.poll(() => element.prediction?.label, { timeout: 30_000 }).toBe('ham');
    await expect.poll(() => shadow(element, '.why-toggle')?.getAttribute('aria-expanded')).toBe('false');
  });

  test('overlays the heat map on a picture, with the strongest patches in words', async () => {
    const name = uniqueName('explain-picture');
    await trained(name, 'image');
    const element = tag({ model: name, labels: 'left,right', storage: 'memory', explain: '' });
    element.append(square('left', 3));
    stage().append(element);
    await expect.poll(() => element.state, { timeout: 30_000 }).toMatch(/confident|needs-review/);
    shadow<HTMLButtonElement>(element, '.why-toggle')!.click();
    await expect.poll(() => shadow(element, 'canvas.why-heatmap'), { timeout: 30_000 }).not.toBeNull();
    const canvas = shadow<HTMLCanvasElement>(element, 'canvas.why-heatmap')!;
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toMatch(/row \d, column \d/);
    // The picture is drawn under the map: the canvas is not blank.
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    expect(pixels.some((v, i) => i % 4 === 3 && v > 0)).toBe(true);
  });
});
