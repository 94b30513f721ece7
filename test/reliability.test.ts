// Issue 6, "nothing lost", for what one page can show: IndexedDB refused, a newer database version opened
// elsewhere, retention, and the element recovering from a dead worker. Several tabs, killed tabs and a full disk (a
// quota set through the DevTools protocol before the origin first touches storage) are in
// test/e2e/multitab-reliability.e2e.test.ts.
import { openDB } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import { engine } from '../src/engine-client.js';
import '../src/components/hitl-classifier/hitl-classifier.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import { lockName } from '../workers/coordination.js';
import { Engine } from '../workers/engine/engine.js';
import { SCHEMA_VERSION } from '../workers/storage/schema.js';
import { blockEngineThread, classifier, closeAll, labelTickets, nextChange, readDatabase, tickets, uniqueName, until } from './helpers.js';

afterEach(closeAll);

describe('IndexedDB refused', () => {
  test('a database the library cannot use: the model works in memory, says so, and writes nothing there', async () => {
    const name = uniqueName('refused');
    // A database of that name at a higher version without our stores (another program, a broken future version).
    const foreign = await openDB(`hitl-classifier:${name}`, 7, { upgrade: (db) => void db.createObjectStore('other') });
    foreign.close();
    const clf = await classifier({ name });
    expect(clf.persistent).toBe(false);
    expect(clf.storageProblem).toMatch(/lacks the stores .*nothing will be kept after it closes/);
    await labelTickets(clf, 2);
    expect((await clf.train()).modelVersion).toBe(1);
    expect((await clf.predict(tickets.feature[0])).label).toBe('feature');
    const db = await openDB(`hitl-classifier:${name}`);
    expect(db.version).toBe(7);
    expect(Array.from(db.objectStoreNames)).toEqual(['other']);
    db.close();
  });

  test('a database held open at an old version by a tab that never lets go: open gives up in bounded time and works in memory', async () => {
    const name = uniqueName('blocked');
    // An old tab's connection that ignores versionchange, as a page with a careless IndexedDB library would.
    const stubborn = await openDB(`hitl-classifier:${name}`, 1, { upgrade: (db) => void db.createObjectStore('meta') });
    try {
      const clf = await classifier({ name });
      expect(clf.persistent).toBe(false);
      expect(clf.storageProblem).toMatch(/Another tab keeps an older version .* Close the other tabs of this site and reload/);
      await clf.label(tickets.bug[0], 'bug');
      expect((await clf.predict(tickets.bug[0])).label).toBe('bug');
    } finally {
      stubborn.close();
    }
  });

  test('<hitl-classifier> on a model that cannot be stored says plainly that labels are not saved', async () => {
    const name = uniqueName('refused-tag');
    const foreign = await openDB(`hitl-classifier:${name}`, 7, { upgrade: (db) => void db.createObjectStore('other') });
    foreign.close();
    const tags = [name, uniqueName('stored-tag')].map((model) => {
      const tag = document.createElement('hitl-classifier') as HitlClassifier;
      tag.setAttribute('model', model);
      tag.setAttribute('labels', 'billing,bug,feature');
      tag.textContent = 'My invoice is wrong';
      document.body.append(tag);
      return tag;
    });
    try {
      for (const tag of tags)
        await until(
          () => tag.state,
          (state) => state === 'no-model',
        );
      const [refused, stored] = tags as [HitlClassifier, HitlClassifier];
      const note = refused.shadowRoot!.querySelector('[part="note"]');
      expect(note?.textContent).toMatch(/Labels are not saved: this browser does not let the page store data/);
      expect(note?.getAttribute('title')).toMatch(/lacks the stores/);
      expect(refused.classifier!.persistent).toBe(false);
      // It still works: a click labels the text, in memory.
      refused.shadowRoot!.querySelector<HTMLButtonElement>('[part~="label-button"]')!.click();
      await until(
        () => refused.state,
        (state) => state === 'labelled',
      );
      expect(stored.shadowRoot!.querySelector('[part="note"]')).toBeNull();
    } finally {
      for (const tag of tags) tag.remove();
    }
  });

  test('a stored model reports persistent: true, a memory model false without a problem', async () => {
    const stored = await classifier();
    expect(stored.persistent).toBe(true);
    expect(stored.storageProblem).toBeNull();
    const memory = await classifier({ storage: 'memory' });
    expect(memory.persistent).toBe(false);
    expect(memory.storageProblem).toBeNull();
  });
});

describe('a newer database version opened elsewhere (versionchange)', () => {
  test('the engine closes its connection, reopens the newer database and goes on without losing anything', async () => {
    const name = uniqueName('versionchange');
    const clf = await classifier({ name });
    await labelTickets(clf, 2);
    await clf.train();
    // Another tab with a newer library upgrades the database: this only succeeds if the engine lets go.
    const newer = await openDB(`hitl-classifier:${name}`, SCHEMA_VERSION + 1, {
      upgrade: (db) => void db.createObjectStore('added-by-a-newer-version'),
    });
    newer.close();
    await clf.label('The app freezes on the reports page', 'bug');
    expect((await clf.train()).modelVersion).toBe(2);
    const stored = await readDatabase(name);
    expect(stored.examples).toHaveLength(7);
    expect(stored.weights).toMatchObject({ version: 2 });
    const db = await openDB(`hitl-classifier:${name}`);
    expect(db.version).toBe(SCHEMA_VERSION + 1);
    db.close();
  });
});

describe('a training cancelled before it starts', () => {
  test('while another tab holds the training lock: rejects at once with AbortError and never runs', async () => {
    const name = uniqueName('cancel-waiting');
    const clf = await classifier({ name });
    await labelTickets(clf, 2);
    expect((await clf.train()).modelVersion).toBe(1);
    // This page stands in for another tab that is training: it holds the model's lock until told to let go.
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const lock = navigator.locks.request(lockName(name), () => {
      held();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    const controller = new AbortController();
    const run = clf.train({ signal: controller.signal });
    const settled = run.then(
      () => 'resolved',
      (error: Error) => error.name,
    );
    // Cancelled while it waits: its request for the lock must be queued behind this page's before the abort.
    const queued = (state: LockManagerSnapshot) => state.pending?.some((request) => request.name === lockName(name)) === true;
    await until(() => navigator.locks.query(), queued, 10_000);
    controller.abort();
    const outcome = await Promise.race([settled, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000))]);
    expect(outcome).toBe('AbortError');
    // Had it run once the lock was free, it would have taken the lock and started, then saved version 2: wait for
    // that start or its result, bounded, and check nobody took the lock after this page.
    const ran = nextChange(clf, (change) => (change.type === 'training' && change.running) || change.type === 'model-updated', 1_500);
    release();
    await lock;
    expect(await ran).toBeNull();
    const after = await navigator.locks.query();
    expect([...(after.held ?? []), ...(after.pending ?? [])].filter((request) => request.name === lockName(name))).toEqual([]);
    expect((await clf.stats()).modelVersion).toBe(1);
    expect((await clf.train()).modelVersion).toBe(2);
  });
});

describe('labels added in two tabs at once', () => {
  test('every tab numbers them in the stored order, and a head trained in one serves the right labels in the other', async () => {
    const name = uniqueName('label-race');
    const clf = await classifier({ name });
    // A second engine in this page's own thread stands in for another tab: its own IndexedDB connection, locks
    // and BroadcastChannel, the same origin.
    const other = new Engine();
    const { key, handle } = await other.open(
      { name, labels: ['billing', 'bug', 'feature'], input: 'text', storage: 'indexeddb' },
      { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
    );
    try {
      // Both add a label before either hears of the other's: one of them writes second.
      await Promise.all([clf.addLabel('refund'), other.addLabel(key, 'security')]);
      const stored = () => readDatabase(name).then((db) => (db.meta as { labels: string[] }).labels);
      const order = await stored();
      expect([...order].sort()).toEqual(['billing', 'bug', 'feature', 'refund', 'security']);
      await until(
        async () => [clf.labels, Object.keys((await other.stats(key)).byLabel)],
        ([a, b]) => a!.length === 5 && b!.length === 5,
      );
      expect(clf.labels).toEqual(order);
      expect(Object.keys((await other.stats(key)).byLabel)).toEqual(order);

      // Trained in this tab with examples of both new labels; the other tab serves the same head.
      await labelTickets(clf, 3);
      const refunds = ['Please refund my last payment', 'I want my money back, refund please', 'Refund the duplicate charge to my card'];
      const security = [
        'Someone logged into my account from abroad',
        'Suspicious login attempt, is my account hacked?',
        'Enable two-factor login for security',
      ];
      for (const text of refunds) await clf.label(text, 'refund');
      for (const text of security) await clf.label(text, 'security');
      const { modelVersion } = await clf.train();
      await until(
        () => other.stats(key),
        (stats) => stats.modelVersion === modelVersion,
      );
      for (const [text, label] of [
        ['Refund the duplicate charge please', 'refund'],
        ['Suspicious login from abroad on my account', 'security'],
      ] as const) {
        const mine = await clf.predict(text);
        const [theirs] = await other.predict(key, [text]);
        expect(mine.label).toBe(label);
        expect(theirs!.label).toBe(label);
        expect(theirs!.confidence).toBeCloseTo(mine.confidence, 5);
      }
    } finally {
      await other.close(key, handle);
    }
  });
});

describe('retentionDays', () => {
  test('deletes labels, log entries and queue items older than the period, in IndexedDB, and keeps the rest', async () => {
    const name = uniqueName('retention');
    const clf = await classifier({ name, threshold: 0.99 });
    await labelTickets(clf, 2);
    await clf.predict('An old question nobody answered', { shown: true });
    await clf.auditLog(); // waits for the batched prediction writes
    await closeAll();
    // Age two labels, their log entries and the queued prediction by 40 days, as if they had been stored then.
    const old = new Set<string>([tickets.billing[0], tickets.bug[0]]);
    const db = await openDB(`hitl-classifier:${name}`);
    const aged = Date.now() - 40 * 86_400_000;
    const oldIds = new Set<string>();
    for (const example of (await db.getAll('examples')) as { id: string; input: string; time: number }[]) {
      if (!old.has(example.input)) continue;
      oldIds.add(example.id);
      await db.put('examples', { ...example, time: aged });
    }
    for (const entry of (await db.getAll('log')) as { exampleId: string; kind: string; time: number }[]) {
      if (oldIds.has(entry.exampleId) || entry.kind === 'prediction') await db.put('log', { ...entry, time: aged });
    }
    for (const item of (await db.getAll('queue')) as { addedAt: number }[]) await db.put('queue', { ...item, addedAt: aged });
    db.close();
    const logBefore = (await readDatabase(name)).log.length;

    const kept = await classifier({ name, retentionDays: 30 });
    expect(kept.retentionDays).toBe(30);
    expect(await kept.stats()).toMatchObject({ examples: 4, byLabel: { billing: 1, bug: 1, feature: 2 } });
    expect(await kept.getLabel(tickets.billing[0])).toBeNull();
    expect(await kept.getLabel(tickets.billing[1])).toMatchObject({ label: 'billing' });
    expect(await kept.queue()).toEqual([]);
    const stored = await readDatabase(name);
    expect(stored.examples.map((e) => e.input).sort()).toEqual([tickets.billing[1], tickets.bug[1], tickets.feature[0], tickets.feature[1]].sort());
    // The three aged entries go, and an entry recording the cut comes (issue 18: the chain left still verifies).
    expect(stored.log).toHaveLength(logBefore - 3 + 1);
    expect(stored.log.at(-1)).toMatchObject({ kind: 'retention' });
    expect(stored.log.every((entry) => (entry.time as number) > aged)).toBe(true);
    const everything = JSON.stringify(stored);
    for (const text of old) expect(everything).not.toContain(text);
  });

  test('rejects a retention period that is not a positive number of days', async () => {
    await expect(classifier({ retentionDays: 0 })).rejects.toThrow(/retentionDays must be a finite number of days above 0, got 0/);
    await expect(classifier({ retentionDays: Infinity })).rejects.toThrow(RangeError);
    await expect(classifier({ retentionDays: '30' as never })).rejects.toThrow(/retentionDays must be a number of days/);
  });
});

describe('<hitl-classifier> when the worker dies', () => {
  test('shows the error, then recovers on its own with a fresh worker that reloaded the model', async () => {
    const name = uniqueName('element-crash');
    const clf = await classifier({ name });
    await labelTickets(clf, 3);
    await clf.train();
    const tag = document.createElement('hitl-classifier') as HitlClassifier;
    tag.setAttribute('model', name);
    tag.setAttribute('labels', 'billing,bug,feature');
    tag.textContent = 'The settings page crashes again after the update';
    document.body.append(tag);
    try {
      await until(
        () => tag.prediction?.label,
        (label) => typeof label === 'string',
      );
      const alerts: string[] = [];
      const observer = new MutationObserver(() => {
        const alert = tag.shadowRoot?.querySelector('[role="alert"]')?.textContent;
        if (alert) alerts.push(alert);
      });
      observer.observe(tag.shadowRoot!, { childList: true, subtree: true, characterData: true });
      // Fault injection keeps the worker busy, so the element's next prediction is certainly waiting in it when the
      // worker dies.
      const busy = blockEngineThread(20_000);
      busy.catch(() => undefined);
      const seen = tag.prediction;
      tag.refresh();
      await new Promise((resolve) => setTimeout(resolve, 0));
      engine.crash('The hitl-classifier engine worker was terminated (test).');
      await expect(busy).rejects.toThrow(/terminated \(test\)/);
      // Recovered: a new prediction from the reloaded model, and no error left on screen.
      await until(
        () => tag.prediction,
        (p) => p !== seen && p?.label === seen?.label,
      );
      observer.disconnect();
      expect(alerts.some((text) => /Could not classify this text: .*terminated \(test\)/.test(text))).toBe(true);
      expect(tag.shadowRoot!.querySelector('[role="alert"]')).toBeNull();
      expect(['confident', 'needs-review']).toContain(tag.state);
      expect(tag.classifier).not.toBeNull();
      expect(tag.prediction!.modelVersion).toBe(1);
    } finally {
      tag.remove();
    }
  });
});
