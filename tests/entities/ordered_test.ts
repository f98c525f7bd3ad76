import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { orderedMap, orderedStreams } from "../../src/entities/_ordered.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* count(n: number, pulled: { count: number }): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    pulled.count++;
    yield i;
  }
}

describe("orderedMap()", () => {
  it("yields in input order with at most `window` tasks pending", async () => {
    let pending = 0;
    let most = 0;
    const out = await Array.fromAsync(
      orderedMap(count(20, { count: 0 }), 4, async (i) => {
        most = Math.max(most, ++pending);
        await sleep((i * 7) % 5);
        pending--;
        return i * 2;
      }),
    );
    assert.deepEqual(out, Array.from({ length: 20 }, (_, i) => i * 2));
    assert.equal(most, 4);
  });

  it("fails only after the pending tasks settled, each told to stop, none started after", async () => {
    const pulled = { count: 0 };
    const settled: number[] = [];
    const sawStop: boolean[] = [];
    const failure = new Error("item 1 failed");
    const run = Array.fromAsync(
      orderedMap(count(50, pulled), 4, async (i, stopped) => {
        if (i === 1) throw failure;
        await sleep(i === 0 ? 0 : 30);
        sawStop.push(stopped.aborted); // a task would send its next request here
        settled.push(i);
        return i;
      }),
    );
    await assert.rejects(run, (error) => error === failure);
    // Item 0 was yielded; 1 failed; 2, 3 and 4 were pending (the window refilled after 0).
    assert.deepEqual(settled.sort((a, b) => a - b), [0, 2, 3, 4]);
    assert.deepEqual(sawStop, [false, true, true, true]);
    assert.equal(pulled.count, 5, "no item taken after the failure");
  });
});

describe("orderedStreams()", () => {
  it("returns when its consumer stops only once every source has ended", async () => {
    let opened = 0;
    let closed = 0;
    let stops = 0;
    const stop = new AbortController();
    async function* sources(): AsyncGenerator<() => AsyncIterable<number[]>> {
      for (let s = 0; s < 10; s++) {
        yield async function* (): AsyncGenerator<number[]> {
          opened++;
          try {
            for (let b = 0; b < 5; b++) {
              await sleep(5 + s * 3);
              if (stop.signal.aborted) return;
              yield [s, b];
            }
          } finally {
            await sleep(10); // cleanup that takes time, as closing a download does
            closed++;
          }
        };
      }
    }
    const stream = orderedStreams(sources(), {
      window: 3,
      buffer: 2,
      stop: () => {
        stops++;
        stop.abort();
      },
    });
    const first = await stream.next();
    assert.deepEqual(first.value, [0, 0]);
    await stream.return(undefined);
    assert.equal(opened, 3);
    assert.equal(closed, opened, "every opened source ended before return() settled");
    assert.equal(stops, 1);
  });

  it("throws a source's failure only once the others have ended", async () => {
    let closed = 0;
    const failure = new Error("source 1 failed");
    async function* sources(): AsyncGenerator<() => AsyncIterable<number[]>> {
      for (let s = 0; s < 3; s++) {
        yield async function* (): AsyncGenerator<number[]> {
          try {
            if (s === 1) throw failure;
            await sleep(20);
            yield [s];
          } finally {
            await sleep(5);
            closed++;
          }
        };
      }
    }
    await assert.rejects(
      Array.fromAsync(orderedStreams(sources(), { window: 3, buffer: 1, stop: () => {} })),
      (error) => error === failure,
    );
    assert.equal(closed, 3);
  });
});
