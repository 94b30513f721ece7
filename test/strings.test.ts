// Every user-facing string can be replaced: a `strings` property on each element, typed, partial overrides merged
// with the English defaults, placeholders filled in, values inserted as text.
import { afterEach, describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { HITL_CLASSIFIER_STRINGS, type HitlClassifier } from '../src/index.js';
import { HITL_MODEL_PANEL_STRINGS, type HitlModelPanel } from '../src/components/hitl-model-panel/hitl-model-panel.js';
import { HITL_REVIEW_QUEUE_STRINGS, type HitlReviewQueue } from '../src/components/hitl-review-queue/hitl-review-queue.js';
import { runCleanups, seeded, stage, uniqueName } from './helpers.js';

const LABELS = ['billing', 'bug', 'feature'];
afterEach(runCleanups);

function text(element: Element): string {
  return (element.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

describe('strings', () => {
  test('<hitl-classifier>: replaced texts, names and placeholders; the rest stay English; changes apply at once', async () => {
    const tag = document.createElement('hitl-classifier') as HitlClassifier;
    tag.setAttribute('model', uniqueName('strings'));
    tag.setAttribute('labels', LABELS.join(','));
    tag.setAttribute('storage', 'memory');
    tag.textContent = 'Meine Rechnung ist doppelt';
    tag.strings = { noModel: 'Noch kein Modell — wähle eine Kategorie', labelsGroup: 'Richtige Kategorie wählen' };
    stage().append(tag);
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('no-model');
    expect(text(tag)).toContain('Noch kein Modell — wähle eine Kategorie');
    expect(text(tag)).not.toContain(HITL_CLASSIFIER_STRINGS.noModel);
    await expect.element(page.getByRole('group', { name: 'Richtige Kategorie wählen' })).toBeVisible();

    // A label with markup in it stays text inside a replaced sentence.
    tag.strings = { ...tag.strings, labelledByYou: 'Von dir', labelledBy: 'Von {annotator}' };
    tag.annotator = '<b>ana</b>';
    page
      .getByRole('button', { name: 'bug', exact: true })
      .element()
      .dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('labelled');
    await expect.poll(() => text(tag)).toContain('Von <b>ana</b>');
    expect(tag.shadowRoot?.querySelector('b')).toBeNull();
  });

  test('<hitl-classifier>: questions with the label anywhere, and attribute errors, in the replaced wording', async () => {
    const name = uniqueName('strings');
    await seeded(name);
    const tag = document.createElement('hitl-classifier') as HitlClassifier;
    tag.setAttribute('model', name);
    tag.setAttribute('labels', LABELS.join(','));
    tag.setAttribute('storage', 'memory');
    tag.setAttribute('threshold', '1');
    tag.textContent = 'Something about my account';
    tag.strings = { question: '«{label}» — stimmt das?', needsReview: 'Prüfen', accept: 'Annehmen', reject: 'Andere wählen' };
    stage().append(tag);
    await expect.poll(() => tag.state, { timeout: 30_000 }).toBe('needs-review');
    const predicted = tag.prediction?.label as string;
    expect(text(tag)).toContain(`«${predicted}» — stimmt das?`);
    expect(tag.shadowRoot?.querySelector('[part~="label"]')?.textContent).toBe(predicted);
    await expect.element(page.getByRole('button', { name: 'Annehmen' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Andere wählen' })).toBeVisible();
    expect(text(tag)).toContain('Prüfen');

    tag.strings = { tooFewLabels: 'Mindestens 2 Kategorien angeben (bekommen: {got}).', oneLabel: 'nur „{label}“' };
    tag.setAttribute('labels', 'solo');
    await expect.poll(() => tag.state).toBe('error');
    expect(text(tag)).toContain('Mindestens 2 Kategorien angeben (bekommen: nur „solo“).');
    tag.strings = {};
    await expect.poll(() => text(tag)).toContain('Set labels to at least 2 comma-separated labels');
  });

  test('<hitl-review-queue>: progress, buttons, key hint and the waiting message', async () => {
    const name = uniqueName('strings');
    const waiting = document.createElement('hitl-review-queue') as HitlReviewQueue;
    waiting.setAttribute('model', uniqueName('nobody'));
    waiting.setAttribute('storage', 'memory');
    waiting.strings = { waiting: 'Warte auf das Modell „{model}“.' };
    stage().append(waiting);
    await expect.poll(() => text(waiting)).toContain(`Warte auf das Modell „${waiting.model}“.`);

    const classifier = await seeded(name);
    await classifier.enqueue(['Where is my order?']);
    const queue = document.createElement('hitl-review-queue') as HitlReviewQueue;
    queue.setAttribute('model', name);
    queue.setAttribute('labels', LABELS.join(','));
    queue.setAttribute('storage', 'memory');
    queue.strings = { progress: '{left} offen, {reviewed} erledigt', skip: 'Überspringen', keys: '{s} überspringt', empty: 'Nichts zu prüfen.' };
    stage().append(queue);
    await expect.poll(() => queue.current, { timeout: 30_000 }).not.toBeNull();
    await expect.poll(() => text(queue)).toContain('1 offen, 0 erledigt');
    await expect.element(page.getByRole('button', { name: 'Überspringen' })).toBeVisible();
    expect(queue.shadowRoot?.querySelector('.keys')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('s überspringt');
    expect(text(queue)).toContain(HITL_REVIEW_QUEUE_STRINGS.accept);

    page
      .getByRole('button', { name: 'bug', exact: true })
      .element()
      .dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    await expect.poll(() => text(queue), { timeout: 30_000 }).toContain('Nichts zu prüfen.');
  });

  test('<hitl-model-panel>: headings, buttons and the reset question', async () => {
    const name = uniqueName('strings');
    await seeded(name);
    const panel = document.createElement('hitl-model-panel') as HitlModelPanel;
    panel.setAttribute('model', name);
    panel.setAttribute('labels', LABELS.join(','));
    panel.setAttribute('storage', 'memory');
    panel.setAttribute('refresh-interval', '0');
    panel.strings = {
      trainNow: 'Jetzt trainieren',
      countsTitle: 'Beispiele je Kategorie',
      reset: 'Zurücksetzen…',
      confirmReset: 'Alles von „{model}“ löschen?',
      cancel: 'Abbrechen',
    };
    stage().append(panel);
    await expect.poll(() => panel.stats?.examples, { timeout: 30_000 }).toBe(3);
    await expect.element(page.getByRole('button', { name: 'Jetzt trainieren' })).toBeVisible();
    expect(text(panel)).toContain('Beispiele je Kategorie');
    expect(text(panel)).toContain(HITL_MODEL_PANEL_STRINGS.dataTitle);
    (panel.shadowRoot?.querySelector('[part~="reset"]') as HTMLButtonElement).click();
    await expect.element(page.getByRole('alertdialog', { name: `Alles von „${name}“ löschen?` })).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Abbrechen' })).toBeVisible();
  });
});
