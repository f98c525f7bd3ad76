/**
 * Binds a `(Request) => Promise<Response>` handler to a TCP port: the only runtime-specific
 * file of the server.
 *
 * Every runtime uses `node:http`, deliberately:
 * - Deno: `Deno.serve` cannot drop a connection before the status line is sent, and an injected
 *   connection reset must make the client's `fetch()` itself reject. (Streaming throughput of
 *   `node:http` on Deno was measured equal to or better than `Deno.serve` for large CSV bodies.)
 * - Bun: `Bun.serve` sends streamed bodies chunked, dropping `Content-Length` (so a cut
 *   download cannot be told from a short file), and drops the status line and headers too when
 *   a body fails in the tick that produced its first bytes (a truncation becomes a reset).
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isResetResponse } from "./faults.ts";

/**
 * A request handler (a runtime-free app).
 *
 * @example A handler
 * ```ts
 * import type { Handler } from "./listen.ts";
 * const handler: Handler = (req) => Promise.resolve(new Response(req.url));
 * ```
 */
export type Handler = (request: Request) => Promise<Response>;

/**
 * A bound listener.
 *
 * @example Close it
 * ```ts ignore
 * import { listen } from "./listen.ts";
 * const l = await listen((r) => Promise.resolve(new Response("ok")), { hostname: "127.0.0.1", port: 0 });
 * await l.close();
 * ```
 */
export interface Listener {
  /** Bound hostname. */
  hostname: string;
  /** Bound port. */
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
  /** Closes idle keep-alive connections (so the next requests open new ones). */
  closeIdle(): void;
}

/**
 * Where to listen.
 *
 * @example Ephemeral port on loopback
 * ```ts
 * import type { ListenOptions } from "./listen.ts";
 * const o: ListenOptions = { hostname: "127.0.0.1", port: 0 };
 * ```
 */
export interface ListenOptions {
  /** Interface to bind. */
  hostname: string;
  /** Port (0 = ephemeral). */
  port: number;
  /**
   * Largest request body accepted, in bytes; a larger one is answered 413 without being kept
   * in memory (its bytes are read and dropped, so that the client sees the answer).
   * @default unlimited
   */
  maxBodyBytes?: number;
}

/**
 * Starts serving `handler`.
 *
 * @param handler the app
 * @param options hostname and port
 * @returns the bound listener
 *
 * @example Serve and close
 * ```ts ignore
 * import { listen } from "./listen.ts";
 * const l = await listen(() => Promise.resolve(new Response("ok")), { hostname: "127.0.0.1", port: 0 });
 * console.log(`http://${l.hostname}:${l.port}`);
 * await l.close();
 * ```
 */
export function listen(handler: Handler, options: ListenOptions): Promise<Listener> {
  return listenNode(handler, options);
}

function toRequest(
  req: IncomingMessage,
  body: Uint8Array<ArrayBuffer> | undefined,
  host: string,
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const init: RequestInit = { method: req.method ?? "GET", headers };
  if (body && body.length > 0) init.body = body;
  return new Request(`http://${host}${req.url ?? "/"}`, init);
}

/** A request body larger than the listener's limit. */
class BodyTooLarge extends Error {}

function readBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (req.method === "GET" || req.method === "HEAD") {
    req.resume();
    return Promise.resolve(undefined);
  }
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // read and drop: the client gets the 413 instead of a broken pipe
    return Promise.reject(new BodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Uint8Array) => {
      size += c.length;
      if (size > maxBytes) {
        if (!tooLarge) reject(new BodyTooLarge());
        tooLarge = true;
        chunks.length = 0;
      }
      if (!tooLarge) chunks.push(c);
    });
    req.on("end", () => {
      if (tooLarge) return;
      let n = 0;
      for (const c of chunks) n += c.length;
      const out = new Uint8Array(n);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      resolve(out);
    });
    req.on("error", reject);
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  let closed = false;
  let flushed: Promise<void> = Promise.resolve();
  res.on("close", () => {
    if (!res.writableFinished) {
      closed = true;
      reader.cancel().catch(() => {});
    }
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (closed) return;
      let ok = true;
      flushed = new Promise<void>((resolve) => {
        ok = res.write(value, () => resolve());
      });
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
    }
    res.end();
  } catch {
    // The body failed (e.g. an injected truncation): let what was written reach the client,
    // then cut the connection mid-body.
    await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, 200))]);
    res.destroy();
  }
}

function listenNode(handler: Handler, options: ListenOptions): Promise<Listener> {
  const sockets = new Set<Socket>();
  // IPv6 literals need brackets in a URL authority ("[::1]:8000").
  const name = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  let host = `${name}:${options.port}`;
  const server = createServer((req, res) => {
    (async (): Promise<void> => {
      let body: Uint8Array<ArrayBuffer> | undefined;
      try {
        body = await readBody(req, options.maxBodyBytes ?? Infinity);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({
          code: "413",
          message: `Request body too large: the limit is ${options.maxBodyBytes} bytes`,
        }));
        return;
      }
      const response = await handler(toRequest(req, body, host));
      if (isResetResponse(response)) {
        response.body?.cancel().catch(() => {});
        req.socket.destroy();
        return;
      }
      await writeResponse(res, response);
    })().catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "500", message: "Internal server error" }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      const address = server.address() as AddressInfo;
      host = `${name}:${address.port}`;
      resolve({
        hostname: options.hostname,
        port: address.port,
        close: (): Promise<void> =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
            server.closeAllConnections?.();
          }),
        closeIdle: (): void => {
          server.closeIdleConnections?.();
        },
      });
    });
  });
}
