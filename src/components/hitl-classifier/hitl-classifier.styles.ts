import { css } from 'lit';
import { controls, tokens } from '../shared/theme.styles.js';

/** <hitl-classifier>'s own rules on top of the shared --hitl-* tokens and controls (see theme.styles.ts). */
export const styles = [
  tokens,
  controls,
  css`
  .base.needs-review {
    border-color: var(--_review);
  }

  .base.error {
    border-color: var(--_error);
  }

  /* Silent: the page's own content as it is, nothing of ours around it. */
  .base.silent {
    display: block;
    padding: 0;
    border: 0;
    background: none;
  }

  /* The previous answer while the next is on its way: marked, not faded (faded text fails WCAG contrast). */
  .prediction.stale,
  .prediction.stale .label {
    color: var(--_muted);
    font-style: italic;
  }

  .label.rejected,
  button.rejected {
    text-decoration: line-through;
  }

  .review,
  .actions,
  .after {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
  }

  .content {
    overflow-wrap: anywhere;
  }

  .content.empty {
    display: none;
  }

  .prediction {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.5em;
    min-height: 1.45em;
    color: var(--_muted);
  }

  .label {
    font-weight: 600;
    color: var(--_text);
  }

  .confidence {
    font-variant-numeric: tabular-nums;
  }

  .badge {
    padding: 0.05em 0.5em;
    border-radius: 999px;
    font-size: 0.85em;
    font-weight: 600;
  }

  .badge.review {
    color: var(--_review);
    background: var(--_review-background);
  }

  .badge.human {
    color: var(--_on-accent);
    background: var(--_accent);
  }

  @media (forced-colors: active) {
    .badge {
      border: 1px solid CanvasText;
    }
  }

  /* The "Why?" disclosure (attribute explain). Marks differ by sign and underline style, not by colour alone. */
  .why-panel {
    display: grid;
    gap: 0.5em;
    margin-top: 0.5em;
    padding-top: 0.5em;
    border-top: 1px solid var(--_border);
  }

  .why-panel p,
  .why-panel ul,
  .why-panel ol {
    margin: 0;
  }

  .why-legend,
  .why-heading,
  .why-cells {
    color: var(--_muted);
    font-size: 0.9em;
  }

  .why-text {
    overflow-wrap: anywhere;
  }

  mark {
    color: var(--_text);
    border-radius: 0.2em;
    padding: 0 0.1em;
  }

  mark.for {
    background: light-dark(#ffe0c2, #5a3510);
    text-decoration: underline solid 2px;
  }

  mark.against {
    background: light-dark(#d6e4ff, #1d3361);
    text-decoration: underline dashed 2px;
  }

  .sign {
    font-size: 0.75em;
    font-weight: 700;
    vertical-align: super;
  }

  .why-heatmap {
    width: 160px;
    height: 160px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  @media (forced-colors: active) {
    mark {
      border: 1px solid CanvasText;
    }
  }
`,
];
