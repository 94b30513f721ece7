import { html, nothing, svg, type TemplateResult } from 'lit';
import type { ClassFigures, ClassWarning, OutOfFoldReport, QualityReport, Stats } from '../../protocol.js';
import { fill, format, percent } from '../shared/strings.js';
import type { HitlModelPanelStrings } from './hitl-model-panel.strings.js';

/** The labels the model has too few examples of, as notes under the counts. */
export function classWarningList(warnings: readonly ClassWarning[], t: HitlModelPanelStrings): TemplateResult | typeof nothing {
  if (warnings.length === 0) return nothing;
  return html`<ul part="class-warnings" class="class-warnings">
    ${warnings.map(
      (w) =>
        html`<li data-label=${w.label} data-reason=${w.reason}>${format(w.reason === 'few' ? t.fewLabels : t.rareLabel, { label: w.label, count: w.count })}</li>`,
    )}
  </ul>`;
}

/** Precision, recall and F1 per label, over the decisions the confusion matrix counts. */
export function perClassTable(quality: QualityReport, t: HitlModelPanelStrings): TemplateResult | typeof nothing {
  const rows = shownRows(quality.perClass);
  if (quality.decisions === 0 || rows.length === 0) return nothing;
  return html`<h3>${t.perClassTitle}</h3>
    <table part="per-class" class="per-class">
      ${figureRows(rows, t.perClassCaption, t)}
    </table>`;
}

/**
 * The check on the human labels: how many labels it doubts (the queue's second look lists them) and the per-label
 * figures of out-of-fold predictions, beside the human-verified ones.
 */
export function outOfFoldBlock(report: OutOfFoldReport | null, t: HitlModelPanelStrings): TemplateResult | typeof nothing {
  if (!report) return nothing;
  const rows = shownRows(report.perClass);
  return html`<div part="label-check" class="block label-check">
    <h3>${t.labelCheckTitle}</h3>
    <p class="figure" data-stat="suspicious">${fill(t.suspiciousLabels, { count: html`<strong>${report.suspicious}</strong>`, examples: report.examples })}</p>
    ${report.skipped > 0 ? html`<p class="message">${format(t.labelCheckCapped, { skipped: report.skipped })}</p>` : nothing}
    ${
      rows.length > 0
        ? html`<h3>${t.outOfFoldTitle}</h3>
            <table part="out-of-fold" class="per-class">
              ${figureRows(rows, format(t.outOfFoldCaption, { folds: report.folds }), t)}
            </table>`
        : nothing
    }
  </div>`;
}

/** Labels someone gave or the model predicted: the others have no figures to show. */
function shownRows(figures: readonly ClassFigures[]): ClassFigures[] {
  return figures.filter((row) => row.support > 0 || row.predicted > 0);
}

/** A per-label table's caption, header and rows. */
function figureRows(rows: readonly ClassFigures[], caption: string, t: HitlModelPanelStrings): TemplateResult {
  const cell = (value: number | null) => (value === null ? t.unknown : percent.format(value));
  return html`<caption>${caption}</caption>
      <thead>
        <tr>
          <th scope="col"><span class="visually-hidden">${t.humanLabel}</span></th>
          <th scope="col">${t.supportHeader}</th>
          <th scope="col">${t.precisionHeader}</th>
          <th scope="col">${t.recallHeader}</th>
          <th scope="col">${t.f1Header}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr data-label=${row.label}>
            <th scope="row">${row.label}</th>
            <td>${row.support}</td>
            <td>${cell(row.precision)}</td>
            <td>${cell(row.recall)}</td>
            <td>${cell(row.f1)}</td>
          </tr>`,
        )}
      </tbody>`;
}

/** How many examples each label has, with a bar each. */
export function labelCounts(modelLabels: readonly string[], stats: Stats, t: HitlModelPanelStrings): TemplateResult {
  const labels = [...new Set([...modelLabels, ...Object.keys(stats.byLabel)])];
  const most = Math.max(1, ...labels.map((label) => stats.byLabel[label] ?? 0));
  return html`<div part="counts" class="block counts">
    <h3>${t.countsTitle}</h3>
    <ul aria-label=${t.countsLabel}>
      ${labels.map((label) => {
        const count = stats.byLabel[label] ?? 0;
        return html`<li data-label=${label}>
          <span class="name">${label}</span><span class="count">${count}</span>
          <svg class="bar" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true">
            ${svg`<rect width=${((count / most) * 100).toFixed(1)} height="4"></rect>`}
          </svg>
        </li>`;
      })}
    </ul>
  </div>`;
}
