import { html, nothing, svg, type TemplateResult } from 'lit';
import type { ClassWarning, QualityReport, Stats } from '../../protocol.js';
import { format, percent } from '../shared/strings.js';
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
  const rows = quality.perClass.filter((row) => row.support > 0 || row.predicted > 0);
  if (quality.decisions === 0 || rows.length === 0) return nothing;
  const cell = (value: number | null) => (value === null ? t.unknown : percent.format(value));
  return html`<h3>${t.perClassTitle}</h3>
    <table part="per-class" class="per-class">
      <caption>${t.perClassCaption}</caption>
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
      </tbody>
    </table>`;
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
