/**
 * Private: the worker thread that encodes the mirror's points files (see `points_worker.ts`).
 * It receives column blocks (their buffers transferred, then given back), writes them with
 * {@linkcode MetricsParquetWriter} into memory, and answers each file's chunks at its end.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import type { ByteSink } from "../export/byte_sink.ts";
import { MetricsParquetWriter } from "../export/metrics_parquet_writer.ts";
import type { FromWorker, ToWorker } from "./_points_protocol.ts";

interface OpenFile {
  writer: Promise<MetricsParquetWriter>;
  chunks: Uint8Array<ArrayBuffer>[];
  keys: readonly string[];
  /** The file's messages, handled in order. */
  queue: Promise<void>;
  failed: boolean;
}

/** The thread's port: a Web Worker's scope (Deno, Bun), else `worker_threads` (Node). */
interface Port {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  on(handler: (message: ToWorker) => void): void;
}

const scope = globalThis as unknown as {
  postMessage?: (message: unknown, transfer?: ArrayBuffer[]) => void;
  onmessage?: (event: { data: ToWorker }) => void;
};
const port: Port = typeof scope.postMessage === "function"
  ? {
    postMessage: (message, transfer) => scope.postMessage!(message, transfer ?? []),
    on: (handler) => scope.onmessage = (event) => handler(event.data),
  }
  : {
    postMessage: (message, transfer) => parentPort!.postMessage(message, transfer ?? []),
    on: (handler) => void parentPort!.on("message", handler),
  };
const files = new Map<number, OpenFile>();

function fail(id: number, file: OpenFile | undefined, error: unknown): void {
  if (file) file.failed = true;
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ op: "error", id, name, message });
}

port.on((message) => {
  const { id } = message;
  if (message.op === "open") {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const sink: ByteSink = {
      write: (chunk) => {
        chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk.slice());
        return Promise.resolve();
      },
      commit: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    };
    const writer = MetricsParquetWriter.create(sink, {
      includeRun: false,
      rowGroupSize: 100_000,
      compression: message.compression,
    });
    files.set(id, { writer, chunks, keys: [], queue: Promise.resolve(), failed: false });
    return;
  }
  const file = files.get(id);
  if (!file) return;
  file.queue = file.queue.then(async () => {
    if (file.failed) return;
    try {
      const writer = await file.writer;
      if (message.op === "rows") {
        if (message.keys) file.keys = message.keys;
        const { keyIndex, steps, values, timestamps } = message;
        await writer.writeColumns({
          run: "",
          length: message.length,
          keys: file.keys,
          keyIndex,
          steps,
          values,
          timestamps,
        });
        port.postMessage({ op: "free", id, keyIndex, steps, values, timestamps }, [
          keyIndex.buffer,
          steps.buffer,
          values.buffer,
          timestamps.buffer,
        ]);
      } else if (message.op === "finish") {
        await writer.commit();
        files.delete(id);
        const buffers = file.chunks.map((c) => c.buffer);
        port.postMessage({ op: "done", id, rows: writer.rows, chunks: file.chunks }, buffers);
      } else {
        files.delete(id);
        await writer.abort();
      }
    } catch (error) {
      files.delete(id);
      fail(id, file, error);
    }
  });
});

port.postMessage({ op: "ready", id: 0 });
