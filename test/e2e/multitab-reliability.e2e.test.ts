// Issue 6, "nothing lost", across tabs: several pages of one browser context (one origin, one IndexedDB, real
// Web Locks and BroadcastChannel between their engine workers), tabs closed in the middle of training or of
// saving labels, and a full disk (a real Chromium quota set through the DevTools protocol before the origin first
// touches storage). Runs in Node (vitest project 'e2e') against a Vite dev server of the project root.
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import type { Classifier } from '../../src/classifier.js';

type Tab = {
  open(name: string, labels: string[]): Promise<{ persistent: boolean; examples: number; modelVersion: number }>;
  handle(): Classifier;
  changes(): { at: number; type: string; running?: boolean; modelVersion?: number; problem?: string; message?: string }[];
  database(name: string): Promise<{
    version: number;
    examples: { id: string; input?: string; label: string }[];
    log: { exampleId: string; kind: string }[];
    weights: { version: number; weightsLength: number; inputDim: number; labels: string[] } | null;
    meta: { maxVersion: number; labels: string[] } | null;
  }>;
};
type TabWindow = Window & { tab: Tab };

const LABELS = ['billing', 'bug', 'feature'];
const WORDS: Record<string, string[]> = {
  billing: ['invoice', 'refund', 'charged', 'payment', 'VAT', 'subscription', 'card', 'plan'],
  bug: ['crash', 'error', 'broken', 'blank', 'freezes', 'spinner', 'exception', 'fails'],
  feature: ['please add', 'dark mode', 'export to PDF', 'shortcut', 'integration', 'would love', 'API', 'schedule'],
};

/** A distinct ticket text for `label`, built from its own words so the model has something to learn. */
function ticket(label: string, i: number, tab = ''): string {
  const words = WORDS[label]!;
  return `${tab}#${i}: ${words[i % words.length]} ${words[(i * 3 + 1) % words.length]} ${words[(i * 5 + 2) % words.length]} (${label} case ${i})`;
}

let server: ViteDevServer;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({
    configFile: resolve('vite.config.ts'),
    mode: 'development',
    root: resolve('.'),
    cacheDir: resolve('node_modules/.vite/e2e-reliability'),
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address !== 'object') throw new Error('The Vite server has no address.');
  origin = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/test/e2e/reliability/index.html`);
  await page.waitForFunction(() => document.title === 'reliability tab ready', undefined, { timeout: 120_000 });
  return page;
}

/** Runs `fn` in the tab with its `window.tab`. */
function inTab<A, R>(page: Page, fn: (tab: Tab, arg: A) => R | Promise<R>, arg: A): Promise<R> {
  return page.evaluate(
    ([source, value]) => {
      const run = new Function(`return (${source})`)() as (tab: Tab, arg: unknown) => unknown;
      return run((window as unknown as TabWindow).tab, value);
    },
    [fn.toString(), arg] as const,
  ) as Promise<R>;
}

/** Polls a tab until `check` passes (a bound on the wait, not a measurement); fails with the last value. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > end) throw new Error(`Still not there after ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((done) => setTimeout(done, 100));
    value = await read();
  }
  return value;
}

describe('several tabs of one model', () => {
  test("keep every tab's labels, train one at a time, switch to the model another tab saved, and versions only grow", async () => {
    const context = await browser.newContext();
    try {
      const [a, b] = [await newTab(context), await newTab(context)];
      const name = `tabs-${Date.now()}`;
      for (const page of [a, b])
        expect(await inTab(page, (tab, n) => tab.open(n, ['billing', 'bug', 'feature']), name)).toMatchObject({ persistent: true });

      // Both tabs label at the same time, different inputs, plus one input both label (the later label wins, none is lost).
      const labelIn = (page: Page, prefix: string) =>
        inTab(
          page,
          async (tab, { prefix, texts }) => {
            for (const [text, label] of texts) await tab.handle().label(text, label, { annotator: prefix });
          },
          { prefix, texts: LABELS.flatMap((label) => [0, 1, 2, 3].map((i) => [ticket(label, i, prefix), label] as const)) },
        );
      await Promise.all([labelIn(a, 'A'), labelIn(b, 'B')]);
      const total = 2 * LABELS.length * 4;
      const stored = await inTab(a, (tab, n) => tab.database(n), name);
      expect(stored.examples).toHaveLength(total);
      // Each tab reloaded the other's labels when told: both know all of them, and both answer the other's correction.
      for (const page of [a, b])
        await until(
          () =>
            inTab(
              page,
              (tab) =>
                tab
                  .handle()
                  .stats()
                  .then((s) => s.examples),
              null,
            ),
          (n) => n === total,
        );
      const other = await inTab(b, (tab, text) => tab.handle().getLabel(text), ticket('bug', 2, 'A'));
      expect(other).toMatchObject({ label: 'bug', annotator: 'A' });
      expect((await inTab(b, (tab, text) => tab.handle().predict(text, { queue: false }), ticket('feature', 1, 'A'))).label).toBe('feature');

      // Both train at once: Web Locks run them one after the other, each from everything stored, and each saves a new version.
      const [ra, rb] = await Promise.all([a, b].map((page) => inTab(page, (tab) => tab.handle().train(), null)));
      expect([ra!.modelVersion, rb!.modelVersion].sort()).toEqual([1, 2]);
      expect(ra!.examples).toBe(total);
      expect(rb!.examples).toBe(total);
      const spans = await Promise.all(
        [a, b].map(async (page) => {
          const events = (await inTab(page, (tab) => tab.changes(), null)).filter((e) => e.type === 'training');
          return { start: events.find((e) => e.running)!.at, end: events.findLast((e) => !e.running)!.at };
        }),
      );
      const [first, second] = spans.sort((x, y) => x.start - y.start);
      expect(first!.end).toBeLessThanOrEqual(second!.start);

      // The tab that trained first switches to the other's newer model without training; stored versions match.
      for (const page of [a, b])
        await until(
          () =>
            inTab(
              page,
              (tab) =>
                tab
                  .handle()
                  .stats()
                  .then((s) => s.modelVersion),
              null,
            ),
          (v) => v === 2,
        );
      const text = 'I was charged twice on my last invoice';
      const [pa, pb] = await Promise.all([a, b].map((page) => inTab(page, (tab, t) => tab.handle().predict(t, { queue: false }), text)));
      expect(pa!.modelVersion).toBe(2);
      expect(pb!.modelVersion).toBe(2);
      for (const label of LABELS) expect(pa!.scores[label]).toBeCloseTo(pb!.scores[label]!, 5);
      const disk = await inTab(b, (tab, n) => tab.database(n), name);
      expect(disk.weights!.version).toBe(2);
      expect(disk.meta!.maxVersion).toBe(2);

      // A reset in one tab is a reset in the other; versions keep growing after it.
      await inTab(a, (tab) => tab.handle().reset(), null);
      await until(
        () =>
          inTab(
            b,
            (tab) =>
              tab
                .handle()
                .stats()
                .then((s) => [s.examples, s.modelVersion]),
            null,
          ),
        ([n, v]) => n === 0 && v === 0,
      );
      await inTab(
        b,
        async (tab) => {
          await tab.handle().label('Refund my order', 'billing');
          await tab.handle().label('The page crashes', 'bug');
        },
        null,
      );
      expect((await inTab(a, (tab) => tab.handle().train(), null)).modelVersion).toBe(3);
    } finally {
      await context.close();
    }
  });
});

describe('a tab closed in the middle of something', () => {
  test('closed while training: the next page loads every label and the last complete model, and can train', async () => {
    const context = await browser.newContext();
    try {
      const name = `killed-training-${Date.now()}`;
      const first = await newTab(context);
      await inTab(first, (tab, n) => tab.open(n, ['billing', 'bug', 'feature']), name);
      const texts = LABELS.flatMap((label) => Array.from({ length: 60 }, (_, i) => [ticket(label, i), label] as const));
      await inTab(
        first,
        async (tab, all) => {
          for (const [text, label] of all) await tab.handle().label(text, label);
          await tab.handle().train();
        },
        texts,
      );
      // The page closes itself (through the test) as soon as the second training reports its first epoch.
      let finished = false;
      await first.exposeFunction('trainingStarted', () => void first.close({ runBeforeUnload: false }));
      await first.exposeFunction('trainingFinished', () => (finished = true));
      const during = inTab(
        first,
        async (tab) => {
          const w = window as unknown as { trainingStarted(): void; trainingFinished(): void };
          let told = false;
          await tab.handle().train({ onProgress: () => (told ||= (w.trainingStarted(), true)) });
          w.trainingFinished();
        },
        null,
      );
      await during.catch(() => undefined);
      await until(
        async () => first.isClosed(),
        (closed) => closed,
      );

      const next = await newTab(context);
      const opened = await inTab(next, (tab, n) => tab.open(n, ['billing', 'bug', 'feature']), name);
      // Every label, and a complete model: the one saved before (v1), or v2 only if that training got to finish.
      expect(opened.examples).toBe(texts.length);
      expect(opened.modelVersion).toBe(finished ? 2 : 1);
      const disk = await inTab(next, (tab, n) => tab.database(n), name);
      expect(disk.weights!.version).toBe(opened.modelVersion);
      expect(disk.meta!.maxVersion).toBe(opened.modelVersion);
      expect(disk.weights!.weightsLength).toBe(disk.weights!.inputDim * 3);
      expect((await inTab(next, (tab, t) => tab.handle().predict(t, { queue: false }), ticket('bug', 1))).label).toBe('bug');
      // The dead tab's training lock went with it: this tab trains, to a newer version.
      expect((await inTab(next, (tab) => tab.handle().train(), null)).modelVersion).toBe(opened.modelVersion + 1);
    } finally {
      await context.close();
    }
  });

  test('closed while saving labels: every label whose save had resolved is there after a reload, each with its log entry', async () => {
    const context = await browser.newContext();
    try {
      const name = `killed-saving-${Date.now()}`;
      const first = await newTab(context);
      await inTab(first, (tab, n) => tab.open(n, ['billing', 'bug', 'feature']), name);
      const saved: string[] = [];
      await first.exposeFunction('saved', (text: string) => {
        saved.push(text);
        if (saved.length === 10) void first.close({ runBeforeUnload: false });
      });
      const texts = Array.from({ length: 60 }, (_, i) => ticket(LABELS[i % 3]!, i, 'S'));
      await inTab(
        first,
        (tab, all) => {
          const w = window as unknown as { saved(text: string): void };
          // Many saves in flight at once, as a person clicking through a list fast.
          all.forEach(
            (text, i) =>
              void tab
                .handle()
                .label(text, ['billing', 'bug', 'feature'][i % 3]!)
                .then(
                  () => w.saved(text),
                  () => undefined,
                ),
          );
        },
        texts,
      ).catch(() => undefined);
      await until(
        async () => first.isClosed(),
        (closed) => closed,
      );

      const next = await newTab(context);
      await inTab(next, (tab, n) => tab.open(n, ['billing', 'bug', 'feature']), name);
      const labels = await inTab(next, (tab, all) => Promise.all(all.map((text) => tab.handle().getLabel(text))), saved);
      labels.forEach((label, i) => expect(label, saved[i]).toMatchObject({ label: LABELS[texts.indexOf(saved[i]!) % 3] }));
      const disk = await inTab(next, (tab, n) => tab.database(n), name);
      expect(disk.examples.length).toBeGreaterThanOrEqual(saved.length);
      // Examples and their log entries are written in one transaction: never one without the other.
      const logged = new Set(disk.log.filter((e) => e.kind === 'label').map((e) => e.exampleId));
      expect(disk.examples.every((e) => logged.has(e.id))).toBe(true);
      expect(logged.size).toBe(disk.examples.length);
    } finally {
      await context.close();
    }
  });
});

describe('storage full', () => {
  test('QuotaExceededError: a clear error and a storage-error event, nothing half-written, and writes work again once there is room', async () => {
    const context = await browser.newContext();
    try {
      const page = await newTab(context);
      const session = await context.newCDPSession(page);
      // Set before the origin first opens a database: Chromium applies the override to storage opened after it.
      await session.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 3 * 1024 * 1024 });
      const name = `quota-${Date.now()}`;
      await inTab(page, (tab, n) => tab.open(n, ['billing', 'bug', 'feature']), name);
      await inTab(
        page,
        async (tab) => {
          for (const [text, label] of [
            ['Refund please', 'billing'],
            ['It crashes', 'bug'],
            ['Add dark mode', 'feature'],
            ['Wrong VAT on invoice', 'billing'],
          ]) {
            await tab.handle().label(text!, label!);
          }
          await tab.handle().train();
        },
        null,
      );
      const before = await inTab(page, (tab, n) => tab.database(n), name);
      const outcome = await inTab(
        page,
        async (tab) => {
          // Random letters: Chromium compresses large IndexedDB values, so a repeated string would fit.
          const bytes = new Uint8Array(4_000_000);
          for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
          let big = 'Please refund ';
          for (let i = 0; i < bytes.length; i += 8192) big += String.fromCharCode(...Array.from(bytes.subarray(i, i + 8192), (b) => 97 + (b % 26)));
          try {
            await tab.handle().label(big, 'billing');
            return { rejected: false, name: '', message: '', known: await tab.handle().getLabel(big) };
          } catch (error) {
            return { rejected: true, name: (error as Error).name, message: (error as Error).message, known: await tab.handle().getLabel(big) };
          }
        },
        null,
      );
      expect(outcome).toMatchObject({ rejected: true, name: 'QuotaExceededError', known: null });
      expect(outcome.message).toMatch(
        /storage for this site is full, so nothing of this change was saved.*export and reset models you no longer need/,
      );
      const events = (await inTab(page, (tab) => tab.changes(), null)).filter((e) => e.type === 'storage-error');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ problem: 'quota' });
      expect(await inTab(page, (tab, n) => tab.database(n), name)).toEqual(before);
      expect((await inTab(page, (tab) => tab.handle().stats(), null)).examples).toBe(4);

      await session.send('Storage.overrideQuotaForOrigin', { origin });
      await inTab(page, (tab) => tab.handle().label('Please send the invoice again', 'billing'), null);
      expect((await inTab(page, (tab, n) => tab.database(n), name)).examples).toHaveLength(5);
    } finally {
      await context.close();
    }
  });
});
