import { css } from 'lit';

/**
 * The --hitl-* tokens every element shares: each property falls back to a private --_* value. Defaults come in light
 * and dark (light-dark()), chosen by the element's color-scheme: the user's preference, unless the page sets
 * `color-scheme: light` or `dark` on the element. Also the host and `.base` box every element draws.
 */
export const tokens = css`
  :host {
    --_font: var(--hitl-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_font-size: var(--hitl-font-size, 0.9375rem);
    --_radius: var(--hitl-radius, 0.5rem);
    --_spacing: var(--hitl-spacing, 0.75rem);
    --_accent: var(--hitl-accent-color, light-dark(#2457c5, #8fb0ff));
    --_on-accent: var(--hitl-accent-contrast-color, light-dark(#ffffff, #0c1630));
    --_background: var(--hitl-background, light-dark(#ffffff, #1c1e24));
    --_text: var(--hitl-text-color, light-dark(#1b1d22, #e8eaef));
    --_muted: var(--hitl-muted-color, light-dark(#5b6170, #a4aab8));
    --_border: var(--hitl-border-color, light-dark(#d3d7df, #3c414d));
    --_review: var(--hitl-review-color, light-dark(#8a4b00, #ffc877));
    --_review-background: var(--hitl-review-background, light-dark(#fff1db, #3a2a10));
    --_error: var(--hitl-error-color, light-dark(#b3261e, #ffb4ab));
    --_focus: var(--hitl-focus-ring-color, var(--_accent));

    display: block;
    color-scheme: light dark;
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.45;
    color: var(--_text);
  }

  :host([hidden]) {
    display: none;
  }

  .base {
    display: grid;
    gap: calc(var(--_spacing) * 0.75);
    padding: var(--_spacing);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_background);
  }
`;

/**
 * Buttons and focus as every element draws them. Elements use `aria-disabled` where a button must keep keyboard focus
 * while busy, `disabled` elsewhere: both look the same. `accept` / `primary` is the filled button, `suggested` the
 * predicted label, `aria-pressed` the label a person gave.
 */
export const controls = css`
  button {
    font: inherit;
    padding: 0.3em 0.9em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: transparent;
    color: var(--_text);
    cursor: pointer;
  }

  button:hover:not([aria-disabled='true']):not(:disabled),
  button.suggested {
    border-color: var(--_accent);
  }

  button.primary,
  button.accept,
  button[aria-pressed='true'] {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }

  button[aria-disabled='true'],
  button:disabled {
    cursor: default;
    opacity: 0.55;
  }

  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }

  .message.error {
    color: var(--_error);
    font-weight: 600;
  }

  @media (forced-colors: active) {
    button[aria-pressed='true'] {
      background: Highlight;
      color: HighlightText;
      forced-color-adjust: none;
    }
  }
`;
