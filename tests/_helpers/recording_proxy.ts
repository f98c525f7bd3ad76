/**
 * A small recording HTTP proxy for the proxy tests, bound to 127.0.0.1 and bounded in time.
 *
 * @module
 */

import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request the proxy received. */
export interface Seen {
  method: string;
  target: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** Its URL, e.g. `http://127.0.0.1:40000`. */
  url: string;
  /** Every request: forwarded ones with their absolute URI, and CONNECT tunnels. */
  seen: Seen[];
  /** Every byte received, as text (to prove a secret never reached the proxy). */
  raw: string[];
  /** Stops it (it also stops by itself after two minutes). */
  close(): Promise<void>;
}

/**
 * A forward (absolute-URI) and CONNECT proxy on 127.0.0.1 that records what it receives:
 * forwarded requests are passed on; CONNECT tunnels are recorded and refused (the tests have no
 * TLS server to tunnel to).
 */
export async function startProxy(): Promise<RecordingProxy> {
  const seen: Seen[] = [];
  const raw: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", target: req.url ?? "", headers: { ...req.headers } });
    const target = new URL(req.url ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("data", (chunk: Uint8Array) => raw.push(new TextDecoder().decode(chunk)));
    socket.on("close", () => sockets.delete(socket));
  });
  // CONNECT: recorded, then refused (the test has no TLS server to tunnel to).
  server.on("connect", (req, socket: Socket) => {
    seen.push({ method: "CONNECT", target: req.url ?? "", headers: { ...req.headers } });
    socket.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // Bounded: the proxy stops by itself even if a test forgets to close it.
  const stop = setTimeout(() => server.close(), 120_000);
  (stop as { unref?: () => void }).unref?.();
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    raw,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(stop);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
