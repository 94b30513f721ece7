import { css } from 'lit';

/**
 * The messages, progress bars and box the review queue and the panel share, on top of the tokens and controls in
 * theme.styles.ts. Apart from those so that they load with the two elements, not with every `<hitl-classifier>` page.
 */
export const toolStyles = css`
  .message {
    margin: 0;
    color: var(--_muted);
  }

  progress {
    accent-color: var(--_accent);
  }

  @media (forced-colors: active) {
    .base {
      border-color: CanvasText;
    }
  }
`;
