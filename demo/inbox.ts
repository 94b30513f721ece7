// Task 1, inbox triage: each e-mail sits in a <hitl-classifier> (spam / ham), with the review queue and the model
// panel of the same model beside the list — the way a webmail would embed the widget.
import type { HitlClassifier } from '../src/index.js';
import type { Email, SpamData } from './data.js';
import { el, pager } from './dom.js';
import type { SimTask } from './simulation.js';

export const INBOX_MODEL = 'demo-inbox';
const PAGE_SIZE = 12;
/** Held out from the simulated annotator's pool and never labelled there: its test split. */
const TEST_SIZE = 100;

const dateFormat = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric' });

/** What the model reads: the subject and the body, as the tag's own text content. */
export function emailText(email: Email): string {
  return `${email.subject}\n${email.body}`;
}

function emailRow(email: Email, index: number, mode: Mode): HTMLLIElement {
  const tag = el('hitl-classifier', {
    attrs: { model: INBOX_MODEL, labels: 'spam,ham', annotator: 'you', mode, 'data-index': index },
  });
  // Subject and body as separate nodes for styling; a newline between them keeps the words apart in the text.
  tag.append(el('strong', { class: 'mail-subject', text: email.subject }), '\n', el('span', { class: 'mail-body', text: email.body }));
  const date = email.date ? new Date(email.date) : null;
  return el(
    'li',
    { class: 'mail' },
    el(
      'p',
      { class: 'mail-meta' },
      el('span', { class: 'mail-from', text: email.from }),
      date ? el('time', { text: dateFormat.format(date), attrs: { datetime: email.date ?? '' } }) : null,
    ),
    tag,
  );
}

type Mode = 'suggest' | 'review' | 'silent';

const MODES: { mode: Mode; text: string }[] = [
  { mode: 'suggest', text: 'Always suggest' },
  { mode: 'review', text: 'Ask only when unsure' },
  { mode: 'silent', text: 'Silent' },
];

/** The tags' `mode`, for every e-mail on the page: what a site would set once for its whole inbox. */
function modePicker(onChange: (mode: Mode) => void): HTMLElement {
  const options = MODES.map(({ mode, text }) => {
    const input = el('input', { attrs: { type: 'radio', name: 'inbox-mode', value: mode, checked: mode === 'suggest' } });
    input.addEventListener('change', () => {
      if (input.checked) onChange(mode);
    });
    return el('label', { class: 'segment' }, input, el('span', { text }));
  });
  return el('fieldset', { class: 'segments' }, el('legend', { class: 'visually-hidden', text: 'How the tags show their predictions' }), ...options);
}

/**
 * A form field classified as it is typed (`for=`), and a form-associated tag (`name=`): its label is submitted with
 * the form like any other field.
 */
function composeCard(): HTMLElement {
  const field = el('textarea', {
    attrs: {
      id: 'inbox-compose',
      name: 'message',
      rows: 3,
      maxlength: 2000,
      placeholder: 'e.g. Congratulations! You have been selected for a free cruise…',
    },
  });
  const tag = el('hitl-classifier', {
    attrs: {
      model: INBOX_MODEL,
      labels: 'spam,ham',
      for: 'inbox-compose',
      name: 'folder',
      annotator: 'you',
      explain: true,
      'data-testid': 'compose-classifier',
    },
  });
  const result = el('p', { class: 'compose-result', attrs: { 'aria-live': 'polite', 'data-testid': 'compose-result' } });
  const form = el(
    'form',
    { class: 'card compose' },
    el('label', { class: 'compose-label', text: 'Write an e-mail and watch it being classified as you type', attrs: { for: 'inbox-compose' } }),
    field,
    tag,
    el('div', { class: 'compose-actions' }, el('button', { class: 'button', text: 'File it', attrs: { type: 'submit' } }), result),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // What a server would receive: the tag submits its label under its name, next to the text.
    const folder = new FormData(form).get('folder');
    result.textContent =
      typeof folder === 'string' ? `The form would send folder = “${folder}” with the message.` : 'Nothing to send yet: type a message first.';
  });
  return form;
}

export function buildInbox(root: HTMLElement, data: SpamData): void {
  const list = el('ol', { class: 'mail-list', attrs: { 'aria-label': 'E-mails' } });
  let mode: Mode = 'suggest';
  const count = el('p', { class: 'list-count', attrs: { 'aria-live': 'polite', 'data-testid': 'inbox-count' } });
  const items = data.items;
  const pages = pager({
    total: items.length,
    size: PAGE_SIZE,
    noun: 'e-mails',
    show: (page) => {
      const from = page * PAGE_SIZE;
      list.replaceChildren(...items.slice(from, from + PAGE_SIZE).map((email, k) => emailRow(email, from + k, mode)));
      updateCount();
    },
  });
  function updateCount(): void {
    const tags = [...list.querySelectorAll<HitlClassifier>('hitl-classifier')];
    const waiting = tags.filter((tag) => tag.prediction === null).length;
    const unsure = tags.filter((tag) => tag.state === 'needs-review' || tag.state === 'no-model').length;
    const labelled = tags.filter((tag) => tag.state === 'labelled').length;
    count.textContent =
      waiting > 0 ? `Classifying ${waiting} of ${tags.length}…` : `On this page: ${labelled} labelled by you · ${unsure} need a look`;
  }
  list.addEventListener('hitl-prediction', updateCount);
  list.addEventListener('hitl-label', updateCount);
  list.addEventListener('hitl-undo', updateCount);
  const picker = modePicker((next) => {
    mode = next;
    for (const tag of list.querySelectorAll('hitl-classifier')) tag.setAttribute('mode', next);
  });
  root.append(composeCard(), el('div', { class: 'list-head' }, count, picker), list, pages.element);
  pages.go(0);
}

export function inboxSimulation(data: SpamData): SimTask {
  const items = data.items.map((email) => ({ input: emailText(email), label: email.label, caption: `“${email.subject.slice(0, 60)}”` }));
  return {
    id: 'inbox',
    plural: 'e-mails',
    labels: data.labels,
    input: 'text',
    test: items.slice(0, TEST_SIZE),
    pool: items.slice(TEST_SIZE),
    budgets: [6, 10, 15, 20, 30, 40, 50, 60, 80, 100],
    candidates: 200,
    seed: 11,
  };
}
