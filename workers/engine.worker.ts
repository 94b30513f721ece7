import * as Comlink from 'comlink';
import type { EngineApi } from '../src/protocol.js';
import { foreground, noteRequest } from './background.js';
import { Engine } from './engine/engine.js';
import { faults } from './faults.js';

// Every request from the page (Comlink calls and pings arrive here): background work waits while they come.
addEventListener('message', noteRequest);

const engine = new Engine();
// Tests reach the fault hooks through the page's engine client; outside Vitest the condition is false at build
// time, so the package exposes the engine alone.
const served = import.meta.env.MODE === 'test' ? Object.assign(engine, faults) : engine;
// Every call from the page is foreground work: background work waits until it has ended (a batch sends no message
// while it runs).
const api = new Proxy(served, {
  get(target, property, receiver) {
    const value: unknown = Reflect.get(target, property, receiver);
    return typeof value === 'function'
      ? (...args: unknown[]) => foreground(async () => (value as (...a: unknown[]) => unknown).apply(target, args))
      : value;
  },
});
Comlink.expose(api satisfies EngineApi);
