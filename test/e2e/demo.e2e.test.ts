// The demo as a visitor meets it: `npm start`'s Vite server, a fresh browser profile, a click on a label, a reload.
// Runs in Node (vitest project 'e2e') and drives the system Chromium through playwright-core.
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';

const SEED_MESSAGES = 12;
const BILLING_TEXT = 'I was charged twice for my March invoice';
const BUG_TEXT = 'The export button does nothing in Firefox';
const ADDED_TEXT = 'My latest invoice shows the wrong VAT number for our company.';
const POLL = { timeout: 60_000, interval: 100 };

/** What the test reads from a `<hitl-classifier>` inside the page (this Node program does not load src/). */
type HitlTag = HTMLElement & { prediction?: { label: string | null } | null; value?: string | null };

let server: ViteDevServer;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
/** Set once the page showed its predictions: later steps fail at once without it, instead of each timing out. */
let loaded = false;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

/** A port nobody listens on now; Vite is given it explicitly so the HMR client connects to the same one. */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

function tags(): Locator {
  return page.locator('hitl-classifier');
}

function tagWith(text: string): Locator {
  return tags().filter({ hasText: text });
}

/** Resolves once `count` tags exist and every one of them shows a prediction; else says what the page showed. */
async function waitForPredictions(count: number): Promise<void> {
  try {
    await page.waitForFunction(
      (expected) => {
        const all = [...document.querySelectorAll<HitlTag>('hitl-classifier')];
        return all.length === expected && all.every((tag) => tag.prediction != null);
      },
      count,
      { timeout: 60_000, polling: 100 },
    );
  } catch (error) {
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('hitl-classifier')].map((tag) => tag.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim()),
    );
    throw new Error(
      `Expected ${count} tags with a prediction. The tags show: ${JSON.stringify(shown.slice(0, 3))}; ` +
        `page errors: ${JSON.stringify(pageErrors)}; console errors: ${JSON.stringify(consoleErrors.slice(0, 5))}`,
      { cause: error },
    );
  }
}

function predictedLabel(tag: Locator): Promise<string | null | undefined> {
  return tag.evaluate((element: HitlTag) => element.prediction?.label);
}

function stat(name: string): Locator {
  return page.getByTestId(`stat-${name}`);
}

/** 'none' → 0, 'v3' → 3. */
async function modelVersion(): Promise<number> {
  const text = (await stat('version').textContent()) ?? '';
  return text === 'none' ? 0 : Number(text.replace(/^v/, ''));
}

function labelCount(label: string): Locator {
  return page.locator(`#label-counts li[data-label="${label}"] .label-count`);
}

beforeAll(async () => {
  const port = await freePort();
  server = await createServer({
    configFile: resolve('vite.config.ts'),
    mode: 'development',
    // vite.config.ts serves the project root while VITEST is set (for the browser tests): ask for the demo explicitly.
    root: resolve('demo'),
    // Its own optimizer cache, so a concurrent `npm start` or browser-test server cannot rewrite it mid-run.
    cacheDir: resolve('node_modules/.vite/e2e-demo'),
    logLevel: 'warn',
    clearScreen: false,
    // No watcher and no HMR: an edit elsewhere in the checkout must not reload the page mid-test.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  origin = `http://127.0.0.1:${port}`;

  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  context = await browser.newContext();
  // Context-wide, so requests from the engine worker are recorded too, not only the page's.
  context.on('request', (request) => requests.push(request.url()));
  page = await context.newPage();
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('the demo page (npm start)', () => {
  it('serves the Acme Help Desk inbox and shows a prediction for every message', async () => {
    await page.goto(`${origin}/`);
    expect(await page.title()).toContain('Acme Help Desk');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('learns from you');
    await waitForPredictions(SEED_MESSAGES);
    loaded = true;
    // A fresh profile: nothing labelled, so the model cannot name a label yet.
    expect(await predictedLabel(tagWith(BILLING_TEXT))).toBeNull();
    await expect.poll(() => stat('examples').textContent(), POLL).toBe('0');
    expect(await stat('backend').textContent()).toMatch(/^(WebGPU|WebGL|WASM|CPU)$/);
  });

  it('stores a label picked with a click, and the other messages re-predict', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    const tag = tagWith(BILLING_TEXT);
    const billing = tag.getByRole('button', { name: 'billing', exact: true });
    await billing.click();

    await expect.poll(() => billing.getAttribute('aria-pressed'), POLL).toBe('true');
    const pressed = tag.getByRole('button', { pressed: true });
    expect(await pressed.count()).toBe(1);
    await expect.poll(() => tag.evaluate((element: HitlTag) => element.value), POLL).toBe('billing');
    expect(await tag.locator('[part="label"]').textContent()).toBe('billing');
    await expect.poll(() => predictedLabel(tag), POLL).toBe('billing');
    await expect.poll(() => stat('examples').textContent(), POLL).toBe('1');
    await expect.poll(() => labelCount('billing').textContent(), POLL).toBe('1');
    expect(await labelCount('bug').textContent()).toBe('0');

    // With one labelled example the model has an answer for every message: each tag must have asked again.
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            [...document.querySelectorAll<HitlTag>('hitl-classifier')].filter((element) => element.prediction?.label == null).length,
          ),
        POLL,
      )
      .toBe(0);
  });

  it('adds a typed message to the inbox as a new classified tag', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    await page.getByRole('textbox', { name: 'New message' }).fill(ADDED_TEXT);
    await page.getByRole('button', { name: 'Add to inbox' }).click();
    await waitForPredictions(SEED_MESSAGES + 1);
    expect(await predictedLabel(tagWith(ADDED_TEXT))).not.toBeNull();
    expect(await tagWith(ADDED_TEXT).getByRole('button').count()).toBeGreaterThanOrEqual(4);
  });

  it('keeps the label and the added message after a reload', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    await page.reload();
    await waitForPredictions(SEED_MESSAGES + 1);
    const tag = tagWith(BILLING_TEXT);
    await expect.poll(() => predictedLabel(tag), POLL).toBe('billing');
    expect(await tag.evaluate((element: HitlTag) => element.value)).toBe('billing');
    // The tag shows the stored human label itself, not just a matching prediction.
    await expect.poll(() => tag.getByRole('button', { name: 'billing', exact: true }).getAttribute('aria-pressed'), POLL).toBe('true');
    expect(await tag.locator('[part="label"]').textContent()).toBe('billing');
    await expect.poll(() => stat('examples').textContent(), POLL).toBe('1');
    await expect.poll(() => labelCount('billing').textContent(), POLL).toBe('1');
  });

  it('trains on request with a progress display, and Reset deletes everything once confirmed', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    // Training needs two labels.
    await tagWith(BUG_TEXT).getByRole('button', { name: 'bug', exact: true }).click();
    await expect.poll(() => stat('examples').textContent(), POLL).toBe('2');

    // Progress may flash by in a fraction of a second: record every text the status line shows.
    await page.evaluate(() => {
      const status = document.querySelector('#train-status')!;
      const seen: string[] = [];
      new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
      (window as unknown as { statusLog: string[] }).statusLog = seen;
    });
    const before = await modelVersion();
    await page.getByRole('button', { name: 'Train now' }).click();
    await expect.poll(modelVersion, POLL).toBeGreaterThan(before);
    await expect.poll(() => page.getByRole('button', { name: 'Train now' }).isEnabled(), POLL).toBe(true);
    const log = await page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog);
    expect(log.some((text) => /^Epoch \d+ of \d+ · loss \d/.test(text))).toBe(true);
    expect(await page.locator('#train-status').textContent()).toMatch(/^Model v\d+ learned from 2 examples/);

    // Cancel keeps everything.
    await page.getByRole('button', { name: 'Reset…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('dialog').isVisible()).toBe(false);
    expect(await stat('examples').textContent()).toBe('2');

    await page.getByRole('button', { name: 'Reset…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete everything' }).click();
    await expect.poll(() => stat('examples').textContent(), POLL).toBe('0');
    await expect.poll(() => tags().count(), POLL).toBe(SEED_MESSAGES);
    await expect.poll(() => predictedLabel(tagWith(BILLING_TEXT)), POLL).toBeNull();
    expect(await labelCount('billing').textContent()).toBe('0');
  });

  it('talks to nobody but the dev server, and throws nothing', () => {
    const host = new URL(origin).host;
    const elsewhere = requests.filter((url) => {
      const parsed = new URL(url);
      if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
      return parsed.host !== host || !['http:', 'ws:'].includes(parsed.protocol);
    });
    // The record must include the engine worker's own traffic, or this check would miss the part that learns.
    expect(requests.some((url) => url.includes('engine.worker'))).toBe(true);
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  });
});
