import { css } from 'lit';
import { controls, tokens } from '../shared/theme.styles.js';
import { toolStyles } from '../shared/tools.styles.js';

export const styles = [
  tokens,
  controls,
  toolStyles,
  css`
    .pair {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: var(--_spacing);
    }

    /* Stacked on a phone, side by side from a small tablet up. */
    @media (max-width: 36rem) {
      .pair {
        grid-template-columns: 1fr;
      }
    }

    .side {
      display: grid;
      grid-template-rows: auto 1fr auto;
      gap: 0.5em;
      padding: var(--_spacing);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      min-width: 0;
    }

    .side h3 {
      margin: 0;
      font-size: 0.85em;
      color: var(--_muted);
      font-weight: 600;
    }

    .item .text {
      margin: 0;
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }

    .item img,
    .item canvas,
    ::slotted(img),
    ::slotted(canvas) {
      max-width: 100%;
      height: auto;
    }

    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
      align-items: center;
    }

    .count {
      margin-inline-start: auto;
      color: var(--_muted);
      font-variant-numeric: tabular-nums;
    }

    .preference {
      margin: 0;
      color: var(--_muted);
    }

    .preference meter {
      width: 8em;
      vertical-align: middle;
    }

    .live {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
];
