import { html, nothing, type TemplateResult } from 'lit';
import type { FeatureChoice } from '../../protocol.js';
import { format, percent } from '../shared/strings.js';
import type { HitlModelPanelStrings } from './hitl-model-panel.strings.js';

/**
 * The summary row saying what cross-validation on the model's own labels chose for its head, with the evidence: a
 * person deciding whether to trust the model sees that its setting came from their labels, and how well it did on
 * the ones it did not train on. Nothing before the first choice.
 */
export function modelChoice(choice: FeatureChoice | null, t: HitlModelPanelStrings): TemplateResult | typeof nothing {
  if (!choice) return nothing;
  const chosen = choice.candidates.find(
    (c) =>
      c.l2 === choice.l2 &&
      c.rareGrams === choice.rareGrams &&
      c.shortGramShare === choice.shortGramShare &&
      (choice.shortGramShare === 0 || c.extra === choice.extra),
  );
  const detail = format(t.choiceDetail, {
    choice: describe(choice, t),
    accuracy: chosen ? percent.format(chosen.accuracy) : '–',
    examples: choice.examples,
  });
  return html`<div><dt>${t.choiceTerm}</dt><dd data-stat="choice">${detail}</dd></div>`;
}

function describe(choice: FeatureChoice, t: HitlModelPanelStrings): string {
  const view = describeView(choice, t);
  if (choice.l2 === null) return choice.rareGrams ? format(t.choiceViewRare, { view }) : view;
  const l2 = choice.l2.toExponential(0);
  if (choice.rareGrams) return format(t.choiceViewRarePenalty, { view, l2 });
  // A numeric head chooses a strength alone (every candidate has one); a text head, its features and then maybe one.
  return choice.candidates.every((c) => c.l2 !== null) ? format(t.choicePenalty, { l2 }) : format(t.choiceViewPenalty, { view, l2 });
}

function describeView(choice: FeatureChoice, t: HitlModelPanelStrings): string {
  const share = percent.format(choice.shortGramShare);
  if (choice.extra === 'encoder') return choice.shortGramShare === 0 ? t.choiceEncoderJoined : format(t.choiceEncoder, { share });
  if (choice.shortGramShare === 0) return t.choiceNgrams;
  const phrase = choice.extra === 'words' ? t.choiceWords : choice.extra === 'counts' ? t.choiceCounts : t.choiceLetters;
  return format(phrase, { share });
}
