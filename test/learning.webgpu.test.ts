import { describe } from 'vitest';
import { describeLearning } from './learning-suite.js';

// In the chromium-webgpu project (--enable-unsafe-webgpu): WebGPU forced, on the software adapter here and on the
// real GPU where there is one, so every learning path also runs on the WebGPU kernels.
describe('learning (WebGPU backend)', () => describeLearning('webgpu'));
