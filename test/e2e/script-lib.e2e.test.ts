// The shared script helpers (scripts/lib.mjs): the generated sections of docs/ that `npm run bench:*` rewrite,
// the tables they are written as, and the static server the benchmarks and these tests serve pages from.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BENCHMARKS_DOC,
  markdownTable,
  mountedFile,
  replaceGeneratedSection,
  sectionMarkers,
  serveStatic,
  writeGeneratedSection,
} from '../../scripts/lib.mjs';

const { start, end } = sectionMarkers('bench:perf');
const other = sectionMarkers('bench:soak');
const page = [
  '# Benchmarks',
  '',
  'Prose before.',
  '',
  start,
  'old | table',
  end,
  '',
  'Prose after.',
  other.start,
  'soak figures',
  other.end,
  '',
].join('\n');

describe('replaceGeneratedSection', () => {
  it('replaces what is between its markers and keeps every other byte', () => {
    const next = replaceGeneratedSection(page, 'bench:perf', '\nnew figures\n\n');
    expect(next).toBe(page.replace('old | table', 'new figures'));
    expect(next).toContain(`Prose after.\n${other.start}\nsoak figures\n${other.end}`);
  });

  it('gives the same page when run twice with the same figures', () => {
    const once = replaceGeneratedSection(page, 'bench:perf', 'a\nb');
    expect(replaceGeneratedSection(once, 'bench:perf', 'a\nb')).toBe(once);
  });

  it('writes replacement patterns such as $& literally', () => {
    expect(replaceGeneratedSection(page, 'bench:perf', "cost $& and $1 and $'")).toContain(`${start}\ncost $& and $1 and $'\n${end}`);
  });

  it('refuses a page whose markers are missing, repeated or out of order', () => {
    expect(() => replaceGeneratedSection('# nothing here', 'bench:perf', 'x')).toThrow(/once each/);
    expect(() => replaceGeneratedSection(`${page}${start}\n${end}\n`, 'bench:perf', 'x')).toThrow(/found 2 and 2/);
    expect(() => replaceGeneratedSection(`${end}\n${start}\n`, 'bench:perf', 'x')).toThrow(/comes before/);
    expect(() => replaceGeneratedSection(page, 'bench:learning', 'x')).toThrow(/bench:learning/);
  });
});

describe('docs/benchmarks.md', () => {
  it('has exactly one section for each benchmark script', () => {
    const doc = readFileSync(BENCHMARKS_DOC, 'utf8');
    for (const script of ['bench:learning', 'bench:perf', 'bench:soak']) {
      expect(replaceGeneratedSection(doc, script, 'x')).toContain(`${sectionMarkers(script).start}\nx\n`);
    }
  });
});

describe('writeGeneratedSection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitl-script-lib-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites the file in place', () => {
    const file = join(dir, 'page.md');
    writeFileSync(file, page);
    writeGeneratedSection('bench:soak', markdownTable(['a', 'b'], [[1, 'x | y']]), file);
    expect(readFileSync(file, 'utf8')).toBe(page.replace('soak figures', '| a | b |\n| --- | --- |\n| 1 | x \\| y |'));
  });
});

describe('serveStatic', () => {
  it('serves folder and file mounts, records requests and refuses paths outside its mounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-static-'));
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
    writeFileSync(join(dir, 'data.json'), '{"a":1}');
    const { url, server, requests } = await serveStatic({ '/app/': dir, '/one.json': join(dir, 'data.json') }, { 'x-test': 'yes' });
    try {
      const index = await fetch(`${url}/app/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('x-test')).toBe('yes');
      expect(await index.text()).toBe('<p>hi</p>');
      expect(await (await fetch(`${url}/one.json`)).json()).toEqual({ a: 1 });
      expect((await fetch(`${url}/app/missing.js`)).status).toBe(404);
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
      expect(requests).toEqual(['/app/', '/one.json', '/app/missing.js', '/elsewhere']);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // A path that climbs out of its folder (browsers normalise `..` away before asking; other clients need not).
    expect(mountedFile({ '/lib/': '/srv/lib' }, '/lib/../secret')).toBeNull();
    expect(mountedFile({ '/lib/': '/srv/lib' }, '/lib/a/../b.js')).toBe('/srv/lib/b.js');
  });
});
