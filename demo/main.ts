// The demo page: an inbox of <hitl-classifier> tags plus a side panel driven by a createClassifier() handle on the
// same model, so the page shows both ways of using the library side by side.
import { createClassifier } from '../src/index.js';
import type { Stats } from '../src/protocol.js';

const MODEL = 'support-inbox';
const LABELS = ['billing', 'bug', 'feature request', 'account'];
// Messages typed into the demo are kept next to the model, so a reload shows the same inbox the labels were given on.
const ADDED_KEY = 'acme-help-desk/added-messages';

type Classifier = Awaited<ReturnType<typeof createClassifier>>;

interface AddedMessage {
  text: string;
  at: string;
}

function $<T extends Element>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`The demo page lacks ${selector}.`);
  return element;
}

const messages = $<HTMLOListElement>('#messages');
const compose = $<HTMLFormElement>('#compose');
const newMessage = $<HTMLTextAreaElement>('#new-message');
const reviewCount = $<HTMLParagraphElement>('#review-count');
const labelCounts = $<HTMLUListElement>('#label-counts');
const statExamples = $<HTMLElement>('[data-testid="stat-examples"]');
const statVersion = $<HTMLElement>('[data-testid="stat-version"]');
const statBackend = $<HTMLElement>('[data-testid="stat-backend"]');
const trainButton = $<HTMLButtonElement>('#train-button');
const resetButton = $<HTMLButtonElement>('#reset-button');
const trainProgress = $<HTMLProgressElement>('#train-progress');
const trainStatus = $<HTMLParagraphElement>('#train-status');
const resetDialog = $<HTMLDialogElement>('#reset-dialog');

const BACKEND_NAMES: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

// ---- Inbox -------------------------------------------------------------------------------------------------------

function loadAdded(): AddedMessage[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(ADDED_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (m): m is AddedMessage => typeof m === 'object' && m !== null && typeof m.text === 'string' && typeof m.at === 'string',
    );
  } catch {
    return [];
  }
}

function saveAdded(list: AddedMessage[]): void {
  try {
    localStorage.setItem(ADDED_KEY, JSON.stringify(list));
  } catch {
    // Private windows may refuse storage: the message still shows, it just will not come back after a reload.
  }
}

function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Builds one inbox row; every piece of user text goes in as text, never as markup. */
function messageItem(message: AddedMessage): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'message message-added';
  const meta = document.createElement('p');
  meta.className = 'message-meta';
  const sender = document.createElement('span');
  sender.className = 'sender';
  sender.textContent = 'You';
  const time = document.createElement('time');
  time.dateTime = message.at;
  time.textContent = clock(message.at);
  meta.append(sender, ' ', time);
  const tag = document.createElement('hitl-classifier');
  tag.setAttribute('model', MODEL);
  tag.setAttribute('labels', LABELS.join(','));
  tag.textContent = message.text;
  item.append(meta, tag);
  return item;
}

function addMessage(message: AddedMessage): void {
  messages.prepend(messageItem(message));
  updateReviewCount();
}

function updateReviewCount(): void {
  const tags = [...messages.querySelectorAll('hitl-classifier')];
  const shown = tags.filter((tag) => tag.prediction !== null && tag.prediction !== undefined);
  if (shown.length < tags.length) {
    reviewCount.textContent = `Classifying ${tags.length - shown.length} of ${tags.length}…`;
    return;
  }
  const unsure = shown.filter((tag) => tag.prediction?.needsReview).length;
  reviewCount.textContent =
    unsure === 0 ? `All ${tags.length} messages classified confidently` : `${unsure} of ${tags.length} need a look`;
}

compose.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = newMessage.value.replace(/\s+/g, ' ').trim();
  if (text === '') {
    newMessage.focus();
    return;
  }
  const message = { text, at: new Date().toISOString() };
  saveAdded([...loadAdded(), message]);
  addMessage(message);
  newMessage.value = '';
  newMessage.focus();
});

// Enter sends, Shift+Enter breaks the line: what people expect from a chat-like box.
newMessage.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    compose.requestSubmit();
  }
});

messages.addEventListener('hitl-prediction', updateReviewCount);
messages.addEventListener('hitl-label', () => {
  notice = null;
  updateReviewCount();
  refreshStats();
});

for (const message of loadAdded()) addMessage(message);
updateReviewCount();

// ---- Model panel -------------------------------------------------------------------------------------------------

let classifier: Classifier | null = null;
let stats: Stats | null = null;
let training: AbortController | null = null;
/** The last manual run, so the status can say how long it took while that model still serves. */
let lastRun: { modelVersion: number; ms: number } | null = null;
/** A message that outlives stats refreshes until the next action (an error, a cancelled run). */
let notice: { text: string; error: boolean } | null = null;

function renderStats(next: Stats): void {
  stats = next;
  statExamples.textContent = String(next.examples);
  statVersion.textContent = next.modelVersion === 0 ? 'none' : `v${next.modelVersion}`;
  statBackend.textContent = BACKEND_NAMES[next.backend] ?? next.backend;

  const most = Math.max(1, ...LABELS.map((label) => next.byLabel[label] ?? 0));
  labelCounts.replaceChildren(
    ...LABELS.map((label) => {
      const count = next.byLabel[label] ?? 0;
      const item = document.createElement('li');
      item.dataset.label = label;
      const name = document.createElement('span');
      name.className = 'label-name';
      name.textContent = label;
      const value = document.createElement('span');
      value.className = 'label-count';
      value.textContent = String(count);
      const bar = document.createElement('span');
      bar.className = 'label-bar';
      bar.setAttribute('aria-hidden', 'true');
      bar.style.setProperty('--share', String(count / most));
      item.append(name, value, bar);
      return item;
    }),
  );
  paintStatus();
}

function paintStatus(): void {
  trainButton.disabled = classifier === null || (training === null && (stats?.examples ?? 0) === 0);
  resetButton.disabled = classifier === null || training !== null;
  trainStatus.classList.toggle('error', notice?.error ?? false);
  // While a run is in progress its progress line owns the status.
  if (training) return;
  trainStatus.textContent = notice?.text ?? (stats ? idleStatus(stats) : 'Loading the model…');
}

function idleStatus(current: Stats): string {
  if (current.training) return 'Retraining in the background…';
  if (current.examples === 0) return 'No labels yet: pick the right category on any message to teach the model.';
  const examples = `${current.examples} example${current.examples === 1 ? '' : 's'}`;
  if (current.modelVersion === 0) return `${examples} labelled, not trained yet.`;
  const took = lastRun?.modelVersion === current.modelVersion ? ` in ${(lastRun.ms / 1000).toFixed(1)} s` : '';
  return `Model v${current.modelVersion} learned from ${examples}${took}.`;
}

function setNotice(text: string, error = false): void {
  notice = { text, error };
  paintStatus();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let refreshing = false;
let refreshAgain = false;

/** Coalesces bursts of change events into one stats() call at a time. */
function refreshStats(): void {
  if (!classifier) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  const handle = classifier;
  void (async () => {
    try {
      do {
        refreshAgain = false;
        renderStats(await handle.stats());
      } while (refreshAgain);
    } catch (error) {
      setNotice(errorText(error), true);
    } finally {
      refreshing = false;
    }
  })();
}

async function train(handle: Classifier): Promise<void> {
  const run = new AbortController();
  training = run;
  notice = null;
  paintStatus();
  trainButton.textContent = 'Cancel training';
  trainProgress.hidden = false;
  trainProgress.removeAttribute('value');
  trainStatus.textContent = 'Training…';
  try {
    const result = await handle.train({
      signal: run.signal,
      onProgress: ({ epoch, epochs, loss }) => {
        trainProgress.max = epochs;
        trainProgress.value = epoch;
        trainStatus.textContent = `Epoch ${epoch} of ${epochs} · loss ${loss.toFixed(3)}`;
      },
    });
    lastRun = { modelVersion: result.modelVersion, ms: result.ms };
  } catch (error) {
    notice = run.signal.aborted
      ? { text: 'Training cancelled; the previous model still answers.', error: false }
      : { text: errorText(error), error: true };
  } finally {
    training = null;
    trainButton.textContent = 'Train now';
    trainProgress.hidden = true;
    paintStatus();
    refreshStats();
  }
}

trainButton.addEventListener('click', () => {
  if (training) training.abort();
  else if (classifier) void train(classifier);
});

resetButton.addEventListener('click', () => {
  resetDialog.returnValue = '';
  resetDialog.showModal();
});

resetDialog.addEventListener('close', () => {
  if (resetDialog.returnValue !== 'reset' || !classifier) return;
  const handle = classifier;
  setNotice('Deleting…');
  void (async () => {
    try {
      await handle.reset();
      saveAdded([]);
      for (const item of messages.querySelectorAll('.message-added')) item.remove();
      updateReviewCount();
      lastRun = null;
      notice = null;
    } catch (error) {
      notice = { text: errorText(error), error: true };
    }
    paintStatus();
    refreshStats();
  })();
});

async function start(): Promise<void> {
  paintStatus();
  try {
    classifier = await createClassifier({ name: MODEL, labels: LABELS });
  } catch (error) {
    setNotice(`The model could not start: ${errorText(error)}`, true);
    return;
  }
  // 'change' covers every source of change: the tags on this page, background training, other tabs' handles.
  classifier.addEventListener('change', refreshStats);
  paintStatus();
  refreshStats();
}

void start();
