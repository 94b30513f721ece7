/** A request on its way: settled by the reply that names it, or rejected when the helper fails. */
interface Waiting<Answer> {
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The message plumbing shared by the engine's helper workers (the lookup helper, the encoder helpers): numbered
 * requests, each with a time-out after which the helper is taken for hung. A helper that errs, sends a message that
 * cannot be read, stays silent too long or is closed is ended for good, and every request still waiting rejects with
 * the reason, so the engine can do that work itself and no promise waits on a worker that will never answer. What
 * the messages say is the subclass's.
 */
export abstract class HelperWorker<Message, Reply, Answer> {
  private failure: Error | null = null;
  private next = 0;
  private readonly waiting = new Map<number, Waiting<Answer>>();

  /** `name` starts every error message, e.g. "The lookup helper worker". */
  constructor(
    protected readonly worker: Worker,
    protected readonly name: string,
  ) {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.fail(new Error(`${name} failed: ${event.message || 'script error'}`));
    });
    worker.addEventListener('messageerror', () => this.fail(new Error(`${name} sent a message that could not be read.`)));
    worker.addEventListener('message', (event: MessageEvent<Reply>) => this.receive(event.data));
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  dispose(): void {
    this.fail(new Error(`${this.name} was closed.`));
  }

  /** What the worker said, other than the answers `settle` is given. */
  protected abstract receive(reply: Reply): void;

  /** Called once when the helper is ended, after its worker is terminated and before waiting requests reject. */
  protected ended(): void {}

  /** Sends the message `build` makes for a new request number; `late` is the error if no answer comes in `timeoutMs`. */
  protected request(build: (request: number) => Message, timeoutMs: number, late: string): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const request = this.next++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(late)), timeoutMs);
      this.waiting.set(request, { resolve, reject, timer });
      this.send(build(request));
    });
  }

  /** Settles a request with its answer or its own error; a reply to a request no longer waiting is dropped. */
  protected settle(request: number, outcome: { answer: Answer } | { error: Error }): void {
    const waiting = this.waiting.get(request);
    if (!waiting) return;
    this.waiting.delete(request);
    clearTimeout(waiting.timer);
    if ('answer' in outcome) waiting.resolve(outcome.answer);
    else waiting.reject(outcome.error);
  }

  protected send(message: Message, transfer: Transferable[] = []): void {
    if (this.failure) return;
    try {
      this.worker.postMessage(message, transfer);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Ends the helper for good and rejects every waiting request with `error`. */
  protected fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.worker.terminate();
    this.ended();
    for (const { reject, timer } of this.waiting.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.waiting.clear();
  }
}
