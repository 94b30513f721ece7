import { html, nothing, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import type { Prediction } from '../../protocol.js';
import { labelKeys, shortcut, type HitlKeys } from '../shared/decision-keys.js';
import { fill, format, percent, type StringValue } from '../shared/strings.js';
import type { Source } from './classifier-source.js';
import type { HitlClassifierMode, HitlClassifierState, HumanLabel } from './classifier-state.js';
import type { HitlClassifierStrings } from './hitl-classifier.strings.js';

/** What the prediction line and the controls show, read from the element for one render. */
export interface ViewInputs {
  strings: HitlClassifierStrings;
  mode: HitlClassifierMode;
  prediction: Prediction | null;
  human: HumanLabel | null;
  /** The predicted label a person rejected, while they choose another. */
  rejected: string | null;
  /** The connection's message, else the last failure. */
  error: string | null;
  source: Source;
  labels: readonly string[];
  /** No decision can be taken now (no handle, busy, disabled, nothing to classify). */
  unavailable: boolean;
  /** The element's last decision can be undone here. */
  undoable: boolean;
  /** The decision keys, the element's `.keys` applied: the buttons announce them. */
  keys: HitlKeys;
}

export interface ViewActions {
  accept(): void;
  reject(): void;
  choose(label: string): void;
  undo(): void;
}

/** The live region's content: the state, the prediction with its confidence, or the human label. */
export function renderPrediction(view: HitlClassifierState, v: ViewInputs): TemplateResult {
  const { prediction, human, strings: t } = v;
  switch (view) {
    case 'error':
      return html`<span class="message error">${v.error}</span>`;
    case 'loading':
      return html`<span class="message">${t.loading}</span>`;
    case 'empty': {
      const source = v.source;
      return html`<span class="message">${source.kind === 'none' ? format(t[source.reason], { id: source.id ?? '' }) : t.nothingToClassify}</span>`;
    }
    case 'predicting':
      return html`<span class="message">${t.predicting}</span>`;
    case 'no-model':
      return html`<span class="message">${t.noModel}</span>`;
    case 'labelled':
      return html`<span part="label" class="label">${human?.label}</span>
        <span part="badge" class="badge human">${human?.annotator ? format(t.labelledBy, { annotator: human.annotator }) : t.labelledByYou}</span>`;
    case 'confident':
      return html`${fill(t.predicted, {
        label: html`<span part="label" class="label">${prediction?.label}</span>`,
        confidence: html`<span part="confidence" class="confidence">${percent.format(prediction?.confidence ?? 0)}</span>`,
      })}`;
    case 'needs-review':
      if (v.rejected !== null) {
        return html`<span>${fill(t.rejectedQuestion, { label: html`<span part="label" class="label rejected">${v.rejected}</span>` })}</span>`;
      }
      return html`<span>${question(prediction, v.labels.length, t)}</span>
        <span part="confidence" class="confidence">${percent.format(prediction?.confidence ?? 0)}</span>
        <span part="badge" class="badge review">${t.needsReview}</span>`;
  }
}

/**
 * "Is it bug?", or with auto-accept's prediction set of some but not all labels, "Is it bug or feature?": the labels
 * that cannot be ruled out, most probable first.
 */
function question(prediction: Prediction | null, labels: number, t: HitlClassifierStrings): StringValue[] {
  const set = prediction?.set ?? [];
  const shown = set.length > 1 && set.length < labels ? set : [prediction?.label];
  return fill(t.question, {
    label: html`${shown.map((label, i) => html`${i > 0 ? t.or : nothing}<span part="label" class="label">${label}</span>`)}`,
  });
}

/** The accept / choose-another question, the label buttons and Undo, as far as the state and mode call for them. */
export function renderControls(view: HitlClassifierState, v: ViewInputs, on: ViewActions): TemplateResult {
  const { human, prediction, strings: t } = v;
  const picking = v.rejected !== null;
  // aria-disabled, not disabled: a disabled button drops keyboard focus while the label is being saved.
  const disabled = v.unavailable ? 'true' : 'false';
  const ask = view === 'needs-review' && !picking;
  const showLabels = v.mode === 'suggest' || picking || view === 'no-model' || view === 'needs-review';
  const undo = view === 'labelled' && v.undoable;
  const keys = labelKeys(v.labels, v.keys);
  return html`
    ${
      ask
        ? html`<div part="review" class="review" role="group" aria-label=${t.reviewGroup}>
          <button part="button accept" type="button" class="accept" aria-describedby="prediction" aria-keyshortcuts=${shortcut(v.keys.accept)} aria-disabled=${disabled} @click=${() => on.accept()}>
            ${t.accept}
          </button>
          <button part="button reject" type="button" class="reject" aria-describedby="prediction" aria-keyshortcuts=${shortcut(v.keys.reject)} aria-disabled=${disabled} @click=${() => on.reject()}>
            ${t.reject}
          </button>
        </div>`
        : nothing
    }
    ${
      showLabels
        ? html`<div part="actions" class="actions" role="group" aria-label=${t.labelsGroup}>
          ${v.labels.map(
            (label, i) => html`<button
              part="button label-button"
              type="button"
              class=${classMap({ suggested: human === null && !picking && label === prediction?.label, rejected: label === v.rejected })}
              aria-pressed=${label === human?.label ? 'true' : 'false'}
              aria-disabled=${v.unavailable || label === v.rejected ? 'true' : 'false'}
              aria-keyshortcuts=${keys[i] === undefined ? nothing : shortcut([keys[i]])}
              @click=${() => on.choose(label)}
            >${label}</button>`,
          )}
        </div>`
        : nothing
    }
    ${
      undo
        ? html`<div class="after">
          <button part="button undo" type="button" class="undo" aria-keyshortcuts=${shortcut(v.keys.undo)} aria-disabled=${disabled} @click=${() => on.undo()}>
            ${t.undo}
          </button>
        </div>`
        : nothing
    }
  `;
}
