/** Texts per predictBatch message: a reply this size is taken in within a few ms on the page. */
const BATCH_CHUNK = 1000;

/**
 * `send` over `items` in chunks, two in flight: the worker works on the next while this thread takes in the last,
 * and no single reply (10,000 predictions are ~100 ms of structured clone) becomes a long task on the page.
 */
export async function inChunks<T, R>(items: T[], send: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  if (items.length <= BATCH_CHUNK) return send(items);
  const start = (from: number): Promise<R[]> => {
    const reply = send(items.slice(from, from + BATCH_CHUNK));
    // Awaited below; if an earlier chunk fails first, this one's failure is already reported through that one.
    reply.catch(() => undefined);
    return reply;
  };
  const out: R[] = [];
  let current = start(0);
  for (let from = 0; from < items.length; from += BATCH_CHUNK) {
    const next = from + BATCH_CHUNK < items.length ? start(from + BATCH_CHUNK) : null;
    for (const result of await current) out.push(result);
    if (next) current = next;
  }
  return out;
}
