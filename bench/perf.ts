/**
 * The performance benchmark, run inside a page built from the sources by scripts/bench-perf.mjs: warm latency,
 * throughput, review selection, correction-to-effect, retraining, main-thread long tasks, heap and tensors after
 * 1,000 cycles, through the public API only (plus the engine's tensor count), and the knn-classifier peer on the
 * same features. Cold start and bytes are measured on the built package by bench/perf-cold.html instead.
 */
import { KNNClassifier } from '@tensorflow-models/knn-classifier';
import * as tf from '@tensorflow/tfjs-core';
import { createClassifier, type Classifier } from '../src/index.js';
import { engine } from '../src/engine-client.js';
import type { BackendRequest } from '../src/protocol.js';
import { startPeerBackend } from './peer-backend.js';
import {
  labelAll,
  latency,
  progress,
  round,
  timed,
  trainCapped,
  overPool,
  warmLatency,
  watchLongTasks,
  type Latency,
  type LongTasks,
} from './perf-measure.js';

export interface PerfConfig {
  backend: BackendRequest;
  /** Stored-example counts at which latency and retraining are measured (the last one is the big model). */
  stored: number[];
  /** Texts in the pool given to predictBatch and selectForReview. */
  pool: number;
  /** Warm predict calls timed per measurement (after a few untimed ones). */
  warmRuns: number;
  corrections: number;
  cycles: number;
  /** A retrain still running after this long is cancelled and reported as "over". */
  trainCapMs: number;
  /** predictBatch / selectForReview over the pool run only when a 500-item sample projects them under this. */
  poolCapMs: number;
  /** Also measure the knn-classifier peer (on the wasm backend of the page) against input: 'features'. */
  peer: boolean;
  image: boolean;
  /**
   * Train a first head on 200 labels, measure everything with it, and time the full retrains last: a backend whose
   * training runs past the cap (a software GPU) then costs the run the cap, not every measurement after it.
   */
  trainLast: boolean;
}

export interface PerfResult {
  backend: string;
  requested: BackendRequest;
  openMs: number;
  crossOriginIsolated: boolean;
  text: {
    labelPerSecond: number;
    /** Whether a trained head served the latency, batch and review figures (a training past the cap leaves none). */
    headServed: boolean;
    predict: Record<string, Latency>;
    train: Record<string, { ms: number | null; wallMs: number | null; over?: number; stillRunning?: boolean; error?: string; longTasks: LongTasks }>;
    batch: { items: number; ms: number; perSecond: number; projected: boolean; longTasks: LongTasks } | null;
    select: { items: number; ms: number; projected: boolean; longTasks: LongTasks } | null;
    correction: Latency & { failures: number };
  };
  image: { predict: Latency; trainMs: number } | null;
  cycles: {
    count: number;
    heapMB: { before: number; after: number } | null;
    tensors: { before: number; after: number };
    longTasks: LongTasks;
  } | null;
  peer: {
    features: string;
    ours: Record<string, Latency & { trainMs: number | null }>;
    knn: Record<string, Latency>;
    knnBackend: string;
  } | null;
  wallMs: number;
}

interface PerfData {
  texts: { text: string; label: string }[];
  mnist: { width: number; height: number; pixels: string; labels: string[] };
}

declare global {
  interface Window {
    runPerfBenchmark: (config: PerfConfig) => Promise<PerfResult>;
    gc?: () => void;
  }
}

function mnistRows(data: PerfData['mnist']): { count: number; grey: (i: number) => Uint8Array } {
  const bytes = Uint8Array.from(atob(data.pixels), (c) => c.charCodeAt(0));
  const size = data.width * data.height;
  return { count: data.labels.length, grey: (i) => bytes.subarray(i * size, (i + 1) * size) };
}

function imageData(grey: Uint8Array, width: number, height: number): ImageData {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < grey.length; p++) {
    rgba[p * 4] = rgba[p * 4 + 1] = rgba[p * 4 + 2] = grey[p]!;
    rgba[p * 4 + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

/** A digit moved one pixel right: close to a stored one, never an exact copy. */
function shifted(grey: Uint8Array, width: number): Float32Array {
  const out = new Float32Array(grey.length);
  for (let p = 0; p < grey.length; p++) out[p] = p % width === 0 ? 0 : grey[p - 1]! / 255;
  return out;
}

async function textSuite(config: PerfConfig, data: PerfData, result: PerfResult): Promise<Classifier> {
  const labels = ['ham', 'spam'];
  const opened = await timed(() =>
    createClassifier({ name: `perf-text-${config.backend}`, labels, storage: 'memory', autoTrain: false, backend: config.backend }),
  );
  const clf = opened.value;
  result.backend = clf.backend;
  result.openMs = Math.round(opened.ms);
  const maxStored = Math.max(...config.stored);
  const stored = data.texts.slice(0, maxStored);
  const pool = data.texts.slice(maxStored, maxStored + config.pool).map((t) => t.text);
  const queries = pool.slice(0, Math.max(50, config.warmRuns));
  let labelled = 0;
  let labelMs = 0;
  const label = async (n: number) => {
    const { ms } = await timed(() =>
      labelAll(
        clf,
        stored.slice(labelled, n).map((t) => ({ input: t.text, label: t.label })),
      ),
    );
    labelMs += ms;
    labelled = n;
  };
  if (config.trainLast) {
    await label(Math.min(200, maxStored));
    result.text.train[labelled] = await trainCapped(clf, config.trainCapMs);
    progress(`${config.backend}: first head, ${labelled} labels: ${JSON.stringify(result.text.train[labelled])}`);
  }
  for (const n of [...config.stored].sort((a, b) => a - b)) {
    await label(n);
    if (!config.trainLast) {
      progress(`${config.backend}: ${n} texts stored; training`);
      result.text.train[n] = await trainCapped(clf, config.trainCapMs);
      progress(`${config.backend}: train at ${n}: ${JSON.stringify(result.text.train[n])}`);
    }
    result.text.predict[n] = await warmLatency(clf, queries, config.warmRuns);
    progress(`${config.backend}: predict at ${n} stored: ${JSON.stringify(result.text.predict[n])}`);
  }
  result.text.labelPerSecond = Math.round((labelled / labelMs) * 1000);
  result.text.headServed = (await clf.stats()).modelVersion > 0;

  // Review selection first: work the engine queues after a large batch of predictions must not be billed to it.
  result.text.select = await overPool(pool, config.poolCapMs, (items) => clf.selectForReview(items, 20));
  progress(`${config.backend}: selectForReview ${JSON.stringify(result.text.select)}`);
  const batch = await overPool(pool, config.poolCapMs, (items) => clf.predictBatch(items));
  result.text.batch = { ...batch, perSecond: Math.round((batch.items / batch.ms) * (batch.projected ? pool.length / batch.items : 1) * 1000) };
  progress(`${config.backend}: predictBatch ${JSON.stringify(result.text.batch)}`);

  // From label() to the first predict() that shows the new label, on inputs the model currently gets wrong-way.
  const samples: number[] = [];
  let failures = 0;
  for (let i = 0; i < config.corrections; i++) {
    const text = pool[pool.length - 1 - i]!;
    const before = await clf.predict(text);
    const wanted = before.label === 'spam' ? 'ham' : 'spam';
    const started = performance.now();
    await clf.label(text, wanted);
    let shown = false;
    for (let attempt = 0; attempt < 20 && !shown; attempt++) shown = (await clf.predict(text)).label === wanted;
    if (shown) samples.push(performance.now() - started);
    else failures += 1;
  }
  result.text.correction = { ...latency(samples), failures };
  progress(`${config.backend}: correction-to-effect ${JSON.stringify(result.text.correction)}`);
  return clf;
}

async function imageSuite(config: PerfConfig, data: PerfData): Promise<PerfResult['image']> {
  const rows = mnistRows(data.mnist);
  const { width, height } = data.mnist;
  const clf = await createClassifier({
    name: `perf-image-${config.backend}`,
    labels: [...new Set(data.mnist.labels)].sort(),
    input: 'image',
    storage: 'memory',
    autoTrain: false,
    backend: config.backend,
  });
  try {
    await labelAll(
      clf,
      Array.from({ length: 100 }, (_, i) => ({ input: imageData(rows.grey(i), width, height), label: data.mnist.labels[i]! })),
    );
    const trained = await clf.train();
    const queries = Array.from({ length: 50 }, (_, i) => imageData(rows.grey(500 + i), width, height));
    return { predict: await warmLatency(clf, queries, config.warmRuns), trainMs: trained.ms };
  } finally {
    await clf.close();
  }
}

async function cyclesSuite(config: PerfConfig, data: PerfData): Promise<PerfResult['cycles']> {
  const clf = await createClassifier({
    name: `perf-cycles-${config.backend}`,
    labels: ['ham', 'spam'],
    storage: 'memory',
    autoTrain: false,
    backend: config.backend,
  });
  const texts = data.texts.slice(-2_000);
  const heap = () => {
    window.gc?.();
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return memory ? round(memory.usedJSHeapSize / 2 ** 20, 1) : null;
  };
  try {
    for (let i = 0; i < 20; i++) await clf.label(texts[i]!.text, texts[i]!.label);
    await clf.train();
    await clf.predict(texts[0]!.text);
    const tensorsBefore = (await engine.call((api) => api.memory())).tensors;
    const heapBefore = heap();
    // A cycle is what a person's session does: see a prediction, give a label; a retrain every 100 labels.
    const { longTasks } = await watchLongTasks(async () => {
      for (let i = 0; i < config.cycles; i++) {
        const item = texts[(20 + i) % texts.length]!;
        const prediction = await clf.predict(item.text);
        await clf.label(item.text, item.label, { predictionId: prediction.id });
        if ((i + 1) % 100 === 0) await clf.train();
      }
    });
    await clf.predict(texts[0]!.text);
    const tensorsAfter = (await engine.call((api) => api.memory())).tensors;
    const heapAfter = heap();
    return {
      count: config.cycles,
      heapMB: heapBefore !== null && heapAfter !== null ? { before: heapBefore, after: heapAfter } : null,
      tensors: { before: tensorsBefore, after: tensorsAfter },
      longTasks,
    };
  } finally {
    await clf.close();
  }
}

/** Ours and knn-classifier on the same rows: MNIST pixels in [0, 1] as input: 'features'. */
async function peerSuite(config: PerfConfig, data: PerfData): Promise<PerfResult['peer']> {
  const rows = mnistRows(data.mnist);
  const { width } = data.mnist;
  const labels = [...new Set(data.mnist.labels)].sort();
  const vector = (i: number) => Float32Array.from(rows.grey(i), (v) => v / 255);
  const queries = Array.from({ length: 60 }, (_, i) => shifted(rows.grey((i * 97) % rows.count), width));
  const counts = config.stored.map((n) => Math.min(n, rows.count)).sort((a, b) => a - b);

  await startPeerBackend();

  const ours: NonNullable<PerfResult['peer']>['ours'] = {};
  const knn: NonNullable<PerfResult['peer']>['knn'] = {};
  const clf = await createClassifier({
    name: `perf-peer-${config.backend}`,
    labels,
    input: 'features',
    storage: 'memory',
    autoTrain: false,
    backend: config.backend,
  });
  try {
    let labelled = 0;
    for (const n of counts) {
      await labelAll(
        clf,
        Array.from({ length: n - labelled }, (_, j) => ({ input: vector(labelled + j), label: data.mnist.labels[labelled + j]! })),
      );
      labelled = n;
      const trained = await trainCapped(clf, config.trainCapMs);
      ours[n] = { ...(await warmLatency(clf, queries, config.warmRuns)), trainMs: trained.ms };
      progress(`peer: ours at ${n} stored: ${JSON.stringify(ours[n])}`);

      const classifier = new KNNClassifier();
      const byClass = new Map<string, number[]>();
      for (let i = 0; i < n; i++) {
        const label = data.mnist.labels[i]!;
        if (!byClass.has(label)) byClass.set(label, []);
        byClass.get(label)!.push(i);
      }
      const dataset: Record<string, tf.Tensor2D> = {};
      for (const [label, indices] of byClass) {
        const block = new Float32Array(indices.length * rows.grey(0).length);
        indices.forEach((i, r) => block.set(vector(i), r * rows.grey(0).length));
        dataset[label] = tf.tensor2d(block, [indices.length, rows.grey(0).length]);
      }
      classifier.setClassifierDataset(dataset);
      const samples: number[] = [];
      for (let i = 0; i < config.warmRuns + 5; i++) {
        const query = tf.tensor1d(queries[i % queries.length]!);
        const started = performance.now();
        await classifier.predictClass(query, 10);
        if (i >= 5) samples.push(performance.now() - started);
        query.dispose();
      }
      knn[n] = latency(samples);
      progress(`peer: knn at ${n} stored: ${JSON.stringify(knn[n])}`);
      classifier.dispose();
    }
  } finally {
    await clf.close();
  }
  return {
    features: `MNIST pixels scaled to [0, 1] (${rows.grey(0).length} values), input: 'features'; knn k=10`,
    ours,
    knn,
    knnBackend: tf.getBackend(),
  };
}

async function loadData(): Promise<PerfData> {
  const [texts, mnist] = await Promise.all(
    ['/data/perf-texts.json', '/data/mnist.json'].map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status} (scripts/bench-perf.mjs prepares it)`);
      return response.json() as Promise<unknown>;
    }),
  );
  const m = mnist as { width: number; height: number; train: { pixels: string; labels: string[] }; test: { pixels: string; labels: string[] } };
  // Train and test split together: 10,000 digits, enough for the 10,000-example peer run.
  const pixels = btoa(atob(m.train.pixels) + atob(m.test.pixels));
  return { texts: texts as PerfData['texts'], mnist: { width: m.width, height: m.height, pixels, labels: [...m.train.labels, ...m.test.labels] } };
}

window.runPerfBenchmark = async (config: PerfConfig): Promise<PerfResult> => {
  const started = performance.now();
  const data = await loadData();
  const result: PerfResult = {
    backend: '',
    requested: config.backend,
    openMs: 0,
    crossOriginIsolated: self.crossOriginIsolated,
    text: {
      labelPerSecond: 0,
      headServed: false,
      predict: {},
      train: {},
      batch: null,
      select: null,
      correction: { p50: NaN, p95: NaN, n: 0, failures: 0 },
    },
    image: null,
    cycles: null,
    peer: null,
    wallMs: 0,
  };
  const clf = await textSuite(config, data, result);
  if (!config.trainLast) await clf.close();
  // A first training that ignored cancellation still holds the worker: later figures would time it, not the backend.
  const stuck = Object.values(result.text.train).some((t) => t.stillRunning);
  if (config.image && !stuck) {
    result.image = await imageSuite(config, data);
    progress(`${config.backend}: image predict ${JSON.stringify(result.image)}`);
  }
  if (config.cycles > 0) {
    result.cycles = await cyclesSuite(config, data);
    progress(`${config.backend}: cycles ${JSON.stringify(result.cycles)}`);
  }
  if (config.peer) result.peer = await peerSuite(config, data);
  if (config.trainLast && !stuck) {
    const n = Math.max(...config.stored);
    progress(`${config.backend}: ${n} texts stored; training`);
    result.text.train[n] = await trainCapped(clf, config.trainCapMs);
    progress(`${config.backend}: train at ${n}: ${JSON.stringify(result.text.train[n])}`);
    // A training left running past the cap would hold close() up: the page is closed by the runner anyway.
    if (!result.text.train[n]!.stillRunning) await clf.close();
  }
  result.wallMs = Math.round(performance.now() - started);
  return result;
};
