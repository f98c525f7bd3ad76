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
 * The first failure is thrown when its turn comes; no further item is started after the
 * consumer stops or a task fails.
 */
export async function* orderedMap<T, R>(
  items: AsyncIterable<T>,
  window: number,
  task: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  const iterator = items[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && pending.length < window) {
        const next = await iterator.next();
        if (next.done === true) exhausted = true;
        else {
          const promise = task(next.value);
          promise.catch(() => {}); // awaited in order below; never unhandled meanwhile
          pending.push(promise);
        }
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}

interface Slot<T> {
  queue: T[][];
  done: boolean;
  error: { error: unknown } | undefined;
  space: (() => void) | undefined;
}

/**
 * Streams the batches of several sources concurrently (at most `window` sources open, each
 * holding at most `buffer` batches ahead of the consumer) and yields them source by source, in
 * the sources' order. A failing source fails the whole stream as soon as it fails; when the
 * consumer stops (or fails), `stop` aborts the sources still running.
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
      const slot: Slot<T> = { queue: [], done: false, error: undefined, space: undefined };
      slots.push(slot);
      void produce(slot, next.value);
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
  }
}
