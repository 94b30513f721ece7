import * as Comlink from 'comlink';
import type { EngineApi } from '../src/protocol.js';
import { noteRequest } from './background.js';
import { Engine } from './engine/engine.js';
import { faults } from './faults.js';

// Every request from the page (Comlink calls and pings arrive here): background work waits while they come.
addEventListener('message', noteRequest);

const engine = new Engine();
// Tests reach the fault hooks through the page's engine client; outside Vitest the condition is false at build
// time, so the package exposes the engine alone.
Comlink.expose((import.meta.env.MODE === 'test' ? Object.assign(engine, faults) : engine) satisfies EngineApi);
