// The simulated annotator: the dataset's true labels play the person. Two models learn side by side on the same
// pool — one is asked for the items it is least sure about, no two alike, and one in ten at random (selectForReview), the other gets them in random order —
// and after every round both are scored on a held-out split nobody labels. Memory-only models under their own names,
// so the hand-labelled models of the page never see a simulated label.
import { createClassifier, type Classifier, type ClassifierInput, type InputKind } from '../src/index.js';
import { drawCurve } from './chart.js';
import { el, errorText, percent, seededRandom, shuffled, svg } from './dom.js';

export interface SimItem {
  input: ClassifierInput;
  label: string;
  /** How the status line names the item ("'Re: meeting' → ham"). */
  caption: string;
}

export interface SimTask {
  /** Part of the model names and test ids: `demo-sim-<id>-active`. */
  id: string;
  plural: string;
  labels: string[];
  input: InputKind;
  pool: SimItem[];
  test: SimItem[];
  /** Label counts at which both models are trained and scored; the first is the shared random seed. */
  budgets: number[];
  /** selectForReview featurizes every item it is offered on every call: offer a sample of at most this many. */
  candidates: number;
  seed: number;
}

/** The default threshold of every model on the page: at or above it a prediction is accepted without review. */
const THRESHOLD = 0.8;

interface Point {
  labels: number;
  accuracy: number;
  /** Held-out predictions at or above the threshold, and how many of those were right. */
  auto: number;
  autoRight: number;
}

type ArmKind = 'active' | 'random';

interface Arm {
  kind: ArmKind;
  name: string;
  classifier: Classifier | null;
  labelled: Set<number>;
  points: Point[];
}

type State = 'ready' | 'running' | 'pausing' | 'paused' | 'done' | 'resetting' | 'error';

export class Simulation {
  readonly element: HTMLElement;
  readonly #task: SimTask;
  readonly #order: number[];
  readonly #random: () => number;
  readonly #arms: Record<ArmKind, Arm>;
  #state: State = 'ready';
  #loop: Promise<void> | null = null;
  #message = '';
  #lastAnswer = '';

  readonly #start = el('button', { class: 'button primary', text: 'Start', attrs: { type: 'button', 'data-testid': 'sim-start' } });
  readonly #pause = el('button', { class: 'button', text: 'Pause', attrs: { type: 'button', 'data-testid': 'sim-pause' } });
  readonly #reset = el('button', { class: 'button quiet', text: 'Reset', attrs: { type: 'button', 'data-testid': 'sim-reset' } });
  readonly #status = el('p', { class: 'sim-status', attrs: { role: 'status', 'data-testid': 'sim-status' } });
  readonly #answer = el('p', { class: 'sim-answer', attrs: { 'data-testid': 'sim-answer' } });
  readonly #chart = svg('svg', { class: 'curve', role: 'img', 'aria-labelledby': '' });
  readonly #figures = {
    active: el('dd', { attrs: { 'data-testid': 'sim-active' } }),
    random: el('dd', { attrs: { 'data-testid': 'sim-random' } }),
    saved: el('dd', { attrs: { 'data-testid': 'sim-saved' } }),
    auto: el('dd', { attrs: { 'data-testid': 'sim-auto' } }),
  };
  readonly #table = el('tbody');

  constructor(task: SimTask) {
    this.#task = task;
    const random = seededRandom(task.seed);
    this.#order = shuffled(task.pool.length, random);
    this.#random = random;
    const arm = (kind: ArmKind, name: string): Arm => ({ kind, name, classifier: null, labelled: new Set(), points: [] });
    this.#arms = { active: arm('active', 'Active selection'), random: arm('random', 'Random order') };
    this.element = this.#build();
    this.#start.addEventListener('click', () => {
      if (this.#state === 'done') void this.reset().then(() => this.start());
      else this.start();
    });
    this.#pause.addEventListener('click', () => this.pause());
    this.#reset.addEventListener('click', () => void this.reset());
    // The chart is drawn at its real width (see drawCurve): draw again when that changes.
    let width = 0;
    new ResizeObserver(([entry]) => {
      const next = Math.round(entry?.contentRect.width ?? 0);
      if (next > 0 && next !== width) {
        width = next;
        this.#render();
      }
    }).observe(this.#chart.parentElement!);
    this.#render();
  }

  #build(): HTMLElement {
    const { id, plural, pool, test } = this.#task;
    const headingId = `sim-${id}-heading`;
    const chartTitle = `sim-${id}-chart-title`;
    this.#chart.setAttribute('aria-labelledby', chartTitle);
    const legend = el(
      'ul',
      { class: 'legend', attrs: { 'aria-hidden': 'true' } },
      el('li', { class: 'legend-active', text: 'Active selection (the model asks)' }),
      el('li', { class: 'legend-random', text: 'Random order' }),
      el('li', { class: 'legend-reference', text: "Random's latest accuracy" }),
    );
    const figure = (term: string, value: HTMLElement): HTMLElement => el('div', {}, el('dt', { text: term }), value);
    return el(
      'section',
      { class: 'card sim', attrs: { 'aria-labelledby': headingId, 'data-testid': `sim-${id}` } },
      el(
        'div',
        { class: 'sim-head' },
        el('h3', { text: 'Simulated annotator', attrs: { id: headingId } }),
        el('p', {
          class: 'sim-intro',
          text:
            `The dataset's true labels play the person. Two fresh models learn from the same ${pool.length} ${plural}: ` +
            'one asks for the items it is least sure about, no two alike, plus one in ten at random (selectForReview), the other is given them in random order. ' +
            `After each round both retrain and are scored on ${test.length} held-out ${plural} nobody labels. ` +
            'These models live in memory only: your own labels above are not touched.',
        }),
      ),
      el('div', { class: 'sim-controls' }, this.#start, this.#pause, this.#reset, this.#status),
      el(
        'div',
        { class: 'sim-body' },
        el(
          'figure',
          { class: 'sim-chart' },
          this.#chart,
          el(
            'figcaption',
            {},
            el('span', {
              class: 'visually-hidden',
              text: `Learning curve: accuracy on held-out ${plural} against labels given`,
              attrs: { id: chartTitle },
            }),
            legend,
          ),
        ),
        el(
          'dl',
          { class: 'sim-figures' },
          figure('Active selection', this.#figures.active),
          figure('Random order', this.#figures.random),
          figure('Labels not needed', this.#figures.saved),
          figure(`Auto-accepted (≥ ${Math.round(THRESHOLD * 100)} % sure)`, this.#figures.auto),
        ),
      ),
      this.#answer,
      el(
        'details',
        { class: 'sim-details' },
        el('summary', { text: 'Every point of the curve' }),
        el(
          'div',
          { class: 'table-scroll' },
          el(
            'table',
            { class: 'data-table', attrs: { 'data-testid': 'sim-table' } },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el('th', { text: 'Labels', attrs: { scope: 'col' } }),
                el('th', { text: 'Active selection', attrs: { scope: 'col' } }),
                el('th', { text: 'Random order', attrs: { scope: 'col' } }),
              ),
            ),
            this.#table,
          ),
        ),
      ),
    );
  }

  get state(): State {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'ready' && this.#state !== 'paused') return;
    this.#state = 'running';
    this.#message = '';
    this.#loop = this.#run();
    this.#render();
  }

  /** The round in progress finishes first: a half-labelled round would skew the curve. */
  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'pausing';
    this.#render();
  }

  async reset(): Promise<void> {
    if (this.#state === 'resetting') return;
    this.#state = 'resetting';
    this.#render();
    await this.#loop;
    try {
      for (const arm of Object.values(this.#arms)) {
        await arm.classifier?.reset();
        arm.labelled.clear();
        arm.points = [];
      }
      this.#state = 'ready';
      this.#message = '';
    } catch (error) {
      this.#state = 'error';
      this.#message = `Reset failed: ${errorText(error)}`;
    }
    this.#lastAnswer = '';
    this.#render();
  }

  async #run(): Promise<void> {
    try {
      for (const arm of Object.values(this.#arms)) {
        arm.classifier ??= await createClassifier({
          name: `demo-sim-${this.#task.id}-${arm.kind}`,
          labels: this.#task.labels,
          input: this.#task.input,
          storage: 'memory',
          threshold: THRESHOLD,
          // The loop trains after each round itself, so both models are scored at exactly the same label counts.
          autoTrain: false,
        });
      }
      for (let arm = this.#nextArm(); this.#state === 'running' && arm; arm = this.#nextArm()) {
        await this.#round(arm);
        this.#render();
      }
      // A pause asked for during the last round finds nothing left to pause.
      if (this.#state === 'running' || this.#state === 'pausing') this.#state = this.#nextArm() ? 'paused' : 'done';
    } catch (error) {
      this.#state = 'error';
      this.#message = `The simulation stopped: ${errorText(error)}`;
    } finally {
      this.#loop = null;
      this.#render();
    }
  }

  /** Random order first, then active, budget by budget, so both lines grow together. */
  #nextArm(): Arm | null {
    const { random, active } = this.#arms;
    const budgets = this.#task.budgets.length;
    if (random.points.length <= active.points.length && random.points.length < budgets) return random;
    return active.points.length < budgets ? active : null;
  }

  async #round(arm: Arm): Promise<void> {
    const classifier = arm.classifier!;
    const { pool, test, budgets, plural } = this.#task;
    const target = Math.min(pool.length, budgets[arm.points.length]!);
    const need = target - arm.labelled.size;
    const unlabelled = this.#order.filter((i) => !arm.labelled.has(i));
    let picks: number[];
    // Both models start from the same random seed labels: the curves part only where selection starts to matter.
    if (arm.kind === 'random' || arm.points.length === 0) {
      picks = unlabelled.slice(0, need);
    } else {
      this.#message = `Active selection: the model picks the ${need} ${plural} it is least sure about, no two alike, one in ten at random…`;
      this.#render();
      const offered =
        unlabelled.length > this.#task.candidates
          ? shuffled(unlabelled.length, this.#random)
              .slice(0, this.#task.candidates)
              .map((k) => unlabelled[k]!)
          : unlabelled;
      const chosen = await classifier.selectForReview(
        offered.map((i) => pool[i]!.input),
        need,
      );
      picks = chosen.map((k) => offered[k]!);
    }
    this.#message = `${arm.name}: the annotator labels ${picks.length} ${plural}…`;
    this.#render();
    for (const i of picks) {
      const item = pool[i]!;
      await classifier.label(item.input, item.label, { annotator: 'simulated annotator' });
      arm.labelled.add(i);
      this.#lastAnswer = `${arm.name}: ${item.caption} → ${item.label}`;
    }
    const classes = new Set([...arm.labelled].map((i) => pool[i]!.label));
    if (classes.size >= 2) {
      this.#message = `${arm.name}: training on ${arm.labelled.size} labels…`;
      this.#render();
      await classifier.train();
    }
    const predictions = await classifier.predictBatch(test.map((item) => item.input));
    let right = 0;
    let auto = 0;
    let autoRight = 0;
    predictions.forEach((prediction, k) => {
      const correct = prediction.label === test[k]!.label;
      if (correct) right += 1;
      if (prediction.label !== null && prediction.confidence >= THRESHOLD) {
        auto += 1;
        if (correct) autoRight += 1;
      }
    });
    arm.points.push({ labels: arm.labelled.size, accuracy: right / test.length, auto, autoRight });
    this.#message = '';
  }

  /**
   * Random order's accuracy at the largest budget both runs have reached, and the fewest labels with which active
   * selection did as well (null: not yet).
   */
  #savings(): { randomLabels: number; accuracy: number; activeLabels: number | null; randomFirst: number } | null {
    const { active, random } = this.#arms;
    const reference = random.points[Math.min(active.points.length, random.points.length) - 1];
    if (!reference) return null;
    const reached = active.points.find((point) => point.accuracy >= reference.accuracy);
    // Random order's curve is not monotone: say when it had already been as good with fewer labels.
    const randomFirst = random.points.find((point) => point.accuracy >= reference.accuracy)!.labels;
    return { randomLabels: reference.labels, accuracy: reference.accuracy, activeLabels: reached?.labels ?? null, randomFirst };
  }

  #render(): void {
    const { active, random } = this.#arms;
    const state = this.#state;
    const busy = state === 'running' || state === 'pausing' || state === 'resetting';
    this.#start.textContent = state === 'paused' ? 'Resume' : state === 'done' ? 'Run again' : 'Start';
    this.#start.disabled = !(state === 'ready' || state === 'paused' || state === 'done');
    this.#pause.disabled = state !== 'running';
    this.#reset.disabled = state === 'resetting' || (state === 'ready' && active.points.length + random.points.length === 0);
    this.element.dataset.state = state;
    this.element.setAttribute('aria-busy', String(busy));

    const budgets = this.#task.budgets;
    const total = budgets.length * 2;
    const done = active.points.length + random.points.length;
    const progress = `${done} of ${total} rounds`;
    const status: Record<State, string> = {
      ready: `Ready: ${this.#task.pool.length} ${this.#task.plural} to label, up to ${budgets.at(-1)} labels per model.`,
      running: this.#message || `Running · ${progress}`,
      pausing: 'Pausing after this round…',
      paused: `Paused · ${progress}`,
      done: `Done · ${progress}`,
      resetting: 'Resetting…',
      error: this.#message,
    };
    this.#status.textContent = status[state];
    this.#status.classList.toggle('error', state === 'error');
    this.#answer.textContent = this.#lastAnswer ? `Last answer · ${this.#lastAnswer}` : '';
    this.#answer.hidden = this.#lastAnswer === '';

    const describe = (arm: Arm): string => {
      const last = arm.points.at(-1);
      return last ? `${percent(last.accuracy)} with ${last.labels} labels` : '–';
    };
    this.#figures.active.textContent = describe(active);
    this.#figures.random.textContent = describe(random);

    const savings = this.#savings();
    if (!savings) {
      this.#figures.saved.textContent = '–';
    } else if (savings.activeLabels === null) {
      this.#figures.saved.textContent = `Not yet: active has not reached random's ${percent(savings.accuracy)} at ${savings.randomLabels} labels`;
    } else {
      const saved = savings.randomLabels - savings.activeLabels;
      const earlier = savings.randomFirst < savings.randomLabels ? ` (random first got there at ${savings.randomFirst})` : '';
      this.#figures.saved.textContent =
        saved > 0
          ? `${saved} of ${savings.randomLabels} (${Math.round((saved / savings.randomLabels) * 100)} %): active reached random's ${percent(savings.accuracy)} with ${savings.activeLabels} labels${earlier}`
          : `None yet: both need ${savings.randomLabels} labels for ${percent(savings.accuracy)}`;
    }
    const lastActive = active.points.at(-1);
    this.#figures.auto.textContent = lastActive
      ? `${lastActive.auto} of ${this.#task.test.length} held-out predictions (${Math.round((lastActive.auto / this.#task.test.length) * 100)} %), ` +
        (lastActive.auto > 0 ? `right ${percent(lastActive.autoRight / lastActive.auto)} of the time` : 'none to check yet')
      : '–';

    drawCurve(this.#chart, {
      xMax: budgets.at(-1) ?? 1,
      series: [
        { name: random.name, className: 'series-random', points: random.points },
        { name: active.name, className: 'series-active', points: active.points },
      ],
      reference:
        savings && active.points.length > 1
          ? { accuracy: savings.accuracy, text: `random: ${percent(savings.accuracy)} at ${savings.randomLabels} labels` }
          : undefined,
      reached:
        savings?.activeLabels != null && active.points.length > 1
          ? { labels: savings.activeLabels, accuracy: active.points.find((p) => p.labels === savings.activeLabels)!.accuracy }
          : undefined,
    });

    const rows = budgets.slice(0, Math.max(active.points.length, random.points.length)).map((_, k) => {
      const cell = (point: Point | undefined): HTMLTableCellElement => el('td', { text: point ? percent(point.accuracy) : '–' });
      const labels = random.points[k]?.labels ?? active.points[k]?.labels ?? 0;
      return el('tr', {}, el('th', { text: String(labels), attrs: { scope: 'row' } }), cell(active.points[k]), cell(random.points[k]));
    });
    this.#table.replaceChildren(...rows);
  }
}
