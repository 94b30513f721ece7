/**
 * "Only the latest call counts", settled once (as Lit's Task does, without its weight on the main thread): one run of
 * `work` in flight and, however many requests arrive meanwhile, one more run after it, which reads the state as it
 * is by then. The run in flight is never dropped for a newer request: its answer is shown, and the run behind it
 * brings the newest. `work` handles its own errors; one it throws ends the runs and rejects the requests waiting.
 */
export class LatestCall {
  readonly #work: () => Promise<void>;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(work: () => Promise<void>) {
    this.#work = work;
  }

  /** Runs `work` now, or once more after the run in flight; resolves when a run begun after this request has ended. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop();
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#work();
      } while (this.#again);
    } finally {
      this.#running = null;
    }
  }
}
