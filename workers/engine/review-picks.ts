/**
 * The inputs `selectForReview` offered for their uncertainty (or, in cold start, their typicality), by input id,
 * until a label for them arrives: that label is stored as picked (ExampleRecord.picked). Labels picked that way are
 * harder than the inputs the model will answer, so calibration holds out the other labels when there are enough
 * (learning/calibrate.ts). A review batch's random picks are not remembered: their labels are a fair sample.
 */
export class ReviewPicks {
  private readonly ids = new Set<string>();

  /**
   * Offers not labelled after this many newer ones are forgotten, so a page that ranks large pools for years keeps
   * a bounded set; their labels, should they come, count as not picked.
   */
  constructor(private readonly capacity = 20_000) {}

  offer(ids: Iterable<string>): void {
    for (const id of ids) {
      // Re-inserted at the end, so the oldest offers are the ones forgotten.
      this.ids.delete(id);
      this.ids.add(id);
    }
    for (const id of this.ids) {
      if (this.ids.size <= this.capacity) break;
      this.ids.delete(id);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  clear(): void {
    this.ids.clear();
  }
}
