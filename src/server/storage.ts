/**
 * The storage origin: a second listener serving presigned objects (CSV exports, log exports,
 * media PNGs). Every URL must carry a valid, unexpired `X-Signature`; anything else is 403.
 *
 * @module
 */

import { createCsvExportStream } from "./csv_export.ts";
import type { FaultInjector } from "./faults.ts";
import { newTraceId } from "./http.ts";
import type { UrlSigner } from "./signing.ts";
import type { RunLogs } from "./data_source.ts";
import { dataOf, type Store } from "./store.ts";
import { sleep } from "./time.ts";

function s3Error(status: number, code: string, message: string): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message></Error>\n`;
  return new Response(body, { status, headers: { "content-type": "application/xml" } });
}

function logExportStream(logs: RunLogs, start: number, rows: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const end = Math.min(logs.count, start + rows);
  let i = Math.max(0, start);
  return new ReadableStream<Uint8Array>({
    pull(controller): void {
      let chunk = "";
      while (i < end && chunk.length < 65536) chunk += logs.exportLine(i++) + "\n";
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (i >= end) controller.close();
    },
  }, { highWaterMark: 1 });
}

/**
 * Streams bytes held in memory as views of at most 1 MiB, without copying them.
 *
 * Why not `new Response(bytes)`: a `Response` copies a byte body whole when it is made. For a
 * cached CSV export (about 26 MB per run in bench (h)) that copy cost the server about half a
 * second per mirror of 20 runs, on the same two cores as the client being measured.
 */
function byteChunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller): void {
      const end = Math.min(bytes.length, offset + (1 << 20));
      if (end > offset) controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      if (offset >= bytes.length) controller.close();
    },
  }, { highWaterMark: 0 });
}

/** Cuts a body: passes about half of the first chunk, then fails the stream. */
function truncated(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      if (sent) {
        reader.cancel().catch(() => {});
        controller.error(new Error("Injected truncation"));
        return;
      }
      const { done, value } = await reader.read();
      sent = true;
      if (done || !value) {
        controller.error(new Error("Injected truncation"));
        return;
      }
      controller.enqueue(value.subarray(0, Math.max(1, Math.floor(value.length / 2))));
    },
    cancel(): void {
      reader.cancel().catch(() => {});
    },
  });
}

/** Options of {@linkcode createStorageApp}. */
export interface StorageOptions {
  /** Bytes of CSV exports kept in memory for repeats (0 = no cache). */
  exportCacheBytes?: number;
}

/**
 * Remembers the bytes of recent CSV exports (least recently used first out), within a budget.
 *
 * @example
 * ```ts ignore
 * const cache = new ExportCache(1 << 20);
 * const body = cache.get("fp") ?? cache.fill("fp", stream);
 * ```
 */
class ExportCache {
  #budget: number;
  #used = 0;
  #entries = new Map<string, Uint8Array<ArrayBuffer>>();

  constructor(budget: number) {
    this.#budget = budget;
  }

  get(fingerprint: string): Uint8Array<ArrayBuffer> | undefined {
    const hit = this.#entries.get(fingerprint);
    if (hit) {
      this.#entries.delete(fingerprint);
      this.#entries.set(fingerprint, hit);
    }
    return hit;
  }

  /** Passes the stream through, and stores its bytes once complete if they fit the budget. */
  fill(fingerprint: string, stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    if (this.#budget === 0) return stream;
    const chunks: Uint8Array[] = [];
    let size = 0;
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          if (size <= this.#budget) {
            chunks.push(chunk);
            size += chunk.length;
          }
          controller.enqueue(chunk);
        },
        flush: () => {
          if (size > this.#budget) return;
          const bytes = new Uint8Array(size);
          let offset = 0;
          for (const chunk of chunks) {
            bytes.set(chunk, offset);
            offset += chunk.length;
          }
          while (this.#used + size > this.#budget && this.#entries.size > 0) {
            const [oldest, evicted] = this.#entries.entries().next().value!;
            this.#entries.delete(oldest);
            this.#used -= evicted.length;
          }
          this.#entries.set(fingerprint, bytes);
          this.#used += size;
        },
      }),
    );
  }
}

/**
 * Creates the storage handler.
 *
 * @param store server state (export jobs, runs)
 * @param signer URL signer shared with the presign endpoints
 * @param faults fault injector (truncation, latency)
 * @returns a `(Request) => Promise<Response>` handler
 *
 * @example Serve storage without a socket
 * ```ts ignore
 * const handler = createStorageApp(store, signer, faults);
 * const res = await handler(new Request(signer.sign("exports/x.csv", 60_000)));
 * ```
 */
export function createStorageApp(
  store: Store,
  signer: UrlSigner,
  faults: FaultInjector,
  options: StorageOptions = {},
): (request: Request) => Promise<Response> {
  const cache = new ExportCache(options.exportCacheBytes ?? 0);
  const serve = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const decision = faults.decide("storage");
    await sleep(decision.latencyMs);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return s3Error(405, "MethodNotAllowed", "Only GET is supported");
    }
    let key: string;
    try {
      key = url.pathname.slice(1).split("/").map(decodeURIComponent).join("/");
    } catch {
      return s3Error(400, "InvalidURI", "Cannot decode the object key");
    }
    const check = signer.verify(
      key,
      url.searchParams.get("X-Expires"),
      url.searchParams.get("X-Signature"),
    );
    if (check === "expired") return s3Error(403, "AccessDenied", "Request has expired");
    if (check !== "ok") {
      return s3Error(403, "SignatureDoesNotMatch", "The request signature does not match");
    }
    let body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>;
    let contentType: string;
    const job = store.exports.get(key);
    if (job?.kind === "csv") {
      body = cache.get(job.fingerprint) ??
        cache.fill(job.fingerprint, createCsvExportStream(job.columns));
      contentType = "text/csv; charset=utf-8";
    } else if (job?.kind === "log") {
      body = logExportStream(job.logs, job.start, job.rows);
      contentType = "text/plain; charset=utf-8";
    } else {
      const [projectCuid, runCuid, ...rest] = key.split("/");
      const run = runCuid ? store.runByCuid(runCuid) : undefined;
      const data = run ? dataOf(run).media : undefined;
      const media = run && data && run.projectCuid === projectCuid
        ? data.object(rest.join("/"))
        : undefined;
      if (!data || !media) return s3Error(404, "NoSuchKey", "The specified key does not exist");
      body = await media.bytes();
      contentType = media.contentType;
    }
    const headers: Record<string, string> = { "content-type": contentType };
    if (body instanceof Uint8Array) headers["content-length"] = String(body.length);
    if (request.method === "HEAD") {
      if (!(body instanceof Uint8Array)) await body.cancel();
      return new Response(null, { status: 200, headers });
    }
    const stream = body instanceof Uint8Array ? byteChunks(body) : body;
    if (decision.kind === "truncate") {
      return new Response(truncated(stream), { status: 200, headers });
    }
    return new Response(stream, { status: 200, headers });
  };
  return async (request: Request): Promise<Response> => {
    const res = await serve(request);
    res.headers.set("traceid", newTraceId());
    return res;
  };
}
