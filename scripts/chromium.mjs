// Finds the Chromium the tests drive. Shared by vite.config.ts, the e2e tests and scripts/ensure-chromium.mjs.
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Flags that keep a headless Chromium from reaching for the network (this machine has none). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Makes Chromium expose its software WebGPU adapter (SwiftShader), so the WebGPU path runs without a GPU. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function playwrightChromium() {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) return undefined;
  const dirs = readdirSync(cache)
    .filter((d) => /^chromium-\d+$/.test(d))
    .sort()
    .reverse();
  for (const dir of dirs) {
    for (const rel of ['chrome-linux64/chrome', 'chrome-linux/chrome']) {
      const path = join(cache, dir, rel);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

/** The path of a usable Chromium, or undefined. `CHROMIUM_PATH` wins when set. */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return SYSTEM_PATHS.find((path) => existsSync(path)) ?? playwrightChromium();
}

/** Like findChromium, but throws the exact command to run when there is none. */
export function requireChromium() {
  const path = findChromium();
  if (!path) {
    throw new Error(
      'No Chromium found for the browser tests. Run `npm test` (it installs one), or install it yourself:\n' +
        '  sudo apt-get update && sudo apt-get install -y chromium     # Debian/Ubuntu\n' +
        '  npx playwright install chromium                             # elsewhere\n' +
        'or point CHROMIUM_PATH at an existing Chromium or Chrome binary.',
    );
  }
  return path;
}
