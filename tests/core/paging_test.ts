import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Pager } from "../../src/core/paging.ts";
import { Limiter } from "../../src/core/limiter.ts";

describe("Pager", () => {
  const pages = (total: number, size: number) => (page: number) => {
    const start = (page - 1) * size;
    const items = Array.from(
      { length: Math.max(0, Math.min(size, total - start)) },
      (_, i) => start + i,
    );
    return { items, total, pages: Math.ceil(total / size) };
  };

  it("yields every item of every page in order, fetching later pages concurrently", async () => {
    const fetched: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const pager = new Pager<number>(
      async (page, size) => {
        fetched.push(page);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, (7 - page) % 4));
        inFlight--;
        return pages(95, size)(page);
      },
      { size: 10, all: true },
      new Limiter(3),
    );
    const items = await pager.toArray();
    assert.deepEqual(items, Array.from({ length: 95 }, (_, i) => i));
    assert.deepEqual([...fetched].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(maxInFlight > 1 && maxInFlight <= 3, `max in flight: ${maxInFlight}`);
  });

  it("requests no later page when the consumer stops within the first one", async () => {
    const fetched: number[] = [];
    const pager = new Pager<number>(
      (page, size) => {
        fetched.push(page);
        return Promise.resolve(pages(95, size)(page));
      },
      { size: 10, all: true },
      new Limiter(3),
    );
    assert.deepEqual(await pager.toArray({ limit: 10 }), Array.from({ length: 10 }, (_, i) => i));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(fetched, [1]);
    // Past the first page, later pages are kept ahead of the consumer, in order, but no further
    // than the limit needs.
    assert.deepEqual(await pager.toArray({ limit: 25 }), Array.from({ length: 25 }, (_, i) => i));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(fetched, [1, 1, 2, 3]);
  });

  it("requests the pages a limit needs, and more when pages come short", async () => {
    const fetched: number[] = [];
    // The server answers 5 items per page whatever the size asked (10): 19 pages of 95 items.
    const pager = new Pager<number>(
      (page) => {
        fetched.push(page);
        return Promise.resolve(pages(95, 5)(page));
      },
      { size: 10, all: true },
      new Limiter(3),
    );
    assert.deepEqual(await pager.toArray({ limit: 25 }), Array.from({ length: 25 }, (_, i) => i));
    assert.deepEqual(fetched.slice(0, 3), [1, 2, 3], "the three pages 25 items need if full");
    assert.ok(fetched.includes(5), `the pages that were short were made up for: ${fetched}`);
    assert.ok(fetched.length <= 5 + 6, `no more than twice the window ahead: ${fetched}`);
    // Iterated without a limit, every page of the listing is requested.
    fetched.length = 0;
    assert.equal((await pager.toArray()).length, 95);
    assert.deepEqual(fetched, Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it("keeps its requests going while a slow page holds back the consumer", async () => {
    const events: string[] = [];
    let sent = 0;
    let allSent = () => {};
    const eightSent = new Promise<void>((resolve) => allSent = resolve);
    const pager = new Pager<number>(
      async (page, size) => {
        events.push(`request ${page}`);
        if (++sent === 8) allSent();
        // Page 2 is answered once eight pages were requested (or after a second, to fail).
        await (page === 2
          ? Promise.race([eightSent, new Promise((resolve) => setTimeout(resolve, 1000))])
          : Promise.resolve());
        events.push(`answer ${page}`);
        return pages(200, size)(page);
      },
      { size: 10, all: true },
      new Limiter(3),
    );
    const items = await pager.toArray();
    assert.deepEqual(items, Array.from({ length: 200 }, (_, i) => i));
    // The answers of pages 3, 4, … free their places at once: pages up to 8 (page 2 and six
    // more, twice the window, ahead of the consumer) are requested while page 2 is awaited.
    const answer2 = events.indexOf("answer 2");
    const sentBefore = events.slice(0, answer2).filter((e) => e.startsWith("request "));
    assert.equal(sentBefore.length, 8, `before page 2 was answered: ${events.join(", ")}`);
  });

  it("sends no page after one whose request failed, and fails with that page's error", async () => {
    const fetched: number[] = [];
    const pager = new Pager<number>(
      async (page, size) => {
        fetched.push(page);
        if (page === 3) throw new Error("page 3: 503");
        // Page 2 is slow: page 3 fails while the consumer still waits for it.
        await new Promise((resolve) => setTimeout(resolve, page === 2 ? 30 : 0));
        return pages(95, size)(page);
      },
      { size: 10, all: true },
      new Limiter(2),
    );
    await assert.rejects(pager.toArray(), /page 3: 503/);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(fetched, [1, 2, 3]);
  });

  it("ends once the pages in flight are answered, and never requests one still waiting", async () => {
    const limiter = new Limiter(3);
    const started: number[] = [];
    const answered: number[] = [];
    const pager = new Pager<number>(
      async (page, size) => {
        started.push(page);
        await new Promise((resolve) => setTimeout(resolve, [0, 0, 10, 60, 40][page] ?? 0));
        answered.push(page);
        return pages(95, size)(page);
      },
      { size: 10, all: true },
      limiter,
    );
    const iterator = pager[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) await iterator.next(); // the first page, used up
    // Another task holds one of the limiter's slots: pages 2 and 3 are sent, 4 once 2 is in,
    // and page 5, scheduled once page 2 is taken, waits for a slot.
    let release = () => {};
    const other = limiter.run(() => new Promise<void>((resolve) => release = resolve));
    assert.deepEqual(await iterator.next(), { done: false, value: 10 }); // page 2 answered
    assert.deepEqual(await iterator.return?.(), { done: true, value: undefined });
    const requested = [...started];
    assert.ok(requested.includes(3), "page 3 (60 ms) was in flight");
    assert.deepEqual(
      [...answered].sort(),
      [...requested].sort(),
      "every page it requested was answered before it ended",
    );
    release();
    await other;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(started, requested, "no page requested after it ended");
    assert.ok(!started.includes(5), "page 5, waiting for a slot, was never requested");
  });

  it("fetches only the requested page without all, and stops early with toArray({ limit })", async () => {
    const fetched: number[] = [];
    const fetch = (page: number, size: number) => {
      fetched.push(page);
      return Promise.resolve(pages(100, size)(page));
    };
    assert.deepEqual(await new Pager<number>(fetch, { page: 3, size: 10 }).toArray(), [
      20,
      21,
      22,
      23,
      24,
      25,
      26,
      27,
      28,
      29,
    ]);
    assert.deepEqual(fetched, [3]);
    assert.equal(
      (await new Pager<number>(fetch, { size: 10, all: true }).toArray({ limit: 12 })).length,
      12,
    );
  });

  it("does not cache a failed first page: the next read fetches again", async () => {
    let calls = 0;
    const pager = new Pager<number>((page, size) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error("503")) : Promise.resolve(pages(5, size)(page));
    }, { size: 10 });
    await assert.rejects(pager.total, /503/);
    assert.equal(await pager.total, 5);
    assert.deepEqual(await pager.toArray(), [0, 1, 2, 3, 4]);
  });

  it("gives two iterations started together every item, though they share the first page", async () => {
    let firstPageFetches = 0;
    const pager = new Pager<{ n: number }>(async (page, size) => {
      if (page === 1) firstPageFetches++;
      await Promise.resolve();
      const { items, total, pages: count } = pages(25, size)(page);
      return { items: items.map((n) => ({ n })), total, pages: count };
    }, { size: 10, all: true });
    const [a, b] = await Promise.all([pager.toArray(), pager.toArray()]);
    assert.equal(firstPageFetches, 1, "the first page is fetched once for both");
    const numbers = Array.from({ length: 25 }, (_, i) => i);
    assert.deepEqual(a.map((item) => item.n), numbers);
    assert.deepEqual(b.map((item) => item.n), numbers);
  });
});
