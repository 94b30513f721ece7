// Task 2, digits: a drawing pad whose picture a <hitl-classifier for="…"> reads, and a gallery of MNIST digits,
// each a <canvas> inside its own <hitl-classifier>. The review queue and the panel sit beside them.
import type { HitlClassifier } from '../src/index.js';
import { digitImage, type DigitsData } from './data.js';
import { el, pager } from './dom.js';
import type { SimTask } from './simulation.js';

export const DIGITS_MODEL = 'demo-digits';
const LABELS = '0,1,2,3,4,5,6,7,8,9';
const PAGE_SIZE = 12;
const TEST_SIZE = 150;
/** The pad's drawing buffer; CSS scales it to the space available. */
const PAD = 280;

/**
 * MNIST's own preparation, so a digit drawn anywhere on the pad looks like the ones the model learns from: the strokes'
 * bounding box scaled into 20 × 20 pixels, then centred by its centre of mass in a 28 × 28 picture.
 */
function toMnist(pad: HTMLCanvasElement, out: HTMLCanvasElement): boolean {
  const context = pad.getContext('2d', { willReadFrequently: true })!;
  const { data } = context.getImageData(0, 0, pad.width, pad.height);
  let top = pad.height;
  let left = pad.width;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < pad.height; y++) {
    for (let x = 0; x < pad.width; x++) {
      if (data[(y * pad.width + x) * 4]! > 40) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const target = out.getContext('2d', { willReadFrequently: true })!;
  target.fillStyle = '#000';
  target.fillRect(0, 0, 28, 28);
  if (bottom < 0) return false;
  const width = right - left + 1;
  const height = bottom - top + 1;
  const scale = 20 / Math.max(width, height);
  const scratch = document.createElement('canvas');
  scratch.width = 28;
  scratch.height = 28;
  const s = scratch.getContext('2d', { willReadFrequently: true })!;
  s.fillStyle = '#000';
  s.fillRect(0, 0, 28, 28);
  s.imageSmoothingQuality = 'high';
  s.drawImage(pad, left, top, width, height, (28 - width * scale) / 2, (28 - height * scale) / 2, width * scale, height * scale);
  const pixels = s.getImageData(0, 0, 28, 28).data;
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let p = 0; p < 28 * 28; p++) {
    const v = pixels[p * 4]!;
    mass += v;
    cx += (p % 28) * v;
    cy += Math.floor(p / 28) * v;
  }
  const dx = mass > 0 ? Math.round(13.5 - cx / mass) : 0;
  const dy = mass > 0 ? Math.round(13.5 - cy / mass) : 0;
  target.drawImage(scratch, dx, dy);
  return true;
}

function buildPad(): HTMLElement {
  const pad = el('canvas', {
    class: 'pad',
    attrs: {
      width: PAD,
      height: PAD,
      'aria-label': 'Drawing pad: draw one digit with the mouse, a finger or a pen',
      role: 'img',
      'data-testid': 'pad',
    },
  });
  const seen = el('canvas', {
    class: 'pad-input pixelated',
    attrs: { id: 'pad-input', width: 28, height: 28, role: 'img', 'aria-label': 'Your digit at 28 × 28 pixels, as the model sees it' },
  });
  const clear = el('button', { class: 'button quiet', text: 'Clear', attrs: { type: 'button' } });
  const slot = el(
    'div',
    { class: 'pad-result' },
    el('p', { class: 'hint', text: 'Draw a digit from 0 to 9 on the black pad. The model answers when you lift the pen.' }),
  );
  const context = pad.getContext('2d', { willReadFrequently: true })!;
  let tag: HitlClassifier | null = null;

  function wipe(): void {
    context.fillStyle = '#000';
    context.fillRect(0, 0, PAD, PAD);
  }
  wipe();
  toMnist(pad, seen);

  let drawing: number | null = null;
  let last: { x: number; y: number } | null = null;
  const at = (event: PointerEvent): { x: number; y: number } => {
    const box = pad.getBoundingClientRect();
    return { x: ((event.clientX - box.left) / box.width) * PAD, y: ((event.clientY - box.top) / box.height) * PAD };
  };
  pad.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    drawing = event.pointerId;
    pad.setPointerCapture(event.pointerId);
    last = at(event);
    // A tap is a dot.
    context.fillStyle = '#fff';
    context.beginPath();
    context.arc(last.x, last.y, lineWidth(event) / 2, 0, Math.PI * 2);
    context.fill();
  });
  pad.addEventListener('pointermove', (event) => {
    if (drawing !== event.pointerId || !last) return;
    // Coalesced events keep a fast stroke smooth (a pen reports many more points than frames).
    for (const point of event.getCoalescedEvents?.() ?? [event]) {
      const next = at(point);
      context.strokeStyle = '#fff';
      context.lineCap = 'round';
      context.lineJoin = 'round';
      context.lineWidth = lineWidth(point);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    }
  });
  const end = (event: PointerEvent): void => {
    if (drawing !== event.pointerId) return;
    drawing = null;
    last = null;
    if (!toMnist(pad, seen)) return;
    if (!tag) {
      tag = el('hitl-classifier', {
        attrs: { model: DIGITS_MODEL, labels: LABELS, for: 'pad-input', annotator: 'you', explain: true, 'data-testid': 'pad-classifier' },
      });
      slot.replaceChildren(tag);
    } else {
      tag.refresh();
    }
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  clear.addEventListener('click', () => {
    wipe();
    toMnist(pad, seen);
    // No tag while the pad is blank: a black square would only fill the review queue.
    tag?.remove();
    tag = null;
    slot.replaceChildren(el('p', { class: 'hint', text: 'Draw a digit from 0 to 9 on the black pad.' }));
  });

  return el(
    'div',
    { class: 'pad-area' },
    el('div', { class: 'pad-frame' }, pad),
    el(
      'div',
      { class: 'pad-side' },
      el('figure', { class: 'pad-seen' }, seen, el('figcaption', { text: 'What the model sees (28 × 28)' })),
      clear,
      slot,
    ),
  );
}

/** A pen's pressure thickens the line a little; a mouse reports 0.5. */
function lineWidth(event: PointerEvent): number {
  const pressure = event.pointerType === 'pen' && event.pressure > 0 ? event.pressure : 0.5;
  return 16 + pressure * 12;
}

function digitCard(data: DigitsData, index: number): HTMLElement {
  const canvas = el('canvas', {
    class: 'pixelated',
    attrs: { width: data.width, height: data.height, role: 'img', 'aria-label': `MNIST digit number ${index + 1}` },
  });
  canvas.getContext('2d')!.putImageData(digitImage(data, index), 0, 0);
  const tag = el('hitl-classifier', { attrs: { model: DIGITS_MODEL, labels: LABELS, annotator: 'you', 'data-index': index } }, canvas);
  return el('li', { class: 'digit' }, tag);
}

export function buildDigits(root: HTMLElement, data: DigitsData): void {
  const gallery = el('ol', { class: 'digit-grid', attrs: { 'aria-label': 'MNIST digits' } });
  const pages = pager({
    total: data.items.length,
    size: PAGE_SIZE,
    noun: 'digits',
    show: (page) => {
      const from = page * PAGE_SIZE;
      gallery.replaceChildren(...data.items.slice(from, from + PAGE_SIZE).map((_, k) => digitCard(data, from + k)));
    },
  });
  root.append(
    el(
      'section',
      { class: 'card pad-card', attrs: { 'aria-labelledby': 'pad-heading' } },
      el('h3', { text: 'Drawing pad', attrs: { id: 'pad-heading' } }),
      buildPad(),
    ),
    el(
      'section',
      { class: 'card', attrs: { 'aria-labelledby': 'gallery-heading' } },
      el('h3', { text: 'MNIST gallery', attrs: { id: 'gallery-heading' } }),
      gallery,
      pages.element,
    ),
  );
  pages.go(0);
}

export function digitsSimulation(data: DigitsData): SimTask {
  const items = data.items.map((label, index) => ({ input: digitImage(data, index), label, caption: `digit #${index + 1}` }));
  return {
    id: 'digits',
    plural: 'digits',
    labels: data.labels,
    input: 'image',
    test: items.slice(0, TEST_SIZE),
    pool: items.slice(TEST_SIZE),
    budgets: [10, 20, 30, 40, 60, 80, 100, 130, 160, 200],
    candidates: 200,
    seed: 22,
  };
}
