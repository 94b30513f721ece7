// The area under a learning curve (accuracy against labels), one number per run to compare learners over every
// budget at once. The report and its tests share it; the page never needs it.

/**
 * Mean accuracy over the budgets on a log scale: trapezoids between consecutive budgets in log2(labels), divided by
 * log2(last / first). 1 is a perfect model at every budget, and each doubling of the labels weighs the same, so the
 * small budgets, where labels are scarce, count as much as the large ones. Null when a budget has no point (a run
 * that stopped early is not compared on a range it never reached) or fewer than two budgets are given.
 * @param {{ labels: number, accuracy: number }[]} points
 * @param {number[]} budgets ascending
 * @returns {number | null}
 */
export function curveArea(points, budgets) {
  if (budgets.length < 2) return null;
  const at = new Map(points.map((p) => [p.labels, p.accuracy]));
  if (!budgets.every((b) => at.has(b))) return null;
  let area = 0;
  for (let i = 1; i < budgets.length; i++) {
    const width = Math.log2(budgets[i] / budgets[i - 1]);
    area += (width * (at.get(budgets[i - 1]) + at.get(budgets[i]))) / 2;
  }
  return area / Math.log2(budgets.at(-1) / budgets[0]);
}

/**
 * The budgets every curve in `curves` reached, ascending: the common range on which their areas compare.
 * @param {{ labels: number }[][]} curves
 * @param {number[]} budgets
 */
export function commonBudgets(curves, budgets) {
  return budgets.filter((b) => curves.every((points) => points.some((p) => p.labels === b)));
}
