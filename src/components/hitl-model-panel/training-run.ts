import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Classifier } from '../../classifier.js';
import type { EngineEvent, TrainResult } from '../../protocol.js';

/** Where a training run is: `epochs` is 0 until the first epoch reports. */
export interface TrainingProgress {
  epoch: number;
  epochs: number;
  loss: number | null;
}

/**
 * The panel's view of training: the run it started itself (cancelled on request, aborted when the panel leaves the
 * page), and the progress of any run of the model, wherever it was started.
 */
export class TrainingRun implements ReactiveController {
  /** The run on now, or null. */
  progress: TrainingProgress | null = null;

  readonly #host: ReactiveControllerHost;
  #own: AbortController | null = null;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** This panel started the run on now: its button cancels it. */
  get own(): boolean {
    return this.#own !== null;
  }

  hostDisconnected(): void {
    this.#own?.abort();
  }

  /** Trains now: the result, or null when cancelled; rejects when training fails. */
  async start(classifier: Classifier): Promise<TrainResult | null> {
    const run = new AbortController();
    this.#own = run;
    this.#show({ epoch: 0, epochs: 0, loss: null });
    try {
      return await classifier.train({ signal: run.signal, onProgress: ({ epoch, epochs, loss }) => this.#show({ epoch, epochs, loss }) });
    } catch (error) {
      if (run.signal.aborted) return null;
      throw error;
    } finally {
      this.#own = null;
      this.#show(null);
    }
  }

  cancel(): void {
    this.#own?.abort();
  }

  /** A run of the model started, progressed or ended, here or in another element or tab. */
  onEvent(event: EngineEvent): void {
    if (event.type === 'training-progress') this.#show({ epoch: event.epoch, epochs: event.epochs, loss: event.loss });
    else if (event.type === 'training' && event.running) this.#show(this.progress ?? { epoch: 0, epochs: 0, loss: null });
    else if (event.type === 'training') this.idle();
  }

  /** The model says no run is on: forget one not started here (one started here ends with its own call). */
  idle(): void {
    if (this.#own === null) this.#show(null);
  }

  #show(progress: TrainingProgress | null): void {
    this.progress = progress;
    this.#host.requestUpdate();
  }
}
