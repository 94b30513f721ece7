/**
 * Wire types of the data a site manages itself (src/protocol.ts re-exports them; import them from there): labels
 * renamed or removed, labels given in a batch, and labelled data read from or written to other tools' formats.
 */
import type { WireInput } from './protocol.js';

/** What `renameLabel` and `removeLabel` did. */
export interface LabelChangeResult {
  /** The model's labels now. */
  labels: string[];
  /** Examples that moved to the new or reassigned label, or were deleted (`removeLabel` with `drop`). */
  changed: number;
  /** Review-queue items whose prediction was rewritten for the new labels. */
  queueItems: number;
  /** Labelled examples now. */
  examples: number;
  /** The change's id in the audit log: its `relabel` entry's `decisionId`. */
  decisionId: string;
}

/** One item of `labelBatch`, as the worker takes it. */
export interface WireLabelItem {
  input: WireInput;
  label: string;
  annotator?: string;
}

/** What `labelBatch` stored: every item, in one transaction. */
export interface LabelBatchResult {
  /** Each item's decision, in the order given: pass one to `undo()`. */
  decisionIds: string[];
  /** Each item's example id (a hash of its input): two items with the same input share one. */
  exampleIds: string[];
  /** Items that replaced an earlier label of the same input (stored before, or earlier in the batch). */
  replaced: number;
  /** Labelled examples now. */
  examples: number;
}

/**
 * Formats of labelled text that other tools read and write: `csv` (a `text,label` header, optionally `annotator`,
 * RFC 4180), `jsonl` (one `{"text", "label", "annotator"?}` object a line) and `label-studio` (Label Studio's JSON
 * list of tasks with annotations). docs/export-format.md describes each.
 */
export const LABEL_FORMATS = ['csv', 'jsonl', 'label-studio'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

/** What `importLabels` stored. */
export interface LabelImportResult {
  /** Labelled rows read (Label Studio: annotations), each stored as one decision. */
  rows: number;
  /** Rows that replaced an earlier label of the same text. */
  replaced: number;
  /** Labels the data brought that the model did not have (only with `addLabels: true`). */
  labelsAdded: string[];
  /** Label Studio tasks without an annotation (nothing to import from them). */
  skipped: number;
  /** Labelled examples now. */
  examples: number;
}

/** What `exportLabels` wrote. */
export interface LabelExport {
  /** The file, typed for its format (`text/csv`, `application/jsonl`, `application/json`). */
  blob: Blob;
  /** Labelled examples written. */
  examples: number;
  /** Examples left out because the model keeps no text for them (stored with `keepInputs: false`). */
  leftOut: number;
}
