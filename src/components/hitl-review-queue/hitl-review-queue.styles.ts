import { css } from 'lit';
import { controls, tokens } from '../shared/theme.styles.js';
import { toolStyles } from '../shared/tools.styles.js';

export const styles = [
  tokens,
  controls,
  toolStyles,
  css`
    .progress {
      display: grid;
      grid-template-columns: auto 1fr;
      align-items: center;
      gap: 0.75em;
      color: var(--_muted);
      font-variant-numeric: tabular-nums;
    }

    .progress progress {
      width: 100%;
    }

    .item {
      margin: 0;
      padding: var(--_spacing);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      min-height: 3em;
    }

    .text {
      margin: 0;
      font-size: 1.15em;
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }

    .text.unavailable,
    .text.numbers {
      font-size: 1em;
      color: var(--_muted);
      font-variant-numeric: tabular-nums;
    }

    .image {
      display: block;
      width: min(12rem, 100%);
      height: auto;
      image-rendering: pixelated;
      border-radius: calc(var(--_radius) / 2);
    }

    .prediction {
      margin: 0;
      color: var(--_muted);
    }

    .label {
      font-weight: 600;
      color: var(--_text);
    }

    .label.rejected,
    button.rejected {
      text-decoration: line-through;
      color: var(--_review);
    }

    .confidence {
      font-variant-numeric: tabular-nums;
    }

    .spot-check {
      margin-inline-start: 0.5em;
      padding: 0 0.4em;
      border: 1px solid currentColor;
      border-radius: 0.3em;
      font-size: 0.85em;
    }

    .review,
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
    }

    .views {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
    }

    .views button[aria-pressed='true'] {
      border-color: var(--_accent);
      font-weight: 600;
    }

    .conflicts {
      display: grid;
      gap: var(--_spacing);
      margin: 0;
      padding: 0;
      list-style: none;
    }

    .conflict {
      display: grid;
      gap: 0.5em;
      padding: var(--_spacing);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
    }

    .conflict-title {
      margin: 0;
      font-size: 1em;
    }

    .given {
      margin: 0;
      padding-inline-start: 1.2em;
      color: var(--_muted);
    }

    .keys {
      margin: 0;
      font-size: 0.8em;
      color: var(--_muted);
    }

    kbd {
      font: inherit;
      padding: 0 0.3em;
      border: 1px solid var(--_border);
      border-radius: 0.25em;
    }
  `,
];
