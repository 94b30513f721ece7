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
`,
];
