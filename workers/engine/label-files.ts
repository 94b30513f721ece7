import { LABEL_FORMATS, type LabelExport, type LabelFormat, type LabelImportResult } from '../../src/protocol.js';
import { readLabelRows, writeLabelRows, type LabelRow } from '../formats/label-rows.js';
import type { ModelSession } from './model-session.js';

/**
 * Labelled text in other tools' formats (formats/label-rows.ts): read in full and checked row by row before anything
 * is stored, then stored as one batch of decisions (Decisions.labelBatch, one transaction); and written from the
 * stored examples. Parsing runs here, in the worker: a large file never holds up the page, and the page's bundle
 * carries no parser.
 */
export class LabelFiles {
  constructor(private readonly session: ModelSession) {}

  /** The model takes text and `format` is one this reads and writes. */
  private check(method: string, format: unknown): void {
    if (!(LABEL_FORMATS as readonly unknown[]).includes(format)) {
      const expected = LABEL_FORMATS.map((f) => `'${f}'`).join(' | ');
      throw new RangeError(`${method}: format must be one of ${expected}, got ${typeof format === 'string' ? `'${format}'` : String(format)}.`);
    }
    const { spec } = this.session;
    if (spec.input !== 'text') {
      throw new TypeError(`${method} handles labelled text; model "${spec.name}" takes ${spec.input} inputs (export() and import() move any model).`);
    }
  }

  async import(data: string | Blob, format: LabelFormat, addLabels: boolean): Promise<LabelImportResult> {
    const { session } = this;
    if (typeof data !== 'string' && !(data instanceof Blob)) {
      throw new TypeError(`importLabels expects a string, Blob or File, got ${data === null ? 'null' : typeof data}.`);
    }
    this.check('importLabels', format);
    const { rows, skipped } = readLabelRows(typeof data === 'string' ? data : await data.text(), format);
    if (rows.length === 0) throw new RangeError(`The ${format} data holds no labelled rows: nothing to import.`);
    const known = new Set(session.labels);
    const unknown = rows.find((row) => !known.has(row.label));
    if (unknown && !addLabels) {
      throw new RangeError(
        `${unknown.at}: unknown label ${JSON.stringify(unknown.label)}: expected one of ${session.labels.map((l) => JSON.stringify(l)).join(', ')}. ` +
          'Pass { addLabels: true } to add the labels the data brings.',
      );
    }
    const added = [...new Set(rows.map((row) => row.label).filter((label) => !known.has(label)))];
    const items = rows.map((row) => ({ input: row.text, label: row.label, ...(row.annotator !== undefined ? { annotator: row.annotator } : {}) }));
    try {
      const result = await session.decisions.labelBatch(items, { added, detail: (i) => `importLabels (${format}), ${rows[i]!.at}` });
      return { rows: rows.length, replaced: result.replaced, labelsAdded: added, skipped, examples: result.examples };
    } catch (error) {
      // An item's error names the row it came from.
      const index = error instanceof Error && !(error instanceof DOMException) ? /^items\[(\d+)\](\.input)?/.exec(error.message) : null;
      if (index) (error as Error).message = (error as Error).message.replace(index[0], rows[Number(index[1])]!.at);
      throw error;
    }
  }

  async export(format: LabelFormat): Promise<LabelExport> {
    this.check('exportLabels', format);
    const { examples } = await this.session.store.load();
    const rows: LabelRow[] = [];
    for (const example of examples) {
      if (typeof example.input !== 'string') continue;
      rows.push({
        text: example.input,
        label: example.label,
        time: example.time,
        ...(example.annotator !== undefined ? { annotator: example.annotator } : {}),
      });
    }
    const { text, type } = writeLabelRows(rows, format);
    return { blob: new Blob([text], { type }), examples: rows.length, leftOut: examples.length - rows.length };
  }
}
