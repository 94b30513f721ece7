import { html, nothing, svg, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import type { QualityReport } from '../../protocol.js';
import { fill, format, percent } from '../shared/strings.js';
import type { HitlModelPanelStrings } from './hitl-model-panel.strings.js';
import { perClassTable } from './per-class.js';

/** Decisions averaged per point of the agreement chart. */
const AGREEMENT_SMOOTHING = 10;

/** The warning that recent inputs no longer look like the ones the model learned from. */
export function driftAlert(quality: QualityReport, t: HitlModelPanelStrings): TemplateResult {
  const drift = quality.drift;
  const detail = {
    score: drift.score?.toFixed(2) ?? t.unknown,
    threshold: drift.threshold,
    recent: drift.recentSize,
    reference: drift.referenceSize,
  };
  return html`<div part="drift" class="drift" role="alert">
    <strong>${t.driftTitle}</strong>
    <span class="note">${format(t.driftDetail, detail)}</span>
    <ul>
      ${drift.reasons.map((reason) => html`<li>${reason}</li>`)}
    </ul>
  </div>`;
}

/** How the model has fared against the human decisions: agreement over time, confusion, calibration, auto-accept. */
export function qualityBlock(quality: QualityReport, t: HitlModelPanelStrings): TemplateResult {
  const auto = quality.autoAccept;
  const rate = html`<strong data-stat="agreement">${quality.agreementRate === null ? t.unknown : percent.format(quality.agreementRate)}</strong>`;
  return html`<div class="block quality">
    <h3>${t.agreementTitle}</h3>
    ${
      quality.decisions === 0
        ? html`<p part="message" class="message">${t.noDecisions}</p>`
        : html`<p class="figure">${fill(t.agreementFigure, { rate, count: quality.agreement.length })}</p>
          ${agreementChart(quality, t)}`
    }
    <h3>${t.confusionTitle}</h3>
    ${confusionTable(quality, t)}
    ${perClassTable(quality, t)}
    <h3>${t.reliabilityTitle}</h3>
    ${reliabilityChart(quality, t)}
    <h3>${t.autoAcceptTitle}</h3>
    <p part="auto-accept" class="figure" data-stat="auto-accept">
      ${
        auto.share === null
          ? t.noPredictions
          : html`${fill(t.autoAccept, { share: html`<strong>${percent.format(auto.share)}</strong>`, predictions: auto.predictions })}${
              auto.checked > 0 && auto.correctWhenChecked !== null
                ? format(t.autoAcceptChecked, { checked: auto.checked, correct: percent.format(auto.correctWhenChecked) })
                : nothing
            }.`
      }
    </p>
  </div>`;
}

function agreementChart(quality: QualityReport, t: HitlModelPanelStrings): TemplateResult {
  const points = quality.agreement;
  const width = 200;
  const height = 60;
  // A moving average: single decisions are 0 or 1 and would draw a comb, not a trend.
  const k = Math.max(1, Math.min(AGREEMENT_SMOOTHING, Math.floor(points.length / 2)));
  const values: number[] = [];
  let sum = 0;
  points.forEach((point, i) => {
    sum += point.agreed ? 1 : 0;
    if (i >= k) sum -= points[i - k]!.agreed ? 1 : 0;
    if (i >= k - 1) values.push(sum / k);
  });
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const y = (v: number) => height - v * height;
  const line = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const rate = quality.agreementRate === null ? t.unknown : percent.format(quality.agreementRate);
  return html`<svg
    part="agreement"
    class="chart agreement"
    viewBox="-2 -2 ${width + 4} ${height + 4}"
    role="img"
    aria-label=${format(t.agreementChart, { count: points.length, smoothing: k, rate })}
  >
    ${svg`<line class="grid" x1="0" x2=${width} y1=${y(0.5)} y2=${y(0.5)}></line>
      <line class="axis" x1="0" x2=${width} y1=${height} y2=${height}></line>
      ${
        values.length === 1
          ? svg`<circle class="series" cx=${x(0)} cy=${y(values[0]!)} r="2"></circle>`
          : svg`<polyline class="series" points=${line}></polyline>`
      }`}
  </svg>`;
}

function confusionTable(quality: QualityReport, t: HitlModelPanelStrings): TemplateResult {
  const { labels, matrix } = quality.confusion;
  if (quality.decisions === 0 || labels.length === 0) return html`<p part="message" class="message">${t.appearsLater}</p>`;
  return html`<table part="confusion" class="confusion">
    <caption>${t.confusionCaption}</caption>
    <thead>
      <tr>
        <th scope="col"><span class="visually-hidden">${t.humanLabel}</span></th>
        ${labels.map((label) => html`<th scope="col">${label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${labels.map(
        (human, r) => html`<tr>
          <th scope="row">${human}</th>
          ${labels.map((_, c) => {
            const n = matrix[r]?.[c] ?? 0;
            return html`<td class=${classMap({ hit: r === c && n > 0, miss: r !== c && n > 0 })}>${n}</td>`;
          })}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function reliabilityChart(quality: QualityReport, t: HitlModelPanelStrings): TemplateResult {
  const bins = quality.reliability.bins.filter((bin) => bin.count > 0 && bin.accuracy !== null && bin.confidence !== null);
  if (bins.length === 0) return html`<p part="message" class="message">${t.appearsLater}</p>`;
  const size = 100;
  const most = Math.max(...bins.map((bin) => bin.count));
  const ece = quality.reliability.ece;
  return html`<svg
      part="reliability"
      class="chart reliability"
      viewBox="-8 -4 ${size + 12} ${size + 14}"
      role="img"
      aria-label=${format(t.reliabilityChart, { bins: bins.length, ece: ece === null ? t.unknown : ece.toFixed(3) })}
    >
      ${svg`<rect class="frame" x="0" y="0" width=${size} height=${size}></rect>
        <line class="diagonal" x1="0" y1=${size} x2=${size} y2="0"></line>
        ${bins.map(
          (bin) => svg`<rect class="bin" x=${(bin.lo * size).toFixed(1)} width=${((bin.hi - bin.lo) * size).toFixed(1)}
            y=${(size - bin.accuracy! * size).toFixed(1)} height=${(bin.accuracy! * size).toFixed(1)}
            opacity=${(0.25 + 0.5 * (bin.count / most)).toFixed(2)}><title>${format(t.reliabilityBin, { lo: Math.round(bin.lo * 100), hi: Math.round(bin.hi * 100), count: bin.count, accuracy: percent.format(bin.accuracy!) })}</title></rect>`,
        )}
        ${bins.map((bin) => svg`<circle class="point" cx=${(bin.confidence! * size).toFixed(1)} cy=${(size - bin.accuracy! * size).toFixed(1)} r="2"></circle>`)}
        <text class="tick" x="0" y=${size + 9}>0</text>
        <text class="tick" x=${size} y=${size + 9} text-anchor="end">${t.confidenceAxis}</text>
        <text class="tick" x="-2" y="4" text-anchor="end">1</text>`}
    </svg>
    <p class="note">${t.reliabilityNote}
      ${ece === null ? nothing : fill(t.ece, { ece: html`<span data-stat="ece">${ece.toFixed(3)}</span>` })}</p>`;
}
