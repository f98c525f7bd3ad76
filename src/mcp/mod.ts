/**
 * An MCP (Model Context Protocol) server over the swanlab-ts client, for agents: ten read-only
 * tools (projects, runs, run tables, metrics, logs, media), the run and project resources and the
 * "compare runs of a sweep" prompt. Every result stays under {@linkcode MAX_RESULT_BYTES}, inputs
 * are checked before any request, nothing is written or deleted, and the API key never appears in
 * a message.
 *
 * `swanlab-ts mcp` serves it on stdio (or `--http PORT`); this module is for programs that embed
 * it: connect {@linkcode createMcpServer}'s server to any transport of the MCP SDK, or serve it
 * over streamable HTTP on 127.0.0.1 with {@linkcode serveMcpHttp}.
 *
 * @example Serve over HTTP on a free port of 127.0.0.1
 * ```ts ignore
 * import { Api } from "@swanlab-ts/api";
 * import { createMcpServer, serveMcpHttp } from "@swanlab-ts/api/mcp";
 *
 * const api = new Api(); // SWANLAB_API_KEY, SWANLAB_API_HOST, or `swanlab-ts login`
 * const endpoint = await serveMcpHttp({ createServer: () => createMcpServer({ api }) });
 * console.error(`MCP endpoint: ${endpoint.url}`);
 * ```
 *
 * @module
 */

export { createMcpServer, type McpServerOptions } from "./create_mcp_server.ts";
export {
  MCP_HTTP_PATH,
  type McpHttpEndpoint,
  type McpHttpOptions,
  serveMcpHttp,
} from "./serve_mcp_http.ts";
export { MAX_RESULT_BYTES } from "./output_bound.ts";
