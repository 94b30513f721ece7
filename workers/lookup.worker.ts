/// <reference lib="webworker" />
// The lookup helper: a copy of one text model's example memory in a worker of its own, so that a large batch's
// featurizing and near-duplicate lookups run on two cores (lookup-helper.ts). It loads no TensorFlow.js.
import { featurizeText, TEXT_DIM } from './featurizers/text.js';
import { ExampleMemory, NEAR_DUPLICATE } from './memory/example-memory.js';
import { packVectors, transferables, unpackVectors, type HelperMessage, type HelperReply } from './lookup-protocol.js';
import { Similarity } from './memory/similarity.js';

// The engine's text similarity: cosine over the hashed space, no scale.
const memory = new ExampleMemory(
  new Similarity(
    'cosine',
    () => TEXT_DIM,
    () => null,
  ),
);

const reply = (message: HelperReply, transfer: Transferable[] = []) => postMessage(message, transfer);

// After changes, once no message has come for a moment: the lookup index is rebuilt while the helper is idle, not
// during the next batch's first lookup.
const IDLE_MS = 100;
let idle: ReturnType<typeof setTimeout> | undefined;
const prepareWhenIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(() => memory.prepare(NEAR_DUPLICATE.text), IDLE_MS);
};

addEventListener('message', (event: MessageEvent<HelperMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'load': {
      memory.clear();
      unpackVectors(message).forEach((vector, i) => memory.upsert(message.ids[i]!, message.targets[i]!, vector, message.seqs[i]!));
      reply({ type: 'ready' });
      prepareWhenIdle();
      return;
    }
    case 'upsert':
      memory.upsert(message.id, message.target, { indices: message.indices, values: message.values }, message.seq);
      prepareWhenIdle();
      return;
    case 'remove':
      memory.remove(message.id);
      prepareWhenIdle();
      return;
    case 'clear':
      memory.clear();
      return;
    case 'lookup': {
      const { request, texts, classes, floor } = message;
      try {
        const vectors = texts.map((text) => featurizeText(text));
        const perClass = new Float64Array(texts.length * classes);
        const top = new Float64Array(texts.length);
        const topSeq = new Float64Array(texts.length);
        vectors.forEach((vector, i) => {
          const found = memory.nearest(vector, classes, floor);
          perClass.set(found.perClass, i * classes);
          top[i] = found.top;
          topSeq[i] = found.topSeq;
        });
        const packed = packVectors(vectors);
        reply({ type: 'result', request, perClass, top, topSeq, ...packed }, [perClass.buffer, top.buffer, topSeq.buffer, ...transferables(packed)]);
      } catch (error) {
        reply({ type: 'failed', request, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
});
