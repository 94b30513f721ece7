import { html, nothing, svg, type TemplateResult } from 'lit';
import type { AutoAcceptReport, RiskCoveragePoint } from '../../protocol.js';
import { format, percent } from '../shared/strings.js';
import type { HitlModelPanelStrings } from './hitl-model-panel.strings.js';

const WIDTH = 240;
const HEIGHT = 120;
const PAD = 4;

/**
 * Auto-accept (a handle created with `autoAccept`): the served threshold and what it rests on, and the risk–coverage
 * curve of the tested thresholds — share let through against the error bound — with the operating point marked.
 */
export function autoAcceptBlock(report: AutoAcceptReport, curve: readonly RiskCoveragePoint[] | null, t: HitlModelPanelStrings): TemplateResult {
  const status =
    report.threshold === null
      ? format(report.suspended ? t.autoAcceptSuspended : t.autoAcceptNeeded, { needed: report.needed, evidence: report.evidence })
      : format(t.autoAcceptServing, {
          threshold: percent.format(report.threshold),
          coverage: percent.format(report.coverage),
          bound: percent.format(report.errorUpperBound ?? 1),
          evidence: report.evidence,
        });
  return html`<div part="auto-accept" class="block auto-accept">
    <h3>${t.guaranteeTitle}</h3>
    <p class="figure" data-stat="auto-accept">${format(t.autoAcceptPromise, { maxError: percent.format(report.maxError), confidence: percent.format(report.confidence) })}</p>
    <p class="figure" data-stat="auto-accept-status">${status}</p>
    ${curve && curve.some((p) => p.checked > 0) ? plot(report, curve, t) : nothing}
  </div>`;
}

function plot(report: AutoAcceptReport, curve: readonly RiskCoveragePoint[], t: HitlModelPanelStrings): TemplateResult {
  // The error axis reaches three times the stated rate, so the line at maxError sits a third of the way up.
  const top = Math.min(1, report.maxError * 3);
  const x = (coverage: number) => PAD + coverage * (WIDTH - 2 * PAD);
  const y = (error: number) => HEIGHT - PAD - (Math.min(error, top) / top) * (HEIGHT - 2 * PAD);
  const points = curve.filter((p) => p.checked > 0);
  const line = points.map((p) => `${x(p.coverage).toFixed(1)},${y(p.upperBound).toFixed(1)}`).join(' ');
  const served = points.find((p) => p.threshold === report.threshold);
  const description = format(t.riskCoverageLabel, {
    points: points
      .map((p) =>
        format(t.riskCoveragePoint, {
          threshold: percent.format(p.threshold),
          coverage: percent.format(p.coverage),
          bound: percent.format(p.upperBound),
        }),
      )
      .join('; '),
  });
  return html`<svg part="risk-coverage" class="risk-coverage" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${description}>
    ${svg`<line class="limit" x1=${PAD} x2=${WIDTH - PAD} y1=${y(report.maxError)} y2=${y(report.maxError)}></line>
      <polyline class="bound" points=${line}></polyline>
      ${points.map((p) => svg`<circle class=${p.passed ? 'passed' : 'failed'} cx=${x(p.coverage)} cy=${y(p.upperBound)} r="2.5"></circle>`)}
      ${served ? svg`<circle class="operating" data-threshold=${served.threshold} cx=${x(served.coverage)} cy=${y(served.upperBound)} r="5"></circle>` : nothing}`}
  </svg>`;
}
