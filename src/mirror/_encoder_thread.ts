/**
 * Private: the mirror's side of its points-encoding worker thread (`_points_worker.ts`): starts
 * it, routes its answers to the files being encoded, and stops it.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type { ParquetCompression } from "../export/parquet_options.ts";
import type { BlockBuffers, FromWorker, ToWorker } from "./_points_protocol.ts";

/** What a file being encoded in the worker hears back. */
export interface RemoteFileEvents {
  free(buffers: BlockBuffers): void;
  done(rows: number, chunks: Uint8Array<ArrayBuffer>[]): void;
  error(error: Error): void;
}

/** The two kinds of threads: Web Workers (Deno, Bun) and `worker_threads` (Node). */
interface Channel {
  post(message: ToWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (message: FromWorker) => void): void;
  onError(handler: (error: Error) => void): void;
  terminate(): Promise<void>;
}

type WebWorker = {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  onmessage: ((event: { data: FromWorker }) => void) | null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null;
  terminate(): void;
};
type WebWorkerClass = new (url: URL, options: { type: "module" }) => WebWorker;

/**
 * Starts the worker module at `url`: a Web Worker where the runtime has them (Deno, Bun: their
 * `worker_threads` is slower at passing messages), else a `worker_threads` one (Node).
 */
function startChannel(url: URL): Channel {
  const Web = (globalThis as { Worker?: WebWorkerClass }).Worker;
  if (Web) {
    const worker = new Web(url, { type: "module" });
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handler) => worker.onmessage = (event) => handler(event.data),
      onError: (handler) =>
        worker.onerror = (event) => {
          event.preventDefault();
          handler(new Error(event.message));
        },
      terminate: () => Promise.resolve(worker.terminate()),
    };
  }
  const worker = new Worker(url);
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => void worker.on("message", handler),
    onError: (handler) => {
      worker.on("error", handler);
      worker.on("exit", () => handler(new Error("The Parquet encoding worker stopped")));
    },
    terminate: async () => void await worker.terminate(),
  };
}

/** A worker thread encoding points files; files are opened with {@linkcode EncoderThread.open}. */
export class EncoderThread {
  readonly #channel: Channel;
  readonly #files = new Map<number, RemoteFileEvents>();
  #nextId = 1;
  #failure: Error | undefined;

  private constructor(channel: Channel) {
    this.#channel = channel;
  }

  /**
   * Starts the worker, or gives `undefined` when it cannot start (the caller then encodes in its
   * own thread): its module is TypeScript, which Deno and Bun run from source; Node 20 (the
   * npm package) and compiled binaries do not have it as a module they can load.
   */
  static start(): Promise<EncoderThread | undefined> {
    let channel: Channel;
    try {
      channel = startChannel(new URL("./_points_worker.ts", import.meta.url));
    } catch {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      let thread: EncoderThread | undefined;
      channel.onError((error) => {
        if (thread) thread.#stop(error);
        else {
          resolve(undefined);
          void channel.terminate();
        }
      });
      channel.onMessage((message) => {
        if (thread) thread.#receive(message);
        else if (message.op === "ready") resolve(thread = new EncoderThread(channel));
      });
    });
  }

  /** Opens a file in the worker; returns its id, to send rows, finish or abort with. */
  open(compression: ParquetCompression, events: RemoteFileEvents): number {
    if (this.#failure) throw this.#failure;
    const id = this.#nextId++;
    this.#files.set(id, events);
    this.#channel.post({ op: "open", id, compression }, []);
    return id;
  }

  /** Sends a message about an open file (the block buffers of `rows` are transferred). */
  send(message: ToWorker): void {
    if (this.#failure) throw this.#failure;
    if (message.op === "abort") this.#files.delete(message.id);
    if (message.op === "rows") {
      const { keyIndex, steps, values, timestamps } = message;
      this.#channel.post(message, [
        keyIndex.buffer,
        steps.buffer,
        values.buffer,
        timestamps.buffer,
      ]);
    } else this.#channel.post(message, []);
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.#failure ??= new Error("The Parquet encoding worker was closed");
    await this.#channel.terminate();
  }

  #receive(message: FromWorker): void {
    const file = this.#files.get(message.id);
    if (!file) return;
    if (message.op === "free") file.free(message);
    else if (message.op === "done") {
      this.#files.delete(message.id);
      file.done(message.rows, message.chunks);
    } else if (message.op === "error") {
      this.#files.delete(message.id);
      const error = new Error(message.message);
      error.name = message.name;
      file.error(error);
    }
  }

  #stop(error: Error): void {
    this.#failure ??= error;
    for (const file of this.#files.values()) file.error(error);
    this.#files.clear();
  }
}
