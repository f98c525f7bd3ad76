/**
 * Paged lists as async iterables: `page`, `size` and `all` as in the Python SDK, `total`, and
 * `toArray({ limit })`. After the first page, the remaining pages of an `all` listing are fetched
 * concurrently under the client's limiter and yielded in order.
 *
 * @module
 */

import { AbortError, ValidationError } from "./errors.ts";
import type { Limiter } from "./limiter.ts";

/** One page as the server returned it. */
export interface PageResult<T> {
  /** The page's items. */
  items: T[];
  /** The number of items over all pages. */
  total: number;
  /** The number of pages. */
  pages: number;
}

/**
 * Fetches one page (1-based) of the given size. The pager takes over the returned `items` array
 * (it clears each item once handed out), so each call returns an array of its own.
 */
export type PageFetcher<T> = (page: number, size: number) => Promise<PageResult<T>>;

/** Where a listing starts and how far it goes. */
export interface PagingOptions {
  /**
   * The first page to fetch (1-based).
   * @default 1
   */
  page?: number;
  /**
   * Items per page.
   * @default 100
   */
  size?: number;
  /**
   * Fetch every page from `page` on; otherwise only `page`.
   * @default false
   */
  all?: boolean;
}

/** Options of {@linkcode Pager.toArray}. */
export interface ToArrayOptions {
  /** Stop after this many items (and fetch no further pages). */
  limit?: number;
}

/** The page information of a listing, as the Python SDK's list `json()` reports it. */
export interface PageInfo<T> {
  /** The first page requested. */
  page: number;
  /** The page size requested. */
  size: number;
  /** The total the server reported. */
  total: number;
  /** The page count the server reported. */
  pages: number;
  /** The items fetched. */
  list: T[];
}

/**
 * A paged listing: iterate it with `for await`, read `total`, or collect it with `toArray()`.
 *
 * Iterating fetches pages (again on each iteration, except the first page once loaded for
 * `total`); constructing sends nothing.
 *
 * @example Iterate every item
 * ```ts
 * import { Pager } from "./paging.ts";
 *
 * const numbers = new Pager<number>(
 *   async (page, size) => ({ items: [page * 10, page * 10 + 1], total: 4, pages: 2 }),
 *   { page: 1, size: 10, all: true },
 * );
 * for await (const n of numbers) console.log(n); // 10, 11, 20, 21
 * console.log(await numbers.total); // 4
 * ```
 */
export class Pager<T> implements AsyncIterable<T> {
  /** The first page requested. */
  readonly page: number;
  /** The page size requested. */
  readonly size: number;
  /** Whether every page from `page` on is fetched. */
  readonly all: boolean;
  #fetch: PageFetcher<T>;
  #limiter: Limiter | undefined;
  #first: Promise<PageResult<T>> | undefined;
  #signal: AbortSignal | undefined;

  /**
   * Creates a listing; nothing is fetched until it is iterated or `total` is read.
   *
   * @param fetchPage Fetches one page.
   * @param options Where to start and whether to fetch all pages.
   * @param limiter Bounds concurrent page fetches (the client's shared limiter).
   * @param signal Stops the iteration: once aborted, no further item is yielded (not even one
   *   of a page already fetched) and the iterator throws an `AbortError`.
   * @throws {ValidationError} When `page` or `size` is not a positive integer.
   */
  constructor(
    fetchPage: PageFetcher<T>,
    options: PagingOptions = {},
    limiter?: Limiter,
    signal?: AbortSignal,
  ) {
    this.page = options.page ?? 1;
    this.size = options.size ?? 100;
    this.all = options.all ?? false;
    if (!Number.isInteger(this.page) || this.page < 1) {
      throw new ValidationError("page", `Cannot list page ${this.page}: expected an integer >= 1`);
    }
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new ValidationError(
        "size",
        `Cannot list with size ${this.size}: expected an integer >= 1`,
      );
    }
    this.#fetch = fetchPage;
    this.#limiter = limiter;
    this.#signal = signal;
  }

  /** The total number of items the server reports (fetches the first page once). */
  get total(): Promise<number> {
    return this.#firstPage().then((first) => first.total);
  }

  /** The number of pages the server reports (fetches the first page once). */
  get pages(): Promise<number> {
    return this.#firstPage().then((first) => first.pages);
  }

  /**
   * Iterates the items, page by page, in order.
   *
   * @returns An async iterator over the items.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.#iterate(Infinity);
  }

  // The iterator of the listing; `wanted` items (`toArray`'s limit) bound how many pages it
  // requests ahead, as if every page were full: pages past those are requested only if the
  // consumer asks for more (a short page never shortens the result).
  #iterate(wanted: number): AsyncIterator<T> {
    // Not an async generator: `yield*` over a page's items costs several promise hops per item
    // (measured: a tenth of listing 10,000 runs); this hands out the items of the page in hand
    // with one resolved promise each, and awaits only when a page is needed.
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    // The page in hand (its own array: the fetcher's result, taken over). An item handed out is
    // cleared from it, so that it lives only as long as the consumer keeps it: a run of a runs
    // table, with the full record it loads, is not held until its page's last run is done
    // (measured: that kept ~6 MB more per 2,000 runs through young-generation collections).
    let items: (T | undefined)[] = [];
    let index = 0;
    let started = false;
    let finished = false;
    let pending: Promise<PageResult<T>>[] = [];
    let next = 1; // with `pages` 0: nothing to schedule until the first page says so
    let pages = 0;
    // The last page requested ahead of need (see `#iterate`); raised to `pages` on demand.
    let lastAhead = this.page + Math.ceil(wanted / this.size) - 1;
    // At most `window` page requests unanswered (sent or waiting for a limiter slot), and at
    // most `2 * window` pages ahead of the consumer. Counting only unanswered requests against
    // the window keeps it full while answered pages wait for their turn: a slow page held back
    // the ones behind it (listing 10,000 runs had 3.2 requests in flight on average against the
    // window's 4, and ran up to a tenth slower than four independent requests).
    const window = Math.max(1, this.#limiter?.concurrency ?? 1);
    const ahead = 2 * window;
    let unanswered = 0;
    // The page requests sent and not yet answered (a page waiting for a limiter slot is not
    // among them: when the iteration has ended by the time it gets one, it is not requested).
    const inFlight = new Set<Promise<PageResult<T>>>();
    // The first page whose request failed: no later page is sent (its failure ends the
    // iteration when the consumer reaches it).
    let failedPage = Infinity;
    const request = (page: number): Promise<PageResult<T>> => {
      if (finished || page > failedPage) return Promise.reject(stoppedError());
      const sent = this.#fetch(page, this.size);
      inFlight.add(sent);
      const answered = () => inFlight.delete(sent);
      sent.then(answered, answered);
      return sent;
    };
    const schedule = () => {
      while (
        unanswered < window && pending.length < ahead && next <= pages && next <= lastAhead &&
        failedPage === Infinity
      ) {
        const page = next++;
        const task = this.#limiter ? this.#limiter.run(() => request(page)) : request(page);
        unanswered++;
        // An answer frees its place in the window at once, not when the consumer reaches it.
        task.then(() => {
          unanswered--;
          if (!finished) schedule();
        }, () => {
          unanswered--;
          failedPage = Math.min(failedPage, page); // observed below, when its turn comes
        });
        pending.push(task);
      }
    };
    const take = (): T => {
      const item = items[index] as T;
      items[index++] = undefined;
      return item;
    };
    // Ends the iteration; what it returns settles once the pages in flight have been answered,
    // so that nothing of a stopped or failed iteration is still running when it ends. Pages still
    // waiting for a slot are not waited for (the slot may be held by this iteration's consumer).
    const finish = (): Promise<IteratorReturnResult<undefined>> => {
      finished = true;
      items = [];
      pending = [];
      return inFlight.size === 0
        ? Promise.resolve(done)
        : Promise.allSettled([...inFlight]).then(() => done);
    };
    const stoppedError = () => new AbortError("GET", "(list iteration)", { cause: "stopped" });
    const advance = async (): Promise<IteratorResult<T>> => {
      try {
        for (;;) {
          if (finished) return done;
          // An abort stops the iteration at once, not after the rest of a page in hand.
          if (this.#signal?.aborted) {
            throw new AbortError("GET", "(list iteration)", { cause: this.#signal.reason });
          }
          if (index < items.length) return { done: false, value: take() };
          if (!started) {
            started = true;
            const first = await this.#firstPage();
            this.#first = undefined; // a later iteration fetches fresh data
            items = first.items.slice(); // another iteration may hold the same first page
            index = 0;
            if (this.all && first.items.length > 0 && this.page < first.pages) {
              pages = first.pages;
              next = this.page + 1;
            }
            continue;
          }
          // Later pages are requested once the first page is used up (a consumer that stops
          // within it sends nothing more), then kept ahead (see `schedule`).
          schedule();
          let task = pending.shift();
          if (task === undefined && next <= pages) {
            lastAhead = pages; // the pages so far were short of the items wanted
            schedule();
            task = pending.shift();
          }
          if (task === undefined) return finish();
          const result = await task;
          if (finished) return done;
          if (result.items.length === 0) return finish();
          schedule();
          items = result.items;
          index = 0;
        }
      } catch (error) {
        await finish();
        throw error;
      }
    };
    // Calls that overlap one that awaits a page wait for it (as an async generator's would):
    // two `advance()`s at once would take pages out of order.
    let busy: Promise<IteratorResult<T>> | undefined;
    const step = (): Promise<IteratorResult<T>> =>
      !finished && index < items.length && !this.#signal?.aborted
        ? Promise.resolve({ done: false, value: take() })
        : advance();
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (busy === undefined && !finished && index < items.length && !this.#signal?.aborted) {
          return Promise.resolve({ done: false, value: take() });
        }
        const result = busy === undefined ? advance() : busy.then(step, step);
        busy = result;
        const settle = () => {
          if (busy === result) busy = undefined;
        };
        result.then(settle, settle);
        return result;
      },
      return: (): Promise<IteratorResult<T>> => finish(),
    };
  }

  /**
   * Collects the items into an array.
   *
   * @param options `limit` stops after that many items.
   * @returns The items.
   */
  async toArray(options: ToArrayOptions = {}): Promise<T[]> {
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
      throw new ValidationError("limit", `Cannot collect ${limit} items: expected an integer >= 0`);
    }
    const items: T[] = [];
    if (limit === 0) return items;
    const iterator = this.#iterate(limit);
    try {
      for (;;) {
        const step = await iterator.next();
        if (step.done === true) return items;
        items.push(step.value);
        if (items.length >= limit) return items;
      }
    } finally {
      await iterator.return?.();
    }
  }

  /**
   * Collects the items with the page information, as the Python SDK's list `json()` does.
   *
   * @param serialize Turns an item into its JSON form.
   * @returns `{ page, size, total, pages, list }`.
   */
  async pageInfo<J>(serialize: (item: T) => J | Promise<J>): Promise<PageInfo<J>> {
    const first = await this.#firstPage();
    const total = first.total;
    const pages = first.pages;
    const list: J[] = [];
    for await (const item of this) list.push(await serialize(item));
    return { page: this.page, size: this.size, total, pages, list };
  }

  #firstPage(): Promise<PageResult<T>> {
    if (this.#first === undefined) {
      const first = this.#limiter
        ? this.#limiter.run(() => this.#fetch(this.page, this.size))
        : this.#fetch(this.page, this.size);
      this.#first = first;
      // A failure is not cached: the next read of `total` or the next iteration fetches again.
      first.catch(() => {
        if (this.#first === first) this.#first = undefined;
      });
    }
    return this.#first;
  }
}
