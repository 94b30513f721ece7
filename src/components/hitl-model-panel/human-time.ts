import { html, nothing, type TemplateResult } from 'lit';
import type { HumanTimeReport } from '../../protocol.js';
import { format } from '../shared/strings.js';
import type { HitlModelPanelStrings } from './hitl-model-panel.strings.js';

const seconds = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const hours = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/**
 * The cost of human time (quality().humanTime): decisions made, the median time per decision overall and per
 * annotator, predictions auto-accepted, the hours that saved, and what the spot checks cost.
 */
export function humanTimeBlock(figures: HumanTimeReport, t: HitlModelPanelStrings): TemplateResult {
  const inHours = (value: number | null) => (value === null ? t.unknown : format(t.hours, { hours: hours.format(value) }));
  const median =
    figures.medianSeconds === null ? t.unknown : format(t.medianTime, { seconds: seconds.format(figures.medianSeconds), timed: figures.timed });
  // One anonymous person needs no table: the overall median is theirs.
  const named = figures.perAnnotator.some((row) => row.annotator !== '');
  return html`<div class="block human-time">
    <h3>${t.humanTimeTitle}</h3>
    <dl class="summary">
      <div><dt>${t.decisionsMadeTerm}</dt><dd data-stat="decisions-made">${figures.decisions}</dd></div>
      <div><dt>${t.medianTimeTerm}</dt><dd data-stat="median-time">${median}</dd></div>
      <div><dt>${t.autoAcceptedTerm}</dt><dd data-stat="auto-accepted">${figures.autoAccepted}</dd></div>
      <div><dt>${t.hoursSavedTerm}</dt><dd data-stat="hours-saved">${inHours(figures.hoursSaved)}</dd></div>
      <div>
        <dt>${t.spotCheckCostTerm}</dt>
        <dd data-stat="spot-check-cost">
          ${figures.spotCheckHours === null ? figures.spotChecks : format(t.spotCheckCost, { count: figures.spotChecks, hours: hours.format(figures.spotCheckHours) })}
        </dd>
      </div>
    </dl>
    ${
      named
        ? html`<table class="per-annotator">
            <caption>
              ${t.perAnnotatorCaption}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t.annotatorHeader}</th>
                <th scope="col">${t.decisionsHeader}</th>
                <th scope="col">${t.medianHeader}</th>
              </tr>
            </thead>
            <tbody>
              ${figures.perAnnotator.map(
                (row) => html`<tr data-annotator=${row.annotator}>
                  <th scope="row">${row.annotator === '' ? t.noAnnotator : row.annotator}</th>
                  <td>${row.decisions}</td>
                  <td>${row.medianSeconds === null ? t.unknown : format(t.secondsValue, { seconds: seconds.format(row.medianSeconds) })}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : nothing
    }
    <p class="note">${t.humanTimeNote}</p>
  </div>`;
}
