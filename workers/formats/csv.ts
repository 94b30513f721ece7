// CSV as RFC 4180 writes it: fields separated by commas, records by CRLF (LF alone is read too), a field that holds
// a comma, a quote or a line break quoted, its quotes doubled. A UTF-8 byte order mark before the first field is
// dropped (spreadsheets write one).

/** Where an unquoted field ends: the next comma or line break. */
const UNQUOTED_END = /[,\r\n]/g;

/** One record of a CSV file, with the line it starts on (1-based, for error messages). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Every record of `text`. Lines with nothing on them are skipped (a trailing line break, blank lines between
 * records); a quoted field may span lines. A RangeError names the line of a quote left open, or of text after a
 * closing quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        blank = false;
        const opened = line;
        i += 1;
        // From quote to quote with indexOf, not character by character: a file of whole e-mails is megabytes.
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) throw new RangeError(`line ${opened}: a quoted field is never closed (a " is missing).`);
          for (let at = text.indexOf('\n', i); at >= 0 && at < quote; at = text.indexOf('\n', at + 1)) line += 1;
          field += text.slice(i, quote);
          if (text[quote + 1] === '"') {
            field += '"';
            i = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new RangeError(`line ${line}: text after a closing quote; a field with a " in it must be quoted whole, its quotes doubled.`);
        }
      } else {
        const from = i;
        UNQUOTED_END.lastIndex = i;
        i = UNQUOTED_END.exec(text)?.index ?? n;
        field = text.slice(from, i);
        if (field !== '') blank = false;
      }
      fields.push(field);
      if (text[i] === ',') {
        blank = false;
        i += 1;
        continue;
      }
      break;
    }
    // The record ends at a line break (CRLF, LF or a lone CR) or at the end of the text.
    if (text[i] === '\r') i += 1;
    if (text[i] === '\n') i += 1;
    line += 1;
    if (!blank) records.push({ fields, line: start });
  }
  return records;
}

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote, a line break or edge spaces. */
function field(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records as CSV text, CRLF after each (RFC 4180). */
export function writeCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => `${record.map(field).join(',')}\r\n`).join('');
}
