/**
 * Private: bounded, order-keeping concurrency over a stream of runs, for the project-scale
 * tables. Results come out in the input's order; at most `window` items are in flight, and a
 * streamed item holds at most `buffer` batches, so memory stays bounded whatever the number of
 * runs and points.
 *
 * @module
 */

/**
 * Maps items to results with at most `window` tasks pending, yielding results in input order.
 * The first failure is thrown when its turn comes. When the consumer stops or a task fails, no
 * further item is started, `stopped` (given to every task) is aborted so that tasks send no
 * further request, and the generator returns (or throws) only once the tasks still pending
 * have settled: nothing of it is running after that.
 */
export async function* orderedMap<T, R>(
  items: AsyncIterable<T>,
  window: number,
  task: (item: T, stopped: AbortSignal) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  const stop = new AbortController();
  const iterator = items[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && pending.length < window) {
        const next = await iterator.next();
        if (next.done === true) exhausted = true;
        else {
          const promise = task(next.value, stop.signal);
          promise.catch(() => {}); // awaited in order below; never unhandled meanwhile
          pending.push(promise);
        }
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    stop.abort();
    if (!exhausted) await iterator.return?.();
    await Promise.allSettled(pending);
  }
}

/** The items in arrays of `size` (the last one shorter), as they come. */
export async function* groupsOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let group: T[] = [];
  for await (const item of items) {
    group.push(item);
    if (group.length === size) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}

interface Slot<T> {
  queue: T[][];
  done: boolean;
  error: { error: unknown } | undefined;
  space: (() => void) | undefined;
  /** Its producer, which never rejects; settled once the slot is done or failed. */
  ended: Promise<void>;
}

/**
 * Streams the batches of several sources concurrently (at most `window` sources open, each
 * holding at most `buffer` batches ahead of the consumer) and yields them source by source, in
 * the sources' order. A failing source fails the whole stream as soon as it fails; when the
 * consumer stops (or fails), `stop` aborts the sources still running, and the generator returns
 * (or throws) only once they have ended.
 */
export async function* orderedStreams<T>(
  sources: AsyncIterable<() => AsyncIterable<T[]>>,
  options: { window: number; buffer: number; stop: () => void },
): AsyncGenerator<T[]> {
  const { window, buffer } = options;
  const slots: Slot<T>[] = [];
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const produce = async (slot: Slot<T>, open: () => AsyncIterable<T[]>): Promise<void> => {
    try {
      for await (const batch of open()) {
        if (stopped) break;
        slot.queue.push(batch);
        notify();
        while (slot.queue.length >= buffer && !stopped) {
          await new Promise<void>((resolve) => slot.space = resolve);
        }
        if (stopped) break;
      }
      slot.done = true;
    } catch (error) {
      slot.error = { error };
      if (!stopped) failure ??= { error };
    } finally {
      notify();
    }
  };

  const iterator = sources[Symbol.asyncIterator]();
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && slots.length < window) {
      const next = await iterator.next();
      if (next.done === true) {
        exhausted = true;
        return;
      }
      const slot: Slot<T> = {
        queue: [],
        done: false,
        error: undefined,
        space: undefined,
        ended: Promise.resolve(),
      };
      slots.push(slot);
      slot.ended = produce(slot, next.value);
    }
  };

  try {
    await fill();
    for (;;) {
      if (failure !== undefined) throw failure.error;
      const head = slots[0];
      if (head === undefined) return;
      const batch = head.queue.shift();
      if (batch !== undefined) {
        const space = head.space;
        head.space = undefined;
        space?.();
        yield batch;
        continue;
      }
      if (head.error !== undefined) throw head.error.error;
      if (head.done) {
        slots.shift();
        await fill();
        continue;
      }
      await new Promise<void>((resolve) => wake = resolve);
    }
  } finally {
    stopped = true;
    for (const slot of slots) slot.space?.();
    options.stop();
    if (!exhausted) await iterator.return?.();
    // Slots leave the list only when done, so the producers still running are all here.
    await Promise.all(slots.map((slot) => slot.ended));
  }
}
