import { css } from 'lit';
import { controls, tokens } from '../shared/theme.styles.js';
import { toolStyles } from '../shared/tools.styles.js';

export const styles = [
  tokens,
  controls,
  toolStyles,
  css`
    .base {
      gap: var(--_spacing);
    }

    h3 {
      margin: 0 0 0.35em;
      font-size: 0.95em;
    }

    .block {
      display: grid;
      gap: 0.4em;
    }

    .risk-coverage {
      width: 100%;
      max-width: 20rem;
      height: auto;
      border-left: 1px solid var(--_muted);
      border-bottom: 1px solid var(--_muted);
    }

    .risk-coverage .bound {
      fill: none;
      stroke: currentColor;
      stroke-width: 1.5;
    }

    .risk-coverage .limit {
      stroke: var(--_muted);
      stroke-dasharray: 4 3;
    }

    .risk-coverage .passed,
    .risk-coverage .operating {
      fill: currentColor;
    }

    .risk-coverage .failed {
      fill: none;
      stroke: currentColor;
    }

    .risk-coverage .operating {
      fill-opacity: 0.35;
      stroke: currentColor;
      stroke-width: 2;
    }

    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em;
    }

    .summary {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(6rem, 1fr));
      gap: 0.5em;
      margin: 0;
    }

    .summary dt {
      font-size: 0.8em;
      color: var(--_muted);
    }

    .summary dd {
      margin: 0;
      font-weight: 600;
      overflow-wrap: anywhere;
      font-variant-numeric: tabular-nums;
    }

    .counts ul {
      display: grid;
      gap: 0.25em;
      margin: 0;
      padding: 0;
      list-style: none;
    }

    .counts li {
      display: grid;
      grid-template-columns: 1fr auto;
      column-gap: 0.5em;
    }

    .counts .count {
      font-variant-numeric: tabular-nums;
    }

    .counts .bar {
      grid-column: 1 / -1;
      width: 100%;
      height: 0.3em;
      fill: var(--_accent);
      background: color-mix(in srgb, var(--_border) 50%, transparent);
      border-radius: 999px;
    }

    progress {
      flex: 1;
      min-width: 6rem;
    }

    progress[hidden] {
      display: none;
    }

    .drift {
      padding: 0.6em 0.8em;
      border: 1px solid var(--_review);
      border-radius: var(--_radius);
      color: var(--_review);
      background: var(--_review-background);
    }

    .drift ul {
      margin: 0.3em 0 0;
      padding-left: 1.2em;
    }

    .figure {
      margin: 0;
    }

    .note {
      margin: 0;
      font-size: 0.85em;
      color: var(--_muted);
    }

    .chart {
      display: block;
      width: 100%;
      max-width: 22rem;
      height: auto;
      overflow: visible;
    }

    .chart .series {
      fill: none;
      stroke: var(--_accent);
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
    }

    .chart circle.series {
      fill: var(--_accent);
    }

    .chart .grid,
    .chart .axis,
    .chart .frame {
      fill: none;
      stroke: var(--_border);
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
    }

    .chart .grid {
      stroke-dasharray: 3 3;
    }

    .chart .diagonal {
      stroke: var(--_muted);
      stroke-dasharray: 4 3;
      vector-effect: non-scaling-stroke;
    }

    .chart .bin {
      fill: var(--_accent);
    }

    .chart .point {
      fill: var(--_text);
    }

    .chart .tick {
      font-size: 7px;
      fill: var(--_muted);
    }

    .reliability {
      max-width: 14rem;
    }

    table {
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }

    caption {
      caption-side: bottom;
      padding-top: 0.3em;
      font-size: 0.8em;
      color: var(--_muted);
      text-align: start;
    }

    th,
    td {
      padding: 0.2em 0.5em;
      border: 1px solid var(--_border);
      text-align: end;
    }

    th {
      font-weight: 600;
    }

    th[scope='row'] {
      text-align: start;
    }

    td.hit {
      background: color-mix(in srgb, var(--_accent) 18%, transparent);
    }

    td.miss {
      background: color-mix(in srgb, var(--_error) 14%, transparent);
    }

    .class-warnings {
      margin: 0.4em 0 0;
      padding-inline-start: 1.2em;
      font-size: 0.85em;
      color: var(--_error);
    }

    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }

    .file {
      position: relative;
      display: inline-flex;
      align-items: center;
      padding: 0.3em 0.9em;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      cursor: pointer;
    }

    .file input {
      position: absolute;
      inset: 0;
      opacity: 0;
      cursor: pointer;
    }

    .file:focus-within {
      outline: 2px solid var(--_focus);
      outline-offset: 2px;
    }

    .confirm {
      display: grid;
      gap: 0.4em;
      padding: 0.6em 0.8em;
      border: 1px solid var(--_error);
      border-radius: var(--_radius);
    }

    .confirm p {
      margin: 0;
    }

    button.danger {
      background: var(--_error);
      border-color: var(--_error);
      color: var(--_background);
    }

    a {
      color: var(--_accent);
    }
  `,
];
