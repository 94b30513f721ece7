import type * as Comlink from 'comlink';
import { openDB } from 'idb';
import { createClassifier, type Classifier, type ClassifierChangeEvent, type ClassifierOptions } from '../src/classifier.js';
import { engine } from '../src/engine-client.js';
import type { EngineEvent } from '../src/protocol.js';
import type { EngineFaults } from '../workers/faults.js';

/** Every test gets its own model (and so its own database): tests never see each other's labels. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

const cleanups: (() => unknown)[] = [];

/** Runs `cleanup` after the current test, the last registered first; a file using it calls afterEach(runCleanups). */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A container in the page, removed (with every element in it) after the test. */
export function stage(): HTMLDivElement {
  const container = document.createElement('div');
  document.body.append(container);
  onCleanup(() => container.remove());
  return container;
}

/** Polls `read` until `check` passes, failing with the last value after `ms` (a bound on a wait, never a measurement). */
export async function until<T>(read: () => T | Promise<T>, check: (value: T) => boolean, ms = 30_000): Promise<T> {
  const end = performance.now() + ms;
  let value = await read();
  while (!check(value)) {
    if (performance.now() > end) throw new Error(`Still not there after ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/**
 * The first change on `clf` that `match` accepts, or null when none came within `ms`. For negative checks: wait for
 * the event that would prove the behaviour wrong, bounded, rather than sleeping and hoping it would have come by then.
 */
export function nextChange(clf: Classifier, match: (change: EngineEvent) => boolean, ms: number): Promise<EngineEvent | null> {
  return new Promise((resolve) => {
    const listener = (event: Event) => {
      const { change } = event as ClassifierChangeEvent;
      if (match(change)) done(change);
    };
    function done(change: EngineEvent | null): void {
      clearTimeout(timer);
      clf.removeEventListener('change', listener);
      resolve(change);
    }
    const timer = setTimeout(() => done(null), ms);
    clf.addEventListener('change', listener);
  });
}

/**
 * Fault injection (workers/faults.ts): keeps the page's engine worker from answering anything for `ms`. The promise
 * settles when the worker is free again, or rejects when the page gives up on it.
 */
export function blockEngineThread(ms: number): Promise<void> {
  return engine.call((api) => (api as unknown as Comlink.Remote<EngineFaults>).blockThread(ms));
}

/** Fault injection: makes the engine worker throw an error of the given class and name (workers/faults.ts). */
export function throwInEngine(...args: Parameters<EngineFaults['throwError']>): Promise<void> {
  return engine.call((api) => (api as unknown as Comlink.Remote<EngineFaults>).throwError(...args));
}

const open: Classifier[] = [];

/** createClassifier with test defaults (no background training, so model versions change only when a test trains). */
export async function classifier(options: Partial<ClassifierOptions> & { name?: string } = {}): Promise<Classifier> {
  const clf = await createClassifier({
    name: options.name ?? uniqueName('test'),
    labels: ['billing', 'bug', 'feature'],
    autoTrain: false,
    ...options,
  });
  open.push(clf);
  return clf;
}

/** Closes every classifier a test made, so the shared worker ends between tests. */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((clf) => clf.close()));
}

/** Reads a model's database directly, as a person with devtools would: proof that data is really stored. */
export async function readDatabase(model: string): Promise<{
  examples: Record<string, unknown>[];
  log: Record<string, unknown>[];
  weights: Record<string, unknown> | undefined;
  meta: Record<string, unknown> | undefined;
}> {
  const db = await openDB(`hitl-classifier:${model}`);
  try {
    const stores = Array.from(db.objectStoreNames);
    const all = async (store: string) => (stores.includes(store) ? ((await db.getAll(store as never)) as Record<string, unknown>[]) : []);
    const one = async (store: string, key: string) =>
      stores.includes(store) ? ((await db.get(store as never, key as never)) as Record<string, unknown> | undefined) : undefined;
    return { examples: await all('examples'), log: await all('log'), weights: await one('weights', 'current'), meta: await one('meta', 'model') };
  } finally {
    db.close();
  }
}

export const tickets = {
  billing: [
    'I was charged twice for my subscription this month',
    'Please send me an invoice for last month',
    'My credit card was billed the wrong amount',
    'How do I get a refund for the annual plan',
    'The invoice shows the wrong VAT number',
    'Why did my payment fail when I upgraded',
  ],
  bug: [
    'The app crashes when I open the settings page',
    'Clicking save shows an error and nothing is saved',
    'The export button does nothing in Firefox',
    'Login page is blank after the last update',
    'Search results never load, the spinner keeps spinning',
    'Images fail to upload with error 500',
  ],
  feature: [
    'Could you add a dark mode to the dashboard',
    'It would be great to export reports as PDF',
    'Please support single sign-on with our identity provider',
    'I would love keyboard shortcuts for the editor',
    'Can you add an API to create tickets automatically',
    'Please let us schedule reports to be emailed weekly',
  ],
} as const;

export type TicketLabel = keyof typeof tickets;

const SEED_EXAMPLES: readonly (readonly [string, string])[] = [
  ['The app crashes when I press save', 'bug'],
  ['I was charged twice for my invoice', 'billing'],
  ['Please add a dark mode to the settings', 'feature'],
];

/**
 * A memory model over billing, bug and feature that knows `examples` (one per label unless given), closed after the
 * test (a file using it calls afterEach(runCleanups)); queued or shown items then get a predicted label.
 */
export async function seeded(name: string, examples: readonly (readonly [string, string])[] = SEED_EXAMPLES): Promise<Classifier> {
  const clf = await createClassifier({ name, labels: ['billing', 'bug', 'feature'], storage: 'memory', autoTrain: false });
  onCleanup(() => clf.close());
  for (const [text, label] of examples) await clf.label(text, label);
  return clf;
}

/** Labels the first `perLabel` tickets of each label. */
export async function labelTickets(clf: Classifier, perLabel: number): Promise<void> {
  for (let i = 0; i < perLabel; i++) {
    for (const label of Object.keys(tickets) as TicketLabel[]) {
      await clf.label(tickets[label][i]!, label);
    }
  }
}
