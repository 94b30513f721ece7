// Messages between the engine worker and an encoder helper (encoder.worker.ts, parallel-encoder.ts).

export type EncoderHelperMessage =
  | {
      type: 'load';
      url: string;
      vocabularyUrl: string;
      allowedOrigins: string[];
      /** The engine's backend: the helper runs the same one, so its rows are computed as the engine's would be. */
      backend: 'wasm' | 'cpu';
    }
  | { type: 'embed'; request: number; texts: string[] };

export type EncoderHelperReply =
  | { type: 'ready'; dim: number }
  | { type: 'failed'; message: string }
  /** One row per text, `dim` values each, back to back. */
  | { type: 'rows'; request: number; rows: Float32Array }
  | { type: 'error'; request: number; message: string };
