// The fourth task: rank candidate replies to a customer. A person compares two replies at a time in <hitl-compare>;
// the ranking beside it follows each choice. A simulated annotator, who prefers replies by a hidden value with
// Bradley–Terry noise, draws held-out pairwise accuracy against comparisons, informative pairs against random ones.
import { drawCurve, type CurveSeries } from './chart.js';
import { el, errorText, percent, seededRandom, svg } from './dom.js';
import type { Ranker } from '../src/ranker-entry.js';

export const REPLIES_MODEL = 'demo-replies';

/** Made-up reply parts and their hidden value to the customer (specific help up, brush-offs down). */
const PARTS: [string, number][] = [
  ['Thanks for reaching out.', 0.6],
  ['Sorry for the trouble.', 0.8],
  ['I have refunded the charge to your card.', 1.6],
  ['I reset your password and sent a new link.', 1.5],
  ['Your order ships tomorrow with tracking.', 1.4],
  ['I escalated this to the billing team.', 0.9],
  ['Here are the steps to fix it.', 1.0],
  ['Let me know if anything else comes up.', 0.5],
  ['Please read the FAQ.', -1.0],
  ['We cannot help with that.', -1.6],
  ['This is not our problem.', -2.0],
  ['Try again later.', -0.9],
  ['Ticket closed.', -1.2],
  ['I checked your account myself.', 1.1],
  ['I added a credit of ten dollars for the wait.', 1.3],
];

interface Reply {
  text: string;
  value: number;
}

/** Replies of 2–3 parts, distinct, in a fixed order for every visitor. */
function makeReplies(count: number, seed: number): Reply[] {
  const random = seededRandom(seed);
  const replies: Reply[] = [];
  const seen = new Set<string>();
  while (replies.length < count) {
    const parts = new Set<number>();
    const size = 2 + Math.floor(random() * 2);
    while (parts.size < size) parts.add(Math.floor(random() * PARTS.length));
    const order = [...parts].sort((a, b) => a - b);
    const text = order.map((k) => PARTS[k]![0]).join(' ');
    if (seen.has(text)) continue;
    seen.add(text);
    replies.push({ text, value: order.reduce((sum, k) => sum + PARTS[k]![1], 0) });
  }
  return replies;
}

async function openRanker(name: string, storage: 'indexeddb' | 'memory'): Promise<Ranker> {
  const { createRanker } = await import('../src/ranker-entry.js');
  return createRanker({ name, storage, autoTrain: storage === 'indexeddb' });
}

/** The person's part: <hitl-compare> over the pool, and the ranking it produces. */
export async function buildReplies(main: HTMLElement): Promise<Ranker> {
  const replies = makeReplies(40, 20251204);
  const ranker = await openRanker(REPLIES_MODEL, 'indexeddb');
  const compare = document.createElement('hitl-compare');
  compare.ranker = ranker;
  compare.annotator = 'you';
  compare.pool = replies.map((r) => r.text);
  const list = el('ol', { class: 'ranking' });
  const redraw = async () => {
    const ranked = await ranker.rank(replies.map((r) => r.text));
    list.replaceChildren(...ranked.slice(0, 10).map((item) => el('li', { text: replies[item.index]!.text })));
  };
  ranker.addEventListener('change', () => void redraw());
  await redraw();
  main.replaceChildren(
    el('p', { text: 'Which reply is better for the customer? Keys: ← or 1, → or 2, = for a tie, s to skip, Backspace to undo.' }),
    compare,
    el('h3', { class: 'side-heading', text: 'Best replies so far' }),
    list,
  );
  return ranker;
}

const CHECKPOINTS = [10, 20, 40, 60, 80, 120, 160, 200];

/** Held-out accuracy of `ranker` on pairs of the held-out replies, against what the simulated person said. */
async function accuracy(ranker: Ranker, held: Reply[], pairs: [number, number, 'a' | 'b'][]): Promise<number> {
  const scores = (await ranker.scoreBatch(held.map((r) => r.text))).map((s) => s.score);
  return pairs.filter(([i, j, said]) => (scores[i]! > scores[j]! ? 'a' : 'b') === said).length / pairs.length;
}

/** The simulated annotator: two rankers in memory, one asking informative pairs, one random ones. */
export function buildReplySimulation(slot: HTMLElement): void {
  const chart = svg('svg', { class: 'curve', role: 'img', 'aria-labelledby': 'replies-chart-title' });
  const status = el('p', { class: 'sim-note', attrs: { role: 'status' } });
  const button = el('button', { class: 'button', text: 'Run the simulated annotator', attrs: { type: 'button' } });
  slot.replaceChildren(
    el(
      'section',
      { class: 'sim', attrs: { 'aria-labelledby': 'replies-sim-heading' } },
      el('h3', { text: 'Simulated annotator', attrs: { id: 'replies-sim-heading' } }),
      el('p', {
        text:
          'Someone who prefers replies by a hidden value, with Bradley–Terry noise, compares 200 pairs twice: pairs chosen by the ranker ' +
          '(informative) and pairs chosen at random. The lines are the share of 500 held-out pairs each ranker gets right.',
      }),
      button,
      status,
      el(
        'figure',
        { class: 'sim-chart' },
        chart,
        el('figcaption', { text: 'Held-out pairwise accuracy by comparisons', attrs: { id: 'replies-chart-title' } }),
      ),
    ),
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    void simulate(chart, status)
      .catch((error: unknown) => (status.textContent = errorText(error)))
      .finally(() => (button.disabled = false));
  });
}

async function simulate(chart: SVGSVGElement, status: HTMLElement): Promise<void> {
  const all = makeReplies(240, 7);
  const pool = all.slice(0, 160);
  const held = all.slice(160);
  const random = seededRandom(11);
  const judge = (a: Reply, b: Reply): 'a' | 'b' => (random() < 1 / (1 + Math.exp(b.value - a.value)) ? 'a' : 'b');
  const pairs: [number, number, 'a' | 'b'][] = [];
  while (pairs.length < 500) {
    const i = Math.floor(random() * held.length);
    const j = Math.floor(random() * held.length);
    if (i !== j) pairs.push([i, j, judge(held[i]!, held[j]!)]);
  }
  const series: CurveSeries[] = [
    { name: 'random pairs', className: 'series-random', points: [] },
    { name: 'informative pairs', className: 'series-active', points: [] },
  ];
  for (const [k, strategy] of (['random', 'informative'] as const).entries()) {
    const ranker = await openRanker(`demo-replies-sim-${strategy}-${Date.now()}`, 'memory');
    try {
      let made = 0;
      for (const target of CHECKPOINTS) {
        while (made < target) {
          const chosen = await ranker.selectPairs(
            pool.map((r) => r.text),
            Math.min(5, target - made),
            { strategy, seed: made + 1 },
          );
          for (const [i, j] of chosen) {
            await ranker.compare(pool[i]!.text, pool[j]!.text, judge(pool[i]!, pool[j]!));
            made += 1;
          }
        }
        await ranker.train();
        series[k]!.points.push({ labels: made, accuracy: await accuracy(ranker, held, pairs) });
        status.textContent = `${series[k]!.name}: ${made} comparisons, ${percent(series[k]!.points.at(-1)!.accuracy)} of held-out pairs right`;
        drawCurve(chart, { xMax: CHECKPOINTS.at(-1)!, series, xTitle: 'comparisons by the annotator' });
      }
    } finally {
      await ranker.close();
    }
  }
}
