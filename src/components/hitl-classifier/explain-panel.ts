import { html, nothing, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { ref } from 'lit/directives/ref.js';
import type { Explanation, ExplanationSpan, HeatMap } from '../../protocol.js';
import { fill, format, percent } from '../shared/strings.js';
import type { ImageElement } from './classifier-source.js';
import type { HitlClassifierStrings } from './hitl-classifier.strings.js';

// What the "Why?" disclosure shows once an explanation is in (explain-disclosure.ts loads this on first open).

/** Words highlighted in the text, the strongest by size of contribution: enough to see why, few enough to read. */
const HIGHLIGHTED = 8;
/** Words named in each of the "for" and "against" lists. */
const LISTED = 5;
/** Side of the drawn picture with its heat map, in CSS pixels. */
const PICTURE_SIDE = 160;

/** The explanation of what the element classifies now: highlighted words or the heat map, then the nearest examples. */
export function renderExplanation(
  t: HitlClassifierStrings,
  source: { text: string } | { image: ImageElement },
  explanation: Explanation,
): TemplateResult {
  return html`
    ${'text' in source && explanation.spans ? renderText(t, source.text, explanation) : nothing}
    ${'image' in source && explanation.heatmap ? renderPicture(t, source.image, explanation.label, explanation.heatmap) : nothing}
    ${renderNearest(t, explanation)}
  `;
}

function renderText(t: HitlClassifierStrings, text: string, explanation: Explanation): TemplateResult {
  const spans = explanation.spans!;
  const strongest = new Set(
    [...spans]
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, HIGHLIGHTED)
      .filter((s) => s.contribution !== 0),
  );
  const parts: (string | TemplateResult)[] = [];
  let at = 0;
  for (const span of spans) {
    if (!strongest.has(span)) continue;
    if (span.start > at) parts.push(text.slice(at, span.start));
    const positive = span.contribution > 0;
    // A sign and hidden words carry what the colour shows: no meaning by colour alone.
    parts.push(
      html`<mark class=${classMap({ for: positive, against: !positive })}
        >${span.text}<span class="sign" aria-hidden="true">${positive ? '+' : '−'}</span
        ><span class="visually-hidden"> ${positive ? t.whyMarkFor : t.whyMarkAgainst}</span></mark
      >`,
    );
    at = span.end;
  }
  parts.push(text.slice(at));
  const words = (list: ExplanationSpan[]) =>
    list
      .slice(0, LISTED)
      .map((s) => s.text)
      .join(', ');
  const forLabel = spans.filter((s) => s.contribution > 0).sort((a, b) => b.contribution - a.contribution);
  const against = spans.filter((s) => s.contribution < 0).sort((a, b) => a.contribution - b.contribution);
  return html`<p class="why-legend">${format(t.whyTextLegend, { label: explanation.label })}</p>
    <p part="why-text" class="why-text">${parts}</p>
    <ul class="why-lists">
      ${forLabel.length ? html`<li>${fill(t.whyFor, { label: explanation.label, words: words(forLabel) })}</li>` : nothing}
      ${against.length ? html`<li>${fill(t.whyAgainst, { label: explanation.label, words: words(against) })}</li>` : nothing}
    </ul>`;
}

/** The picture drawn small, each grid cell tinted (for) or hatched (against) by how much covering it changed the score. */
function renderPicture(t: HitlClassifierStrings, image: ImageElement, label: string, heatmap: HeatMap): TemplateResult {
  const largest = Math.max(1e-9, ...heatmap.values.map(Math.abs));
  const draw = (element: Element | undefined) => {
    if (!(element instanceof HTMLCanvasElement)) return;
    const context = element.getContext('2d');
    if (!context) return;
    context.clearRect(0, 0, PICTURE_SIDE, PICTURE_SIDE);
    try {
      context.drawImage(image, 0, 0, PICTURE_SIDE, PICTURE_SIDE);
    } catch {
      // A picture that cannot be drawn here (not loaded yet): the heat map alone still says where.
    }
    const cell = { w: PICTURE_SIDE / heatmap.width, h: PICTURE_SIDE / heatmap.height };
    heatmap.values.forEach((value, i) => {
      const x = (i % heatmap.width) * cell.w;
      const y = Math.floor(i / heatmap.width) * cell.h;
      const strength = Math.abs(value) / largest;
      if (strength < 0.15) return;
      if (value > 0) {
        context.fillStyle = `rgba(220, 60, 20, ${0.6 * strength})`;
        context.fillRect(x, y, cell.w, cell.h);
      } else {
        context.strokeStyle = `rgba(20, 90, 220, ${0.9 * strength})`;
        context.beginPath();
        for (let d = -cell.h; d < cell.w; d += 5) {
          context.moveTo(x + Math.max(0, d), y + Math.max(0, -d));
          context.lineTo(x + Math.min(cell.w, d + cell.h), y + Math.min(cell.h, cell.w - d));
        }
        context.stroke();
      }
    });
  };
  // The strongest cells in words: the text alternative of the picture.
  const cells = heatmap.values
    .map((value, i) => ({ value, row: Math.floor(i / heatmap.width) + 1, column: (i % heatmap.width) + 1 }))
    .filter((c) => c.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, 3)
    .map((c) => format(t.whyCell, { row: c.row, column: c.column }))
    .join('; ');
  const description = format(t.whyPictureFor, { label, cells: cells || '—' });
  return html`<p class="why-legend">${format(t.whyPictureLegend, { label, size: heatmap.width })}</p>
    <canvas part="why-heatmap" class="why-heatmap" width=${PICTURE_SIDE} height=${PICTURE_SIDE} role="img" aria-label=${description} ${ref(draw)}></canvas>
    <p class="why-cells">${description}</p>`;
}

function renderNearest(t: HitlClassifierStrings, explanation: Explanation): TemplateResult {
  const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return html`<p class="why-heading">${t.whyNearest}</p>
    ${
      explanation.nearest.length === 0
        ? html`<p class="message">${t.whyNoNearest}</p>`
        : html`<ol part="why-nearest" class="why-nearest">
          ${explanation.nearest.map((near) => {
            const values = {
              label: near.label,
              similarity: percent.format(near.similarity),
              annotator: near.annotator ?? '',
              time: date.format(near.time),
            };
            return html`<li>${format(near.annotator !== undefined ? t.whyNearestBy : t.whyNearestItem, values)}</li>`;
          })}
        </ol>`
    }`;
}
