import * as Comlink from 'comlink';
import type { EngineApi, EngineEvent } from './protocol.js';

/** Thrown (as the rejection of every pending call) when the engine worker dies or stops answering. */
export class EngineCrashedError extends Error {
  override name = 'EngineCrashedError';
}

/** What Comlink's default `throw` serializer sends (the worker keeps that one): an Error's name, message and stack. */
type SerializedThrow = { isError: true; value: { name: string; message: string; stack?: string } } | { isError: false; value: unknown };

/** The names a DOMException can carry (WebIDL's error names table); `SyntaxError` is left to the JavaScript class. */
const DOMEXCEPTION_NAMES = new Set([
  'IndexSizeError',
  'HierarchyRequestError',
  'WrongDocumentError',
  'InvalidCharacterError',
  'NoModificationAllowedError',
  'NotFoundError',
  'NotSupportedError',
  'InUseAttributeError',
  'InvalidStateError',
  'InvalidModificationError',
  'NamespaceError',
  'InvalidAccessError',
  'TypeMismatchError',
  'SecurityError',
  'NetworkError',
  'AbortError',
  'URLMismatchError',
  'QuotaExceededError',
  'TimeoutError',
  'InvalidNodeTypeError',
  'DataCloneError',
  'EncodingError',
  'NotReadableError',
  'UnknownError',
  'ConstraintError',
  'DataError',
  'TransactionInactiveError',
  'ReadOnlyError',
  'VersionError',
  'OperationError',
  'NotAllowedError',
  'OptOutError',
]);

const JS_ERRORS: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Only name, message and stack cross the worker boundary: this gives the caller back the class it can test for
 * (`instanceof TypeError`, `instanceof DOMException` with `name === 'AbortError'`), with the worker's stack where
 * the class lets it be set. Other names come back as an `Error` carrying that name, as Comlink's default does.
 */
function rebuildError({ name, message, stack }: { name: string; message: string; stack?: string }): Error {
  const Native = Object.hasOwn(JS_ERRORS, name) ? JS_ERRORS[name] : undefined;
  const error = Native
    ? new Native(message)
    : DOMEXCEPTION_NAMES.has(name)
      ? new DOMException(message, name)
      : Object.assign(new Error(message), { name });
  if (stack !== undefined) {
    try {
      Object.defineProperty(error, 'stack', { value: stack, writable: true, configurable: true });
    } catch {
      // A browser that will not let it be replaced: the page's own stack is still a stack.
    }
  }
  return error;
}

// One place decides how errors cross from the worker; every call gets them back already rebuilt. The serializer
// stays Comlink's, so the worker needs no handler of its own and the wire format is the default one.
const defaultThrow = Comlink.transferHandlers.get('throw')!;
Comlink.transferHandlers.set('throw', {
  canHandle: defaultThrow.canHandle,
  serialize: defaultThrow.serialize,
  deserialize(serialized: unknown): never {
    const thrown = serialized as SerializedThrow;
    throw thrown.isError ? rebuildError(thrown.value) : thrown.value;
  },
} satisfies Comlink.TransferHandler<unknown, unknown>);

export interface EngineClientOptions {
  /** A worker that answers nothing for this long while calls are pending is declared hung and replaced. */
  hangTimeoutMs: number;
  /** How often a pending call checks that the worker is still alive. */
  heartbeatMs: number;
}

const defaults: EngineClientOptions = { hangTimeoutMs: 20_000, heartbeatMs: 1_000 };

/**
 * Users are told of a crash (and predict again, starting a fresh worker) at most this often: an input that kills
 * every worker it reaches must not restart workers in a loop.
 */
const CRASH_NOTICE_INTERVAL_MS = 30_000;

type Pending = (error: Error) => void;

/**
 * One engine worker, shared by every classifier and element of the page.
 * Comlink never settles a call on a dead worker (comlink issue 601), so every call here races
 * against the worker's death: an `error` event before it ever answered, or silence past the hang timeout.
 */
class EngineConnection {
  readonly worker: Worker;
  readonly api: Comlink.Remote<EngineApi>;
  readonly listeners = new Set<(event: EngineEvent) => void>();
  dead: Error | null = null;
  private readonly pending = new Set<Pending>();
  private lastAlive = performance.now();
  private answeredOnce = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly subscribed: Promise<void>;

  constructor(
    private readonly settings: () => EngineClientOptions,
    private readonly onDeath: (c: EngineConnection) => void,
  ) {
    this.worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'hitl-classifier-engine',
    });
    this.worker.addEventListener('error', (event) => {
      // After the first answer, an error event is an uncaught exception in a background task: the worker lives on.
      if (!this.answeredOnce) {
        event.preventDefault();
        this.kill(new EngineCrashedError(`The hitl-classifier engine worker failed to start: ${event.message || 'script error'}`));
      }
    });
    this.worker.addEventListener('messageerror', () => {
      this.kill(new EngineCrashedError('The hitl-classifier engine worker sent a message that could not be read.'));
    });
    this.api = Comlink.wrap<EngineApi>(this.worker);
    this.subscribed = this.call((api) => api.subscribe(Comlink.proxy((event: EngineEvent) => this.listeners.forEach((listener) => listener(event)))));
    this.subscribed.catch(() => undefined);
  }

  /** Runs one remote call; must reject (never hang) if the worker dies before answering. */
  call<T>(run: (api: Comlink.Remote<EngineApi>) => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<T>((resolve, reject) => {
      const fail: Pending = (error) => reject(error);
      this.pending.add(fail);
      this.startHeartbeat();
      run(this.api).then(
        (value) => {
          this.alive();
          this.pending.delete(fail);
          resolve(value);
        },
        (error: unknown) => {
          this.alive();
          this.pending.delete(fail);
          reject(error);
        },
      );
    });
  }

  private alive(): void {
    this.answeredOnce = true;
    this.lastAlive = performance.now();
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.lastAlive = performance.now();
    let lastTick = this.lastAlive;
    this.heartbeat = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        return;
      }
      const now = performance.now();
      const { heartbeatMs, hangTimeoutMs } = this.settings();
      // A tick this late means the page itself did not run (a long task of the site's own, a tab in the background):
      // the worker's answers may be waiting unread behind this tick, so its silence since the last tick says nothing
      // about it. Silence counts from the first tick the page could have heard it (the worker is pinged again here).
      if (now - lastTick > 2 * heartbeatMs + 1_000) this.lastAlive = Math.max(this.lastAlive, now);
      lastTick = now;
      if (now - this.lastAlive > hangTimeoutMs) {
        this.kill(
          new EngineCrashedError(
            `The hitl-classifier engine worker stopped answering for ${formatMs(this.settings().hangTimeoutMs)}; ` +
              'it was restarted, please retry.',
          ),
        );
        return;
      }
      // A ping is answered between training steps, so a busy but healthy worker keeps proving it is alive.
      this.api.ping().then(
        () => this.alive(),
        () => undefined,
      );
    }, this.settings().heartbeatMs);
  }

  /** Applies new timing settings to a heartbeat already running (its period was fixed when it started). */
  retune(): void {
    if (this.heartbeat === undefined) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.pending.size > 0) this.startHeartbeat();
  }

  kill(reason: Error): void {
    if (this.dead) return;
    this.dead = reason;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    // No releaseProxy: it posts to the dead worker and waits for an answer that never comes.
    this.worker.terminate();
    for (const fail of this.pending) fail(reason);
    this.pending.clear();
    this.onDeath(this);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

/**
 * The page's engine: starts the worker on first use, restarts it after a crash, and ends it when
 * the last user releases it. `generation` changes with every new worker so users know to reopen models.
 */
class Engine {
  private connection: EngineConnection | null = null;
  private users = 0;
  private options: EngineClientOptions = { ...defaults };
  generation = 0;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly crashListeners = new Set<(reason: Error) => void>();
  private lastCrashNotice = -Infinity;

  configure(options: Partial<EngineClientOptions>): void {
    this.options = { ...this.options, ...options };
    this.connection?.retune();
  }

  acquire(): void {
    this.users += 1;
  }

  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0 && this.connection) {
      const connection = this.connection;
      this.connection = null;
      connection.kill(new EngineCrashedError('The hitl-classifier engine was shut down: every classifier was closed.'));
    }
  }

  get userCount(): number {
    return this.users;
  }

  get running(): boolean {
    return this.connection !== null;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` when the worker dies or hangs while in use (not when the last user shut it down). */
  onCrash(listener: (reason: Error) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** Runs a call on the live worker, starting one if needed. */
  call<T>(run: (api: Comlink.Remote<EngineApi>) => Promise<T>): Promise<T> {
    return this.current().call(run);
  }

  current(): EngineConnection {
    if (!this.connection || this.connection.dead) {
      this.generation += 1;
      const connection = new EngineConnection(
        () => this.options,
        (dead) => {
          if (this.connection !== dead) return;
          this.connection = null;
          const now = performance.now();
          if (now - this.lastCrashNotice < CRASH_NOTICE_INTERVAL_MS) return;
          this.lastCrashNotice = now;
          const reason = dead.dead!;
          // After the pending calls have rejected: a user that asks again then gets the fresh worker.
          queueMicrotask(() => this.crashListeners.forEach((listener) => listener(reason)));
        },
      );
      connection.listeners.add((event) => this.listeners.forEach((listener) => listener(event)));
      this.connection = connection;
    }
    return this.connection;
  }

  /** Ends the current worker as if it had crashed: pending calls reject, the next call starts a fresh one. */
  crash(reason = 'The hitl-classifier engine worker was terminated.'): void {
    this.connection?.kill(new EngineCrashedError(reason));
  }
}

export const engine = new Engine();
