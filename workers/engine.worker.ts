import * as Comlink from 'comlink';
import type { EngineApi } from '../src/protocol.js';
import { Engine } from './engine/engine.js';

Comlink.expose(new Engine() satisfies EngineApi);
