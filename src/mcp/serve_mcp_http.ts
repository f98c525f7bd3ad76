/**
 * {@linkcode serveMcpHttp}: the MCP streamable HTTP transport on 127.0.0.1, stateless (a fresh
 * server and transport per request, so requests never share state), with DNS-rebinding
 * protection (only `127.0.0.1:PORT` and `localhost:PORT` are accepted as `Host`, and a browser's
 * `Origin`, when sent, must be one of them).
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

/** The path the MCP endpoint answers on.
 *
 * @example
 * ```ts
 * import { MCP_HTTP_PATH } from "./serve_mcp_http.ts";
 *
 * console.log(`http://127.0.0.1:8765${MCP_HTTP_PATH}`);
 * ```
 */
export const MCP_HTTP_PATH = "/mcp";

/**
 * Options of {@linkcode serveMcpHttp}.
 *
 * @example
 * ```ts ignore
 * const options: McpHttpOptions = { port: 0, createServer: () => createMcpServer({ api }) };
 * ```
 */
export interface McpHttpOptions {
  /**
   * The port on 127.0.0.1 (0 picks a free one).
   * @default 0
   */
  port?: number;
  /** Creates the MCP server of one request. */
  createServer: () => McpServer;
  /** Receives transport errors (for a log on stderr). */
  onError?: (error: Error) => void;
}

/**
 * A running MCP HTTP endpoint.
 *
 * @example
 * ```ts ignore
 * const endpoint = await serveMcpHttp({ createServer });
 * console.error(endpoint.url);
 * await endpoint.close();
 * ```
 */
export interface McpHttpEndpoint {
  /** The endpoint URL, e.g. `http://127.0.0.1:8765/mcp`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves MCP over streamable HTTP on 127.0.0.1 until closed.
 *
 * @param options The port and the server factory.
 * @returns The endpoint.
 * @throws {Error} When the port cannot be bound.
 *
 * @example Serve on a free port
 * ```ts ignore
 * import { serveMcpHttp } from "./serve_mcp_http.ts";
 *
 * const endpoint = await serveMcpHttp({ createServer: () => createMcpServer({ api }) });
 * ```
 */
export async function serveMcpHttp(options: McpHttpOptions): Promise<McpHttpEndpoint> {
  let allowedHosts: string[] = [];
  let allowedOrigins: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path !== MCP_HTTP_PATH) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: use ${MCP_HTTP_PATH}`);
      return;
    }
    // Stateless: no session, so no server-initiated stream (GET) and nothing to end (DELETE).
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST", "content-type": "text/plain" })
        .end("Method not allowed: this stateless MCP endpoint takes POST only");
      return;
    }
    // Browsers send Origin: a page from elsewhere must not drive the server (CSRF).
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.includes(origin)) {
      res.writeHead(403, { "content-type": "text/plain" }).end(`Forbidden origin: ${origin}`);
      return;
    }
    const server = options.createServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      enableDnsRebindingProtection: true,
      allowedHosts,
    });
    transport.onerror = (error: Error) => options.onError?.(error);
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error) => {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  allowedOrigins = allowedHosts.map((host) => `http://${host}`);
  return {
    url: `http://127.0.0.1:${port}${MCP_HTTP_PATH}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  };
}
