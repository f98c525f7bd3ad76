/**
 * Shared fixtures of the MCP tests: an official MCP client connected in-process to
 * `createMcpServer`, and checks of tool results.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Api } from "../../mod.ts";
import { createMcpServer } from "../../src/mcp/create_mcp_server.ts";
import type { LocalServer } from "../../src/server/mod.ts";

/** An MCP client connected in-process to a server over `api`. */
export async function connectInMemory(api: Api, secrets: string[] = []): Promise<Client> {
  const server = createMcpServer({ api, secrets });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: "swanlab-ts-test", version: "1.0.0" });
  await client.connect(clientTransport);
  return client;
}

/** The text of a tool result's first content block. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  assert.ok(first && first.type === "text", "the result has a text block first");
  return first.text;
}

/** Calls a tool that must succeed; returns its structured content (with its text). */
export async function callOk<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<T & { __text: string }> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  assert.notEqual(result.isError, true, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.ok(result.structuredContent, `${name} returned no structured content`);
  return { ...(result.structuredContent as T), __text: textOf(result) };
}

/** Calls a tool that must fail; returns its error text. */
export async function callError(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  assert.equal(result.isError, true, `${name} succeeded: ${JSON.stringify(result).slice(0, 300)}`);
  assert.equal(result.structuredContent, undefined);
  return textOf(result);
}

/** Every session id the server saw in a cookie. */
export function sessionIds(server: LocalServer): string[] {
  const sids = new Set<string>();
  for (const request of server.requests) {
    const sid = /sid=([^;\s]+)/.exec(request.headers["cookie"] ?? "")?.[1];
    if (sid) sids.add(sid);
  }
  return [...sids];
}

/** Asserts a text holds none of the secrets and no stack trace. */
export function assertClean(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 300)}`);
  }
  assert.doesNotMatch(text, /\n\s+at /, "a stack trace leaked");
}

/** The name of every tool the server must offer. */
export const TOOL_NAMES = [
  "whoami",
  "list_workspaces",
  "list_projects",
  "list_runs",
  "get_run",
  "summarize_runs",
  "list_metric_keys",
  "get_metrics",
  "get_logs",
  "get_media",
] as const;
