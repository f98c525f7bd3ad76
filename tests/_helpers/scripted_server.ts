/**
 * A tiny HTTP server on 127.0.0.1 whose answers are scripted per test, recording every request.
 * Used for transport tests (retries, timeouts, sessions) where the full local SwanLab server
 * would hide the behaviour under test. Runs on node:http, so it works under Deno, Bun and Node.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One received request. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Answers one request; may write headers and body, destroy the socket, or never answer. */
export type Script = (
  request: SeenRequest,
  response: ServerResponse,
  raw: IncomingMessage,
) => unknown;

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /** Replaces the script. */
  setScript(script: Script): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** Sends a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Starts a scripted server on an ephemeral port of 127.0.0.1. */
export async function startScriptedServer(initial: Script): Promise<ScriptedServer> {
  let script = initial;
  const requests: SeenRequest[] = [];
  const server = createServer((raw, response) => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(raw.headers)) {
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
      }
      const seen: SeenRequest = {
        method: raw.method ?? "GET",
        path: raw.url ?? "/",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      Promise.resolve(script(seen, response, raw)).catch((error) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    setScript(next) {
      script = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
