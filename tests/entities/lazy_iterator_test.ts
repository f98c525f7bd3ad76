import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lazyIterator } from "../../src/entities/_lazy_iterator.ts";

/** A source of `items` that records what was asked of it. */
function recordingSource(items: number[]) {
  const log: string[] = [];
  let index = 0;
  const source: AsyncIterator<number> = {
    next: () => {
      log.push("next");
      return Promise.resolve(
        index < items.length
          ? { done: false, value: items[index++]! }
          : { done: true, value: undefined },
      );
    },
    return: () => {
      log.push("return");
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { source, log };
}

describe("lazyIterator", () => {
  it("starts on the first next(), once, and forwards the source's items", async () => {
    const { source } = recordingSource([1, 2, 3]);
    let starts = 0;
    const iterator = lazyIterator(() => {
      starts++;
      return Promise.resolve(source);
    });
    assert.equal(starts, 0);
    // Two calls before the start has finished: one start, the items in order.
    const [first, second] = await Promise.all([iterator.next(), iterator.next()]);
    assert.equal(starts, 1);
    assert.deepEqual([first, second], [{ done: false, value: 1 }, { done: false, value: 2 }]);
    assert.deepEqual(await iterator.next(), { done: false, value: 3 });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  it("a failed start fails that call and ends the iterator", async () => {
    let starts = 0;
    const iterator = lazyIterator<number>(() => {
      starts++;
      return Promise.reject(new Error("no connection"));
    });
    await assert.rejects(iterator.next(), /no connection/);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(starts, 1);
  });

  it("return() before the first next() starts nothing", async () => {
    let starts = 0;
    const iterator = lazyIterator<number>(() => {
      starts++;
      return Promise.resolve(recordingSource([1]).source);
    });
    assert.deepEqual(await iterator.return!(), { done: true, value: undefined });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(starts, 0);
  });

  it("return() while starting: the pending next() is done and the source is closed unread", async () => {
    const { source, log } = recordingSource([1, 2]);
    const iterator = lazyIterator(() => Promise.resolve(source));
    const pending = iterator.next();
    await iterator.return!();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.deepEqual(log, ["return"]);
  });

  it("return() after items closes the source, and later calls are done", async () => {
    const { source, log } = recordingSource([1, 2, 3]);
    const iterator = lazyIterator(() => Promise.resolve(source));
    assert.deepEqual(await iterator.next(), { done: false, value: 1 });
    await iterator.return!();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.deepEqual(log, ["next", "return"]);
  });
});
