import type { TemplateResult } from 'lit';

/**
 * User-facing strings are plain strings with `{name}` placeholders, so a translation may move a value (a label,
 * a number) anywhere in the sentence. Values are inserted as text or as the element's own templates, never parsed
 * as markup.
 */
export type StringValue = string | number | TemplateResult;

/** The defaults with every string-valued override applied; anything else in `overrides` is ignored. */
export function mergeStrings<T extends object>(defaults: Readonly<T>, overrides: Partial<T> | null | undefined): T {
  const merged = { ...defaults } as T;
  if (overrides && typeof overrides === 'object') {
    for (const key of Object.keys(defaults) as (keyof T)[]) {
      const value = overrides[key];
      if (typeof value === 'string') merged[key] = value as T[keyof T];
    }
  }
  return merged;
}

/** `template` with each `{name}` replaced: for a template, text and parts interleaved (render it as is). */
export function fill(template: string, values: Record<string, StringValue>): StringValue[] {
  const out: StringValue[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const value = values[match[1]!];
    if (value === undefined) continue;
    if (match.index > last) out.push(template.slice(last, match.index));
    out.push(value);
    last = match.index + match[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}

/** `template` with each `{name}` replaced by the text of its value: for attributes and messages. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (values[name] === undefined ? whole : String(values[name])));
}

/** Confidences and rates as every element shows them: whole percents in the page's locale. */
export const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
