// `npm run screenshots`: every task of the demo at desktop (1280 px) and phone (375 px) widths, light and dark,
// into screenshots/ (git-ignored). Serves the demo with Vite like `npm start`, drives the system Chromium.
// Each task is shown after a few hand labels and a short run of its simulated annotator, as an evaluator would see it.
//   npm run screenshots -- --sim-seconds=120   (the default: how long each simulation may run before the shot; 0 skips it)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, requireChromium } from './chromium.mjs';
import { ROOT as root, freePort } from './lib.mjs';
import { prepareDemoData } from './prepare-demo-data.mjs';

const OUT = join(root, 'screenshots');
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const SIM_SECONDS = Number(arg('sim-seconds', '120'));
const TASKS = ['inbox', 'digits', 'iris'];
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 375, height: 812 },
];

/** Waits until the task is built and every visible tag shows a prediction. */
async function settle(page, task) {
  await page.waitForSelector(`#task-${task}[data-ready="true"]`, { timeout: 120_000 });
  await page.waitForFunction(
    (name) => [...document.querySelectorAll(`#task-${name} hitl-classifier[data-index]`)].every((tag) => tag.prediction != null),
    task,
    { timeout: 120_000, polling: 250 },
  );
  if (task === 'iris')
    await page.waitForFunction(() => !document.querySelector('.iris-prediction')?.textContent?.startsWith('…'), null, { timeout: 60_000 });
}

/** A person's first few labels, so the shots show predictions, a queue and a panel with something in them. */
async function labelSome(page, task) {
  const section = page.locator(`#task-${task}`);
  if (task === 'inbox') {
    const truth = await page.evaluate(async () => (await (await fetch('./data/spam.json')).json()).items.slice(0, 6).map((m) => m.label));
    for (const [i, label] of truth.entries()) {
      await section.locator(`hitl-classifier[data-index="${i}"]`).getByRole('button', { name: label, exact: true }).click();
    }
  } else if (task === 'digits') {
    const truth = await page.evaluate(async () => (await (await fetch('./data/digits.json')).json()).items.slice(0, 12));
    for (const [i, label] of truth.entries()) {
      await section.locator(`hitl-classifier[data-index="${i}"]`).getByRole('button', { name: label, exact: true }).click();
    }
    // A drawn 7: the pad, what the model sees, and its answer.
    const pad = section.getByTestId('pad');
    // Mouse events only reach what is inside the viewport.
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    const at = (x, y) => [box.x + box.width * x, box.y + box.height * y];
    await page.mouse.move(...at(0.3, 0.25));
    await page.mouse.down();
    for (const [x, y] of [
      [0.5, 0.25],
      [0.7, 0.25],
      [0.6, 0.45],
      [0.5, 0.62],
      [0.45, 0.78],
    ])
      await page.mouse.move(...at(x, y), { steps: 6 });
    await page.mouse.up();
  } else {
    const truth = await page.evaluate(async () => (await (await fetch('./data/iris.json')).json()).items.slice(0, 6).map((r) => r.label));
    for (const [i, label] of truth.entries()) {
      await section
        .locator(`tr[data-index="${i}"]`)
        .getByRole('button', { name: new RegExp(`^${label} `) })
        .click();
      await page.waitForFunction((n) => document.querySelector(`tr[data-index="${n}"] [aria-pressed="true"]`) !== null, i);
    }
  }
  await page.waitForTimeout(2500);
  await settle(page, task);
}

async function simulate(page, task) {
  if (SIM_SECONDS <= 0) return;
  const card = page.getByTestId(`sim-${task}`);
  await card.getByTestId('sim-start').click();
  const deadline = Date.now() + SIM_SECONDS * 1000;
  while (Date.now() < deadline && (await card.getAttribute('data-state')) === 'running') await page.waitForTimeout(500);
  if ((await card.getAttribute('data-state')) === 'running') {
    await card.getByTestId('sim-pause').click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="sim-${id}"]`)?.getAttribute('data-state') !== 'pausing', task, {
      timeout: 120_000,
    });
  }
}

async function main() {
  prepareDemoData();
  mkdirSync(OUT, { recursive: true });
  const port = await freePort();
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    root: join(root, 'demo'),
    cacheDir: join(root, 'node_modules/.vite/screenshots'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: { ignored: ['**'] } },
  });
  await server.listen();
  const origin = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  try {
    for (const task of TASKS) {
      // One profile per task: the labels and the simulation run once, then every width and scheme shows that state.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[${task}] page error: ${error.message}`));
      await page.goto(`${origin}/#${task}`);
      await settle(page, task);
      await labelSome(page, task);
      await simulate(page, task);
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const { name, width, height } of WIDTHS) {
          await page.setViewportSize({ width, height });
          await page.waitForTimeout(400);
          const file = join(OUT, `${task}-${name}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(`screenshots/${task}-${name}-${scheme}.png`);
        }
      }
      // Two crops at desktop width: the task with its queue and panel, and its simulated annotator.
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.waitForTimeout(400);
      await page.screenshot({
        path: join(OUT, `${task}-desktop-task.png`),
        fullPage: true,
        clip: await pageBox(page, '.tabs', `#task-${task} .task-grid`, 960),
      });
      await page.screenshot({
        path: join(OUT, `${task}-desktop-sim.png`),
        fullPage: true,
        clip: await pageBox(page, `#task-${task} .sim`, `#task-${task} .sim`),
      });
      console.log(`screenshots/${task}-desktop-task.png, screenshots/${task}-desktop-sim.png`);
      console.log(`  ${task} simulation: ${await simFigures(page, task)}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/** From the top of `from` to the bottom of `to` (at most `maxHeight`), full width, in page coordinates. */
async function pageBox(page, from, to, maxHeight = Infinity) {
  return page.evaluate(
    ({ from, to, maxHeight }) => {
      const top = document.querySelector(from).getBoundingClientRect().top + window.scrollY - 16;
      const bottom = document.querySelector(to).getBoundingClientRect().bottom + window.scrollY + 16;
      return { x: 0, y: top, width: document.documentElement.clientWidth, height: Math.min(maxHeight, bottom - top) };
    },
    { from, to, maxHeight },
  );
}

/** The figures the simulation card shows, for the log (and the demo table in docs/benchmarks.md). */
async function simFigures(page, task) {
  const card = page.getByTestId(`sim-${task}`);
  const read = async (id) => (await card.getByTestId(id).textContent())?.trim();
  return `${await read('sim-status')} | active ${await read('sim-active')} | random ${await read('sim-random')} | not needed: ${await read('sim-saved')} | auto-accepted: ${await read('sim-auto')}`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
