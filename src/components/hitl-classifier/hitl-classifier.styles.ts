import { css } from 'lit';
import { tokens } from '../shared/theme.styles.js';

/** <hitl-classifier>'s own rules on top of the shared --hitl-* tokens (see theme.styles.ts). */
export const styles = [
  tokens,
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

  .label.rejected {
    text-decoration: line-through;
  }

  .review,
  .after {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
  }

  button.accept {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }

  button.rejected {
    text-decoration: line-through;
  }

  button[aria-disabled='true'] {
    cursor: default;
    opacity: 0.55;
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

  .message.error {
    color: var(--_error);
    font-weight: 600;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
  }

  button {
    font: inherit;
    padding: 0.3em 0.9em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: transparent;
    color: var(--_text);
    cursor: pointer;
  }

  button:hover:not([aria-disabled='true']) {
    border-color: var(--_accent);
  }

  button.suggested {
    border-color: var(--_accent);
  }

  button[aria-pressed='true'] {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }

  button:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }

  button:disabled {
    cursor: default;
    opacity: 0.55;
  }

  @media (forced-colors: active) {
    button[aria-pressed='true'] {
      background: Highlight;
      color: HighlightText;
      forced-color-adjust: none;
    }

    .badge {
      border: 1px solid CanvasText;
    }
  }
`,
];
