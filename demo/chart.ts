// The learning-curve chart: accuracy on the held-out split against the labels given, one line per labelling order.
import { svg } from './dom.js';

export interface CurveSeries {
  name: string;
  /** CSS class giving the line its colour. */
  className: string;
  points: { labels: number; accuracy: number }[];
}

export interface CurveOptions {
  series: CurveSeries[];
  /** The last budget of the run: the x axis spans 0…xMax from the start, so the lines grow into a fixed frame. */
  xMax: number;
  /** Random order's final accuracy, drawn as a dashed reference line once known. */
  reference?: { accuracy: number; text: string } | undefined;
  /** Where active selection first reached the reference. */
  reached?: { labels: number; accuracy: number } | undefined;
  /** The x axis's title (default: labels given by the annotator). */
  xTitle?: string;
}

const M = { left: 62, right: 16, top: 14, bottom: 40 };

function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * power).find((step) => step >= raw) ?? raw;
}

/** Redraws the whole chart into `root` (an <svg>): a few dozen nodes, cheap next to a training run. */
export function drawCurve(root: SVGSVGElement, options: CurveOptions): void {
  // One unit per CSS pixel, so the text keeps its size on a phone instead of shrinking with the picture.
  const W = Math.max(280, Math.round(root.parentElement?.clientWidth || 640));
  const H = Math.round(Math.min(300, Math.max(220, W * 0.45)));
  const all = options.series.flatMap((series) => series.points.map((point) => point.accuracy));
  // The y axis starts at the nearest 10 % below the lowest point, so the rise is visible; the labels say where.
  const yMin = all.length === 0 ? 0 : Math.max(0, Math.floor(Math.min(...all) * 10 - 0.001) / 10);
  const x = (labels: number): number => M.left + (labels / Math.max(1, options.xMax)) * (W - M.left - M.right);
  const y = (accuracy: number): number => M.top + (1 - (accuracy - yMin) / Math.max(0.01, 1 - yMin)) * (H - M.top - M.bottom);

  root.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const nodes: SVGElement[] = [];
  const yStep = niceStep(1 - yMin, 5);
  for (let value = yMin; value <= 1.0001; value += yStep) {
    nodes.push(svg('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: y(value), y2: y(value) }));
    nodes.push(svg('text', { class: 'tick', x: M.left - 8, y: y(value) + 4, 'text-anchor': 'end' }, `${Math.round(value * 100)}%`));
  }
  const xStep = niceStep(options.xMax, 6);
  for (let value = 0; value <= options.xMax; value += xStep) {
    nodes.push(svg('line', { class: 'tick-mark', x1: x(value), x2: x(value), y1: H - M.bottom, y2: H - M.bottom + 5 }));
    nodes.push(svg('text', { class: 'tick', x: x(value), y: H - M.bottom + 18, 'text-anchor': 'middle' }, String(value)));
  }
  nodes.push(svg('line', { class: 'axis', x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }));
  nodes.push(
    svg(
      'text',
      { class: 'axis-title', x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle' },
      options.xTitle ?? 'labels given by the annotator',
    ),
  );
  const middle = (M.top + H - M.bottom) / 2;
  nodes.push(
    svg('text', { class: 'axis-title', x: 14, y: middle, 'text-anchor': 'middle', transform: `rotate(-90 14 ${middle})` }, 'held-out accuracy'),
  );

  if (options.reference) {
    const ry = y(options.reference.accuracy);
    nodes.push(svg('line', { class: 'reference', x1: M.left, x2: W - M.right, y1: ry, y2: ry }));
    // Top left, above the line: the curves start low on the left, so the label stays clear of them.
    nodes.push(svg('text', { class: 'reference-text', x: M.left + 8, y: ry - 7, 'text-anchor': 'start' }, options.reference.text));
  }
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const group = svg('g', { class: `series ${series.className}` });
    const path = series.points.map((point) => `${x(point.labels).toFixed(1)},${y(point.accuracy).toFixed(1)}`).join(' ');
    group.append(svg('polyline', { points: path }));
    for (const point of series.points) group.append(svg('circle', { cx: x(point.labels), cy: y(point.accuracy), r: 3.5 }));
    nodes.push(group);
  }
  if (options.reached) {
    const cx = x(options.reached.labels);
    const cy = y(options.reached.accuracy);
    nodes.push(svg('line', { class: 'reached', x1: cx, x2: cx, y1: cy, y2: H - M.bottom }));
    nodes.push(svg('circle', { class: 'reached-dot', cx, cy, r: 6 }));
  }
  root.replaceChildren(...nodes);
}
