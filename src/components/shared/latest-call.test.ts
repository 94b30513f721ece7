import { describe, expect, test } from 'vitest';
import { LatestCall } from './latest-call.js';

/** A `work` whose runs finish when the test says so, recording what each run saw. */
function controlled(read: () => number) {
  const seen: number[] = [];
  const finish: (() => void)[] = [];
  const call = new LatestCall(
    () =>
      new Promise<void>((resolve) => {
        seen.push(read());
        finish.push(resolve);
      }),
  );
  return { call, seen, finish };
}

describe('LatestCall', () => {
  test('requests during a run make one more run, which reads the newest state; the first answer is not dropped', async () => {
    let state = 1;
    const { call, seen, finish } = controlled(() => state);
    const first = call.request();
    expect(seen).toEqual([1]);
    state = 2;
    const second = call.request();
    state = 3;
    const third = call.request();
    expect(seen).toEqual([1]);
    finish[0]!();
    await expect.poll(() => seen).toEqual([1, 3]);
    let settled = false;
    void first.then(() => (settled = true));
    await Promise.resolve();
    // Whoever asked during the first run waits for the run that began after the ask.
    expect(settled).toBe(false);
    finish[1]!();
    await Promise.all([first, second, third]);
    expect(seen).toEqual([1, 3]);
  });

  test('a request after the runs ended starts a new one at once', async () => {
    const { call, seen, finish } = controlled(() => seen.length);
    const first = call.request();
    finish[0]!();
    await first;
    void call.request();
    expect(seen).toEqual([0, 1]);
    finish[1]!();
  });
});
