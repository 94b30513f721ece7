import { describe } from 'vitest';
import { describeLearning } from './learning-suite.js';

// Without a GPU, 'auto' is the WASM fallback here; learning.webgpu.test.ts runs the same suite on WebGPU.
describe('learning (auto backend)', () => describeLearning('auto'));
