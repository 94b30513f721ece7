/// <reference lib="webworker" />
// An encoder helper: a second copy of a text encoder in a worker of its own, so that the encoder's passes over a
// large batch run on two cores (parallel-encoder.ts). It loads TensorFlow.js and the encoder only.
import { useBackend } from './backend.js';
import type { EncoderHelperMessage, EncoderHelperReply } from './encoder-protocol.js';
import { loadSentenceEncoder, type SentenceEncoder } from './featurizers/sentence-encoder.js';

const reply = (message: EncoderHelperReply, transfer: Transferable[] = []) => postMessage(message, transfer);
const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

let encoder: Promise<SentenceEncoder> | null = null;
/**
 * The passes asked so far, one after another: the engine keeps a second pass waiting here while this one runs
 * (parallel-encoder.ts), and it must not start until this one has answered.
 */
let passes: Promise<void> = Promise.resolve();

addEventListener('message', (event: MessageEvent<EncoderHelperMessage>) => {
  const message = event.data;
  if (message.type === 'load') {
    encoder = (async () => {
      await useBackend(message.backend);
      return loadSentenceEncoder(message.url, { vocabularyUrl: message.vocabularyUrl, allowedOrigins: message.allowedOrigins });
    })();
    encoder.then(
      (loaded) => reply({ type: 'ready', dim: loaded.dim }),
      (error: unknown) => reply({ type: 'failed', message: text(error) }),
    );
    return;
  }
  const { request, texts } = message;
  passes = passes.then(() => embed(request, texts));
});

/** Answers one pass, its rows or its error; never rejects, so the passes queued behind it still run. */
async function embed(request: number, texts: string[]): Promise<void> {
  try {
    if (!encoder) throw new Error('The encoder helper was asked to embed before it was loaded.');
    const loaded = await encoder;
    const rows = await loaded.embed(texts);
    const flat = new Float32Array(rows.length * loaded.dim);
    rows.forEach((row, i) => flat.set(row, i * loaded.dim));
    reply({ type: 'rows', request, rows: flat }, [flat.buffer]);
  } catch (error) {
    reply({ type: 'error', request, message: text(error) });
  }
}
