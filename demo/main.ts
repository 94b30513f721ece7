// The demo site: three tasks, each built the first time its tab opens (so a visitor who only reads the inbox never
// pays for the digit model), each with its review queue, its model panel and a simulated annotator.
import '../src/index.js';
import { loadDigits, loadIris, loadSpam } from './data.js';
import { buildDigits, digitsSimulation, DIGITS_MODEL } from './digits.js';
import { $, el, errorText } from './dom.js';
import { buildInbox, inboxSimulation, INBOX_MODEL } from './inbox.js';
import { buildIris, irisSimulation, IRIS_MODEL } from './iris.js';
import { buildReplies, buildReplySimulation } from './replies.js';
import { Simulation, type SimTask } from './simulation.js';

interface Task {
  model: string;
  labels: string;
  input: 'text' | 'image' | 'features';
  build: (main: HTMLElement) => Promise<SimTask>;
}

const TASKS: Record<string, Task> = {
  inbox: {
    model: INBOX_MODEL,
    labels: 'spam,ham',
    input: 'text',
    build: async (main) => {
      const data = await loadSpam();
      buildInbox(main, data);
      return inboxSimulation(data);
    },
  },
  digits: {
    model: DIGITS_MODEL,
    labels: '0,1,2,3,4,5,6,7,8,9',
    input: 'image',
    build: async (main) => {
      const data = await loadDigits();
      buildDigits(main, data);
      return digitsSimulation(data);
    },
  },
  iris: {
    model: IRIS_MODEL,
    labels: 'setosa,versicolor,virginica',
    input: 'features',
    build: async (main) => {
      const data = await loadIris();
      await buildIris(main, data);
      return irisSimulation(data);
    },
  },
};

/** The ranking task has no labels, queue or panel: the person compares, and its simulation is its own. */
async function buildRanking(section: HTMLElement): Promise<void> {
  const main = $<HTMLElement>('[data-part="main"]', section);
  try {
    await buildReplies(main);
    buildReplySimulation($<HTMLElement>('[data-part="sim"]', section));
    section.dataset.ready = 'true';
  } catch (error) {
    main.replaceChildren(el('p', { class: 'notice error', attrs: { role: 'alert' }, text: errorText(error) }));
  }
}

const built = new Set<string>();

/** The queue and the panel name the model's labels and input kind, so they work before any tag has opened it. */
function buildSide(side: HTMLElement, task: Task): void {
  const attrs = { model: task.model, labels: task.labels, input: task.input };
  side.append(
    el('h3', { class: 'side-heading', text: 'Review queue' }),
    el('p', {
      class: 'side-note',
      text:
        'Uncertain predictions wait here, most informative first. Keys: a accept · x reject · 1–9 pick · s skip · Backspace undo. ' +
        'The buttons under it open the second look (labels the model, trained without them, doubts) and the conflicts between annotators.',
    }),
    el('hitl-review-queue', { attrs: { ...attrs, annotator: 'you' } }),
    el('h3', { class: 'side-heading', text: 'Model' }),
    el('hitl-model-panel', { attrs: { ...attrs, window: 200 } }),
  );
}

async function buildTask(name: string): Promise<void> {
  if (name === 'replies') {
    if (!built.has(name)) {
      built.add(name);
      await buildRanking($<HTMLElement>('#task-replies'));
    }
    return;
  }
  const task = TASKS[name];
  if (!task || built.has(name)) return;
  built.add(name);
  const section = $<HTMLElement>(`#task-${name}`);
  const main = $<HTMLElement>('[data-part="main"]', section);
  const side = $<HTMLElement>('[data-part="side"]', section);
  const simSlot = $<HTMLElement>('[data-part="sim"]', section);
  buildSide(side, task);
  try {
    const sim = await task.build(main);
    simSlot.replaceChildren(new Simulation(sim).element);
    section.dataset.ready = 'true';
  } catch (error) {
    main.replaceChildren(el('p', { class: 'notice error', attrs: { role: 'alert' }, text: errorText(error) }));
  }
}

function show(): void {
  const requested = location.hash.slice(1);
  const name = requested in TASKS || requested === 'replies' ? requested : 'inbox';
  for (const key of [...Object.keys(TASKS), 'replies']) {
    $<HTMLElement>(`#task-${key}`).hidden = key !== name;
    const tab = $<HTMLAnchorElement>(`.tabs a[href="#${key}"]`);
    if (key === name) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  void buildTask(name);
}

window.addEventListener('hashchange', show);
show();
