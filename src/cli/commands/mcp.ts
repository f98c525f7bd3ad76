/**
 * `swanlab-ts mcp`: an MCP server for coding and research agents, on stdio (default) or
 * streamable HTTP on 127.0.0.1 (`--http PORT`). The MCP server's modules (and the MCP SDK) are
 * loaded only when this command runs, with computed specifiers (`importModule`), so that neither
 * other commands nor `mcp --help` read them.
 *
 * @module
 */

import { integer, message, object, option, optional, type Parser } from "@optique/core";
import { type CommandContext, UsageError } from "../context.ts";
import { errorMessage } from "../error_message.ts";
import { importModule } from "../lazy_import.ts";
import { connectionOptions, type Invocation, leaf } from "../options.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

/**
 * Runs the MCP server until standard input ends (stdio) or a stop signal (HTTP).
 *
 * @param ctx The command context.
 * @param httpPort The HTTP port, or `undefined` for stdio.
 * @returns The exit code.
 */
async function serveMcp(ctx: CommandContext, httpPort: number | undefined): Promise<number> {
  let api;
  let secrets: string[];
  try {
    if (httpPort === undefined && ctx.common.apiKeyStdin) {
      throw new UsageError(
        "--api-key-stdin cannot be used with the stdio transport (standard input carries the " +
          "protocol): use SWANLAB_API_KEY, `swanlab-ts login`, or --http",
      );
    }
    api = await ctx.api();
    secrets = [await ctx.apiKey(), ctx.io.env["SWANLAB_API_KEY"]]
      .filter((s): s is string => typeof s === "string" && s !== "");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Not through ctx.fail(): on stdio even a usage error must not print an envelope on stdout.
    await ctx.error(error.message);
    await ctx.note("Try 'swanlab-ts mcp --help' for more information.");
    return 2;
  }
  const { createMcpServer } = await importModule<
    typeof import("../../mcp/create_mcp_server.ts")
  >("src/mcp/create_mcp_server.ts");
  const create = () => createMcpServer({ api, secrets });
  // Only protocol goes to stdout on stdio; every diagnostic goes to stderr, without secrets.
  const { SecretRedactor } = await import("../../core/redact.ts");
  const redactor = new SecretRedactor();
  for (const secret of secrets) redactor.add(secret);
  const log = (error: Error) => void ctx.note(`mcp: ${redactor.redact(errorMessage(error))}`);

  if (httpPort === undefined) {
    const { LineStdioTransport } = await importModule<
      typeof import("../../mcp/line_stdio_transport.ts")
    >("src/mcp/line_stdio_transport.ts");
    const transport = new LineStdioTransport({ input: ctx.io.stdin, output: ctx.io.stdout });
    transport.onerror = log;
    const server = create();
    await server.connect(transport);
    await ctx.note("swanlab-ts MCP server on stdio; it stops when standard input closes.");
    await transport.closed;
    await server.close();
    return 0;
  }

  const { serveMcpHttp } = await importModule<typeof import("../../mcp/serve_mcp_http.ts")>(
    "src/mcp/serve_mcp_http.ts",
  );
  let endpoint;
  try {
    endpoint = await serveMcpHttp({ port: httpPort, createServer: create, onError: log });
  } catch (error) {
    await ctx.error(
      `Cannot start the MCP HTTP server on 127.0.0.1:${httpPort}: ${errorMessage(error)}`,
    );
    return 1;
  }
  try {
    await ctx.note(`swanlab-ts MCP server (streamable HTTP): ${endpoint.url}`);
    await ctx.waitUntilStopped();
  } finally {
    await endpoint.close();
  }
  return 0;
}

/**
 * The `mcp` command.
 *
 * @returns The command parser.
 *
 * @example Build the mcp command
 * ```ts ignore
 * import { mcpCommand } from "./mcp.ts";
 *
 * const parser = mcpCommand();
 * ```
 */
export function mcpCommand(): Parser<"sync", Invocation, unknown> {
  return leaf(
    "mcp",
    object({
      http: optional(option("--http", integer({ min: 0, max: 65535, metavar: "PORT" }), {
        description:
          message`Serve streamable HTTP on 127.0.0.1:PORT (path /mcp; 0 picks a free port) instead of stdio.`,
      })),
      ...connectionOptions(),
    }),
    (ctx, o) => serveMcp(ctx, o.http),
    {
      brief: GROUP_BRIEFS.mcp,
      description:
        "Start an MCP (Model Context Protocol) server that lets agents (Claude Code, Cursor,\n" +
        "Codex, …) query workspaces, projects, runs, metrics, logs and media, read-only.\n" +
        "Credentials and host as every other command (--host, SWANLAB_API_KEY/SWANLAB_API_HOST,\n" +
        "`swanlab-ts login`). On stdio only protocol goes to stdout; logs go to stderr. Every tool\n" +
        "result is at most 50 KB.",
      examples: [
        "swanlab-ts mcp",
        "swanlab-ts mcp --host http://127.0.0.1:8000",
        "swanlab-ts mcp --http 8765",
      ],
    },
  );
}
