// The Custom Elements Manifest is the elements' documentation for editors, Storybook and framework wrappers: generated
// from JSDoc by `npm run manifest` (part of `npm run build`). This fails when anything public is missing from it or has
// no description — compared with what the sources really declare, dispatch, render and style.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const components = join(root, 'src/components');

interface Described {
  name: string;
  description?: string;
  summary?: string;
  type?: { text: string };
  privacy?: string;
  static?: boolean;
  kind?: string;
  attribute?: string;
}

interface Declaration extends Described {
  tagName?: string;
  customElement?: boolean;
  members?: Described[];
  attributes?: Described[];
  events?: Described[];
  slots?: Described[];
  cssParts?: Described[];
  cssProperties?: Described[];
}

interface Manifest {
  schemaVersion: string;
  modules: { path: string; declarations?: Declaration[] }[];
}

let out: string;
let manifest: Manifest;

beforeAll(() => {
  // The project's own config, written to a folder of its own (the analyzer resolves outdir against the cwd).
  out = mkdtempSync(join(tmpdir(), 'hitl-manifest-'));
  const config = join(out, 'config.mjs');
  writeFileSync(
    config,
    `import base from ${JSON.stringify(join(root, 'custom-elements-manifest.config.mjs'))};\nexport default { ...base, outdir: ${JSON.stringify(relative(root, out))} };\n`,
  );
  const cli = createRequire(import.meta.url).resolve('@custom-elements-manifest/analyzer/cem.js');
  execFileSync(process.execPath, [cli, 'analyze', '--config', config], { cwd: root, stdio: 'pipe' });
  manifest = JSON.parse(readFileSync(join(out, 'custom-elements.json'), 'utf8')) as Manifest;
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Each element module: src/components/<tag>/<tag>.ts. */
const ELEMENTS = readdirSync(components).filter((dir) => dir.startsWith('hitl-'));

/**
 * Event class name → event type, from the `super('hitl-…')` call of each class in src/events.ts, or in an element's
 * own `*-event.ts` (an element that loads on demand keeps its event beside it, out of the entry).
 */
function eventNames(): Map<string, string> {
  const own = ELEMENTS.flatMap((dir) =>
    readdirSync(join(components, dir))
      .filter((name) => name.endsWith('-event.ts'))
      .map((name) => join(components, dir, name)),
  );
  const source = [join(root, 'src/events.ts'), ...own].map((file) => readFileSync(file, 'utf8')).join('\n');
  const names = new Map<string, string>();
  for (const match of source.matchAll(/export class (\w+) extends Event \{[\s\S]*?super\('([\w-]+)'/g)) names.set(match[1]!, match[2]!);
  return names;
}

/** The public API of the element class as written: fields, accessors and methods a page may use. */
function publicMembers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      for (const member of node.members) {
        if (!member.name || !ts.isIdentifier(member.name) || ts.isConstructorDeclaration(member)) continue;
        const flags = ts.getCombinedModifierFlags(member as ts.Declaration);
        if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Override | ts.ModifierFlags.Static)) continue;
        if (ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'internal')) continue;
        names.push(member.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...new Set(names)];
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** What an element renders: its module and the render helpers beside it (not its tests, styles or strings). */
function renderSources(dir: string): string {
  return readdirSync(join(components, dir))
    .filter((name) => name.endsWith('.ts') && !/\.(test|styles|strings)\.ts$/.test(name))
    .map((name) => read(join(components, dir, name)))
    .join('\n');
}

/** The element's styles: its own styles module and the shared theme when it uses it. */
function styleSources(dir: string): string {
  const styles = read(join(components, dir, `${dir}.styles.ts`));
  return styles + (styles.includes('theme.styles.js') ? read(join(components, 'shared/theme.styles.ts')) : '');
}

function declarationOf(tag: string): Declaration {
  const found = manifest.modules.flatMap((module) => module.declarations ?? []).find((d) => d.customElement && d.tagName === tag);
  if (!found) throw new Error(`custom-elements.json has no <${tag}>`);
  return found;
}

function undocumented(items: Described[] | undefined): string[] {
  return (items ?? []).filter((item) => !item.description?.trim()).map((item) => item.name);
}

test('the manifest declares every element, and package.json points at it', () => {
  expect(manifest.schemaVersion).toMatch(/^\d/);
  expect(ELEMENTS.sort()).toEqual(['hitl-classifier', 'hitl-compare', 'hitl-model-panel', 'hitl-review-queue']);
  const pkg = JSON.parse(read(join(root, 'package.json'))) as { customElements?: string; files?: string[]; exports: Record<string, unknown> };
  expect(pkg.customElements).toBe('./custom-elements.json');
  expect(pkg.files).toContain('custom-elements.json');
  expect(pkg.exports['./custom-elements.json']).toBe('./custom-elements.json');
});

describe.each(ELEMENTS)('<%s>', (tag) => {
  const file = join(components, tag, `${tag}.ts`);

  test('has a summary, and every public property, attribute and method is documented', () => {
    const element = declarationOf(tag);
    expect(element.summary?.trim(), 'the @summary').toBeTruthy();
    const documented = new Map((element.members ?? []).filter((m) => !m.static && (m.privacy ?? 'public') === 'public').map((m) => [m.name, m]));
    const members = publicMembers(file);
    expect(members.length).toBeGreaterThan(5);
    for (const name of members) {
      expect(documented.get(name), `${tag}.${name} is missing from the manifest`).toBeDefined();
      expect(documented.get(name)?.description?.trim(), `${tag}.${name} has no description`).toBeTruthy();
    }
    expect(undocumented([...documented.values()]), 'members without a description').toEqual([]);
    expect(undocumented(element.attributes), 'attributes without a description').toEqual([]);
    // The strings property is part of the API of every element (user-facing texts can be replaced).
    expect(documented.get('strings')?.type?.text).toMatch(/^Partial<Hitl\w+Strings>$/);
  });

  test('every event it dispatches is documented with its class', () => {
    const element = declarationOf(tag);
    const names = eventNames();
    const dispatched = [...new Set([...read(file).matchAll(/dispatchEvent\(new (\w+)\(/g)].map((m) => m[1]!))];
    expect(dispatched.length).toBeGreaterThan(0);
    const events = new Map((element.events ?? []).map((event) => [event.name, event]));
    for (const className of dispatched) {
      const type = names.get(className);
      expect(type, `${className} is not an event class of src/events.ts or the element's *-event.ts`).toBeDefined();
      expect(events.get(type!)?.description?.trim(), `${tag} fires ${type} without @fires`).toBeTruthy();
      expect(events.get(type!)?.type?.text, `@fires {${className}} ${type}`).toBe(className);
    }
    // …and documents none it does not fire.
    expect([...events.keys()].sort()).toEqual(dispatched.map((c) => names.get(c)!).sort());
  });

  test('every CSS part it renders is documented, and every documented part exists', () => {
    const element = declarationOf(tag);
    const rendered = new Set([...renderSources(tag).matchAll(/\bpart="([^"$]+)"/g)].flatMap((m) => m[1]!.trim().split(/\s+/)));
    expect(rendered.size).toBeGreaterThan(5);
    const documented = new Set((element.cssParts ?? []).map((part) => part.name));
    expect(
      [...rendered].filter((part) => !documented.has(part)),
      'parts without @csspart',
    ).toEqual([]);
    expect(
      [...documented].filter((part) => !rendered.has(part)),
      '@csspart for parts it never renders',
    ).toEqual([]);
    expect(undocumented(element.cssParts)).toEqual([]);
  });

  test('every --hitl-* custom property its styles read is documented, and no other', () => {
    const element = declarationOf(tag);
    const used = new Set([...styleSources(tag).matchAll(/var\((--hitl-[\w-]+)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(5);
    const documented = new Set((element.cssProperties ?? []).map((property) => property.name));
    expect(
      [...used].filter((name) => !documented.has(name)),
      'custom properties without @cssprop',
    ).toEqual([]);
    expect(
      [...documented].filter((name) => !used.has(name)),
      '@cssprop for properties it never reads',
    ).toEqual([]);
    expect(undocumented(element.cssProperties)).toEqual([]);
  });

  test('its slots are documented', () => {
    const element = declarationOf(tag);
    const slots = [...read(file).matchAll(/<slot(?:\s+name="([\w-]+)")?/g)].map((m) => m[1] ?? '');
    expect((element.slots ?? []).map((slot) => slot.name).sort()).toEqual([...new Set(slots)].sort());
    expect(undocumented(element.slots?.map((slot) => ({ ...slot, name: slot.name || '(default)' })))).toEqual([]);
  });
});
