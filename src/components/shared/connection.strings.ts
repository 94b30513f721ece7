import { MODEL_MESSAGES } from './messages.js';

/** The messages a model-bound element shows about its attributes and its model; `{…}` are placeholders. */
export interface ConnectionStrings {
  /** No `model` attribute. */
  missingModel: string;
  /** `storage` is not one of `{options}`; `{value}` is what was given. */
  badStorage: string;
  /** `backend` is not one of `{options}`; `{value}` is what was given. */
  badBackend: string;
  /** `input` is not one of `{options}`; `{value}` is what was given. */
  badInput: string;
  /** Only one label, `{label}`. */
  tooFewLabels: string;
  /** `{label}` appears twice in `labels`. */
  duplicateLabel: string;
  /** Nobody on the page opened the model `{model}` yet. */
  waiting: string;
  /** The model `{model}` takes `{actual}` input, not `{expected}`. */
  wrongInput: string;
  /** Opening the model `{model}` failed with `{reason}`. */
  openFailed: string;
}

/** The English defaults of the review queue and the panel (the classifier words some of them for its own case). */
export const CONNECTION_STRINGS: ConnectionStrings = {
  ...MODEL_MESSAGES,
  missingModel: 'Set the model attribute to the name of the model, for example model="tickets".',
  badInput: 'Set input to one of {options} (got "{value}").',
  tooFewLabels: 'Set labels to at least 2 comma-separated labels, or leave it out to join the open model (got only "{label}").',
  waiting: 'Waiting for the model "{model}" to open: set labels (and input) on this element to open it here.',
  wrongInput: 'The model "{model}" takes {actual} input, not {expected}.',
};
