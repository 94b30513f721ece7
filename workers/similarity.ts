// Temporary: workers/engine.ts still imports from here until the lead moves it onto workers/memory/ (issue 16).
export * from './memory/similarity.js';
