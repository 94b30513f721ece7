// Task 3, a table classified from numbers. <hitl-classifier> reads text or pictures, so a table of measurements
// uses the JavaScript API instead (input: 'features'), the way a data grid would: one predictBatch per model change,
// a label per click, and the same review queue and panel as the other tasks.
import { ClassifierChangeEvent, createClassifier, type Classifier, type Prediction, type StoredLabel } from '../src/index.js';
import type { IrisData } from './data.js';
import { el, errorText, percent } from './dom.js';
import type { SimTask } from './simulation.js';

export const IRIS_MODEL = 'demo-iris';
const TEST_SIZE = 50;
const REFRESH_ON = new Set(['examples-changed', 'model-updated', 'reset', 'imported', 'labels-changed']);

interface Row {
  x: number[];
  prediction: HTMLElement;
  buttons: HTMLButtonElement[];
  current: Prediction | null;
  human: StoredLabel | null;
}

export async function buildIris(root: HTMLElement, data: IrisData): Promise<void> {
  const status = el('p', { class: 'list-count', attrs: { 'aria-live': 'polite', 'data-testid': 'iris-count' }, text: 'Loading the model…' });
  const body = el('tbody');
  const rows: Row[] = data.items.map((item, index) => {
    const prediction = el('span', { class: 'iris-prediction', text: '…' });
    const name = `flower ${index + 1}`;
    const buttons = data.labels.map((label) =>
      el('button', {
        class: 'chip',
        text: label,
        attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': `${label} (${name})`, disabled: true },
      }),
    );
    const tr = el(
      'tr',
      { attrs: { 'data-index': index } },
      el('th', { text: String(index + 1), attrs: { scope: 'row' } }),
      ...item.x.map((value, k) => el('td', { class: 'num', text: value.toFixed(1), attrs: { 'data-label': data.features[k] ?? '' } })),
      el('td', { class: 'iris-model' }, prediction),
      el('td', { class: 'iris-label' }, el('div', { class: 'chips', attrs: { role: 'group', 'aria-label': `Species of ${name}` } }, ...buttons)),
    );
    body.append(tr);
    return { x: item.x, prediction, buttons, current: null, human: null };
  });
  const table = el(
    'table',
    { class: 'data-table iris-table', attrs: { 'data-testid': 'iris-table' } },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: '#', attrs: { scope: 'col' } }),
        ...data.features.map((feature) => el('th', { class: 'num', text: feature, attrs: { scope: 'col' } })),
        el('th', { text: 'Model says', attrs: { scope: 'col' } }),
        el('th', { text: 'Your label', attrs: { scope: 'col' } }),
      ),
    ),
    body,
  );
  root.append(
    el('div', { class: 'list-head' }, status),
    el('div', { class: 'table-scroll iris-scroll', attrs: { tabindex: '0', 'aria-label': 'Iris flowers' } }, table),
  );

  let classifier: Classifier;
  try {
    classifier = await createClassifier({ name: IRIS_MODEL, labels: data.labels, input: 'features' });
  } catch (error) {
    status.textContent = `The model could not start: ${errorText(error)}`;
    status.classList.add('error');
    return;
  }

  let shownVersion = -1;
  let refreshing: Promise<void> | null = null;
  let again = false;

  async function refreshOnce(): Promise<void> {
    const stats = await classifier.stats();
    // A person looks at the table once per model version: log those predictions as shown (for the panel's quality
    // figures), not every re-read caused by a label.
    const shown = stats.modelVersion !== shownVersion;
    const [predictions, humans] = await Promise.all([
      classifier.predictBatch(
        rows.map((row) => row.x),
        { queue: true, shown },
      ),
      Promise.all(rows.map((row) => classifier.getLabel(row.x))),
    ]);
    shownVersion = stats.modelVersion;
    let unsure = 0;
    let labelled = 0;
    rows.forEach((row, k) => {
      const prediction = predictions[k]!;
      row.current = prediction;
      row.human = humans[k] ?? null;
      if (row.human) labelled += 1;
      else if (prediction.needsReview) unsure += 1;
      row.prediction.textContent = prediction.label === null ? 'No model yet' : `${prediction.label} ${percent(prediction.confidence, 0)}`;
      row.prediction.classList.toggle('unsure', !row.human && prediction.needsReview);
      row.buttons.forEach((button, b) => {
        button.disabled = false;
        button.setAttribute('aria-pressed', String(row.human?.label === data.labels[b]));
      });
    });
    status.textContent = `${labelled} of ${rows.length} labelled by you · ${unsure} need a look`;
  }

  /** Coalesces bursts of change events (a label, then training) into one re-read at a time. */
  function refresh(): void {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = (async () => {
      try {
        do {
          again = false;
          await refreshOnce();
        } while (again);
      } catch (error) {
        status.textContent = `Could not classify the table: ${errorText(error)}`;
        status.classList.add('error');
      } finally {
        refreshing = null;
      }
    })();
  }

  rows.forEach((row) => {
    row.buttons.forEach((button, b) => {
      button.addEventListener('click', () => {
        const label = data.labels[b]!;
        for (const other of row.buttons) other.disabled = true;
        void classifier
          .label(row.x, label, { predictionId: row.current?.id, annotator: 'you' })
          .catch((error: unknown) => {
            status.textContent = `Could not save the label: ${errorText(error)}`;
            status.classList.add('error');
          })
          .finally(refresh);
      });
    });
  });
  classifier.addEventListener('change', (event) => {
    // Only changes of what the model knows: queue bookkeeping follows this table's own predictions (re-reading on
    // it would never stop), and training progress comes many times a second.
    if (event instanceof ClassifierChangeEvent && REFRESH_ON.has(event.change.type)) refresh();
  });
  refresh();
}

export function irisSimulation(data: IrisData): SimTask {
  const items = data.items.map((item) => ({ input: item.x, label: item.label, caption: `[${item.x.join(', ')}]` }));
  return {
    id: 'iris',
    plural: 'flowers',
    labels: data.labels,
    input: 'features',
    test: items.slice(0, TEST_SIZE),
    pool: items.slice(TEST_SIZE),
    budgets: [3, 6, 9, 12, 15, 20, 25, 30, 40],
    candidates: 100,
    seed: 33,
  };
}
