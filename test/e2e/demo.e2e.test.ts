// The demo as a visitor meets it: `npm start`'s Vite server (after its `prestart` data step), a fresh browser
// profile, labels given by click and by keyboard, the simulated annotator run on the iris table, a reload.
// Runs in Node (vitest project 'e2e') and drives the system Chromium through playwright-core.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import { freePort } from '../../scripts/lib.mjs';
import { DEMO_DATA_DIR, prepareDemoData } from '../../scripts/prepare-demo-data.mjs';

const INBOX_PAGE = 12;
const POLL = { timeout: 60_000, interval: 100 };

/** What the test reads from the elements inside the page (this Node program does not load src/). */
type HitlTag = HTMLElement & { prediction?: { label: string | null } | null; value?: string | null; state?: string };
type HitlPanel = HTMLElement & { stats?: { examples: number; backend: string } | null };
type HitlQueue = HTMLElement & { current?: unknown; reviewed?: number; remaining?: number | null };
type AxeViolation = { id: string; impact: string; nodes: { target: unknown; failureSummary: string }[] };

let server: ViteDevServer;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
/** Set once the inbox showed its predictions: later steps fail at once without it, instead of each timing out. */
let loaded = false;

let spamTruth: string[];
let irisTruth: string[];

function inboxTag(index: number): Locator {
  return page.locator(`#task-inbox hitl-classifier[data-index="${index}"]`);
}

function panel(task: string): Locator {
  return page.locator(`#task-${task} hitl-model-panel`);
}

function panelExamples(task: string): Promise<number | undefined> {
  return panel(task).evaluate((element: HitlPanel) => element.stats?.examples);
}

/** Resolves once the task is built and each of its tags shows a prediction; else says what the page showed. */
async function waitForTask(task: string, tags: number): Promise<void> {
  try {
    await page.waitForFunction(
      ({ name, count }) => {
        const section = document.querySelector(`#task-${name}`);
        // The e-mails and gallery digits (the compose box and the pad wait for input before they predict).
        const all = [...(section?.querySelectorAll<HitlTag>('hitl-classifier[data-index]') ?? [])];
        return section?.getAttribute('data-ready') === 'true' && all.length === count && all.every((tag) => tag.prediction != null);
      },
      { name: task, count: tags },
      { timeout: 90_000, polling: 100 },
    );
  } catch (error) {
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('hitl-classifier')].slice(0, 3).map((tag) => tag.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim()),
    );
    throw new Error(
      `Expected the ${task} task with ${tags} predicted tags. Tags show: ${JSON.stringify(shown)}; ` +
        `page errors: ${JSON.stringify(pageErrors)}; console errors: ${JSON.stringify(consoleErrors.slice(0, 5))}`,
      { cause: error },
    );
  }
}

beforeAll(async () => {
  // What `npm start`'s prestart step does; a no-op when the files are there.
  prepareDemoData({ log: () => {} });
  const read = (file: string): { items: unknown[] } => JSON.parse(readFileSync(join(DEMO_DATA_DIR, file), 'utf8'));
  spamTruth = (read('spam.json').items as { label: string }[]).map((item) => item.label);
  irisTruth = (read('iris.json').items as { label: string }[]).map((item) => item.label);

  // Given to Vite explicitly, so its HMR client connects to the same port.
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
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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
  it('serves the site: what the widget is, that it stays on the device, and the inbox with its queue and panel', async () => {
    await page.goto(`${origin}/`);
    expect(await page.title()).toContain('hitl-classifier demo');
    const intro = (await page.locator('.intro').textContent()) ?? '';
    expect(intro).toContain('human-in-the-loop classifier');
    expect(intro).toContain('Nothing leaves it');
    expect(intro).toMatch(/Web Worker runs TensorFlow\.js/);
    expect(await page.getByRole('navigation', { name: 'Tasks' }).getByRole('link').allTextContents()).toEqual([
      'Inbox triage',
      'Digits',
      'Iris table',
      'Reply ranking',
    ]);

    await waitForTask('inbox', INBOX_PAGE);
    loaded = true;
    // A fresh profile: nothing labelled, so the model cannot name a label yet.
    expect(await inboxTag(0).evaluate((tag: HitlTag) => tag.state)).toBe('no-model');
    await expect.poll(() => panelExamples('inbox'), POLL).toBe(0);
    expect(await panel('inbox').evaluate((element: HitlPanel) => element.stats?.backend)).toMatch(/^(webgpu|webgl|wasm|cpu)$/);
    // Every shown e-mail the model is unsure about waits in the queue.
    await expect
      .poll(() => page.locator('#task-inbox hitl-review-queue').evaluate((queue: HitlQueue) => queue.remaining ?? 0), POLL)
      .toBeGreaterThanOrEqual(INBOX_PAGE);
  });

  it('labels one e-mail with a click and another from the keyboard', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    const first = inboxTag(0);
    const button = first.getByRole('button', { name: spamTruth[0], exact: true });
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed'), POLL).toBe('true');
    await expect.poll(() => first.evaluate((tag: HitlTag) => tag.state), POLL).toBe('labelled');
    expect(await first.evaluate((tag: HitlTag) => tag.value)).toBe(spamTruth[0]);

    // Keys 1 and 2 pick the first and second label (spam, ham) while focus is in the tag.
    const second = inboxTag(1);
    await second.evaluate((tag) => tag.focus());
    await page.keyboard.press(spamTruth[1] === 'spam' ? '1' : '2');
    await expect.poll(() => second.evaluate((tag: HitlTag) => tag.value), POLL).toBe(spamTruth[1]);
    await expect.poll(() => second.evaluate((tag: HitlTag) => tag.state), POLL).toBe('labelled');
    await expect.poll(() => panelExamples('inbox'), POLL).toBe(2);
    // With labels the model answers for every other e-mail on the page.
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            [...document.querySelectorAll<HitlTag>('#task-inbox hitl-classifier[data-index]')].every((tag) => tag.prediction?.label != null),
          ),
        POLL,
      )
      .toBe(true);
  });

  it('reviews the queue from the keyboard: a decision leaves the queue and teaches the model', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    const queue = page.locator('#task-inbox hitl-review-queue');
    await expect.poll(() => queue.evaluate((element: HitlQueue) => element.current != null), POLL).toBe(true);
    await queue.evaluate((element) => element.focus());
    await page.keyboard.press('a');
    await expect.poll(() => queue.evaluate((element: HitlQueue) => element.reviewed), POLL).toBe(1);
    await expect.poll(() => panelExamples('inbox'), POLL).toBe(3);
  });

  it('passes every axe-core rule, of any impact, in the light and the dark theme', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    // Evaluated, not a script tag: the demo's Content-Security-Policy allows no inline script.
    await page.evaluate(readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8'));
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const found = await page.evaluate(async () => {
        const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } };
        const { violations } = await axe.run(document, { resultTypes: ['violations'] });
        return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary}`).join(' | ')}`);
      });
      expect(found, `${colorScheme} theme`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: null });
  });

  it('switches the tags between suggest, review and silent modes', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    const modes = () =>
      page.locator('#task-inbox hitl-classifier[data-index]').evaluateAll((tags) => [...new Set(tags.map((tag) => tag.getAttribute('mode')))]);
    const buttons = () =>
      page
        .locator('#task-inbox hitl-classifier[data-index]')
        .evaluateAll((tags) => tags.reduce((sum, tag) => sum + (tag.shadowRoot?.querySelectorAll('button').length ?? 0), 0));
    expect(await buttons()).toBeGreaterThan(0);
    await page.getByText('Silent', { exact: true }).click();
    expect(await modes()).toEqual(['silent']);
    await expect.poll(buttons, POLL).toBe(0);
    await page.getByText('Always suggest', { exact: true }).click();
    expect(await modes()).toEqual(['suggest']);
    await expect.poll(buttons, POLL).toBeGreaterThan(0);
  });

  it('classifies a typed e-mail as it is typed, and submits its label with the form', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    const tag = page.getByTestId('compose-classifier');
    expect(await tag.evaluate((element: HitlTag) => element.state)).toBe('empty');
    await page.getByLabel(/Write an e-mail/).fill('Congratulations! You have won a free cruise. Click here to claim your prize now!!!');
    await expect.poll(() => tag.evaluate((element: HitlTag) => element.prediction?.label ?? null), POLL).not.toBeNull();
    const label = await tag.evaluate((element: HitlTag) => element.value);
    await page.getByRole('button', { name: 'File it' }).click();
    expect(await page.getByTestId('compose-result').textContent()).toBe(`The form would send folder = “${label}” with the message.`);
  });

  it('runs the simulated annotator on the iris table: the curve rises and the savings are shown', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    await page.getByRole('link', { name: 'Iris table' }).click();
    await page.waitForSelector('#task-iris[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('#task-inbox').isHidden()).toBe(true);
    const sim = page.getByTestId('sim-iris');
    await sim.getByTestId('sim-start').click();
    // Pause lets the round in progress finish, then holds; Resume goes on from there.
    await sim.getByTestId('sim-pause').click();
    await expect.poll(() => sim.getAttribute('data-state'), POLL).toBe('paused');
    const pausedAt = await sim.getByTestId('sim-table').locator('tbody tr').count();
    expect(await sim.getByTestId('sim-start').textContent()).toBe('Resume');
    await sim.getByTestId('sim-start').click();
    await expect.poll(() => sim.getAttribute('data-state'), { timeout: 120_000, interval: 250 }).toBe('done');

    // Every point of both curves, from the table under the chart.
    const rows = await sim
      .getByTestId('sim-table')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')));
    const value = (text: string): number => Number(text.replace(/[^\d.]/g, ''));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeGreaterThan(pausedAt);
    const active = rows.map((row) => value(row[1]!));
    const random = rows.map((row) => value(row[2]!));
    expect(active.at(-1)!).toBeGreaterThan(active[0]!);
    expect(random.at(-1)!).toBeGreaterThan(random[0]!);
    expect(active.at(-1)!).toBeGreaterThanOrEqual(80);
    // The chart draws both lines with a dot per point.
    expect(await sim.locator('svg .series-active circle').count()).toBe(rows.length);
    expect(await sim.locator('svg .series-random circle').count()).toBe(rows.length);

    expect(await sim.getByTestId('sim-active').textContent()).toMatch(/^\d+\.\d % with \d+ labels$/);
    expect(await sim.getByTestId('sim-random').textContent()).toMatch(/^\d+\.\d % with \d+ labels$/);
    expect(await sim.getByTestId('sim-saved').textContent()).toMatch(/^(\d+ of \d+ \(\d+ %\): active reached|None yet|Not yet)/);
    expect(await sim.getByTestId('sim-auto').textContent()).toMatch(
      /^\d+ of 50 held-out predictions \(\d+ %\), (right \d+\.\d % of the time|none to check yet)$/,
    );

    // The simulation has its own models: the hand-labelled iris model is untouched.
    await expect.poll(() => panelExamples('iris'), POLL).toBe(0);

    await sim.getByTestId('sim-reset').click();
    await expect.poll(() => sim.getAttribute('data-state'), POLL).toBe('ready');
    expect(await sim.getByTestId('sim-table').locator('tbody tr').count()).toBe(0);
    expect(await sim.getByTestId('sim-active').textContent()).toBe('–');
  });

  it('labels an iris row by click', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    const row = page.locator('#task-iris tr[data-index="0"]');
    const button = row.getByRole('button', { name: `${irisTruth[0]} (flower 1)` });
    await expect.poll(() => button.isEnabled(), POLL).toBe(true);
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed'), POLL).toBe('true');
    await expect.poll(() => panelExamples('iris'), POLL).toBe(1);
  });

  it('keeps every label after a reload', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    await page.goto(`${origin}/#inbox`);
    await page.reload();
    await waitForTask('inbox', INBOX_PAGE);
    for (const index of [0, 1]) {
      await expect.poll(() => inboxTag(index).evaluate((tag: HitlTag) => tag.state), POLL).toBe('labelled');
      expect(await inboxTag(index).evaluate((tag: HitlTag) => tag.value)).toBe(spamTruth[index]);
      expect(await inboxTag(index).getByRole('button', { name: spamTruth[index], exact: true }).getAttribute('aria-pressed')).toBe('true');
    }
    await expect.poll(() => panelExamples('inbox'), POLL).toBe(3);

    await page.getByRole('link', { name: 'Iris table' }).click();
    const button = page.locator('#task-iris tr[data-index="0"]').getByRole('button', { name: `${irisTruth[0]} (flower 1)` });
    await expect.poll(() => button.getAttribute('aria-pressed'), POLL).toBe('true');
  });

  it('classifies a digit drawn on the pad with the mouse, and takes its label', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    await page.getByRole('link', { name: 'Digits' }).click();
    await waitForTask('digits', 12);
    const pad = page.getByTestId('pad');
    // Mouse events only reach what is inside the viewport.
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    const at = (x: number, y: number): [number, number] => [box.x + box.width * x, box.y + box.height * y];
    await page.mouse.move(...at(0.3, 0.25));
    await page.mouse.down();
    for (const [x, y] of [
      [0.7, 0.25],
      [0.55, 0.5],
      [0.45, 0.78],
    ] as const)
      await page.mouse.move(...at(x, y), { steps: 8 });
    await page.mouse.up();

    // The stroke reached the 28 × 28 picture the model reads…
    const lit = await page.locator('#pad-input').evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, 28, 28);
      let count = 0;
      for (let p = 0; p < data.length; p += 4) if (data[p]! > 128) count += 1;
      return count;
    });
    expect(lit).toBeGreaterThan(20);
    // …and a tag reads it: no labelled digit yet, so it asks to be taught.
    const tag = page.getByTestId('pad-classifier');
    await expect.poll(() => tag.evaluate((element: HitlTag) => element.state), POLL).toBe('no-model');
    await tag.getByRole('button', { name: '7', exact: true }).click();
    await expect.poll(() => tag.evaluate((element: HitlTag) => element.state), POLL).toBe('labelled');
    await expect.poll(() => panelExamples('digits'), POLL).toBe(1);

    await page.locator('#task-digits').getByRole('button', { name: 'Clear' }).click();
    expect(await tag.count()).toBe(0);
  });

  it('fits a 375 px wide phone: no task scrolls sideways', async () => {
    expect(loaded, 'the demo never showed its predictions: see the first failure').toBe(true);
    await page.setViewportSize({ width: 375, height: 812 });
    const widths: Record<string, number> = {};
    for (const task of ['inbox', 'digits', 'iris', 'replies']) {
      const link = { inbox: 'Inbox triage', digits: 'Digits', iris: 'Iris table', replies: 'Reply ranking' }[task]!;
      await page.getByRole('link', { name: link }).click();
      await page.waitForSelector(`#task-${task}[data-ready="true"]`, { timeout: 60_000 });
      // Layout settles once the elements have rendered what they loaded (the ranking task has no panel).
      if (task !== 'replies') await expect.poll(() => panelExamples(task), POLL).toBeDefined();
      widths[task] = await page.evaluate(() => document.documentElement.scrollWidth);
    }
    expect(widths).toEqual({ inbox: 375, digits: 375, iris: 375, replies: 375 });
    await page.setViewportSize({ width: 1280, height: 900 });
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
