// `npm test` runs this first: it makes sure a Chromium exists, installing one when it can,
// so a fresh machine gets a working browser instead of a cryptic launch error.
import { spawnSync } from 'node:child_process';
import { findChromium } from './chromium.mjs';

function run(command, args) {
  console.log(`ensure-chromium: ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const found = findChromium();
if (found) {
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (has('apt-get') && (isRoot || has('sudo'))) {
  const sudo = isRoot ? [] : ['sudo', '-n'];
  const apt = (...args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  if (apt('update') && apt('install', '-y', 'chromium') && findChromium()) process.exit(0);
}
if (run('npx', ['--no-install', 'playwright', 'install', 'chromium']) && findChromium()) process.exit(0);

console.error(
  '\nNo Chromium could be found or installed automatically. Install one, then run `npm test` again:\n' +
    '  sudo apt-get update && sudo apt-get install -y chromium     # Debian/Ubuntu\n' +
    '  npx playwright install chromium                             # elsewhere\n' +
    'or set CHROMIUM_PATH to the path of an existing Chromium or Chrome binary.\n',
);
process.exit(1);
