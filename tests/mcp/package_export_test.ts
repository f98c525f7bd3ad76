import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { Api } from "../../mod.ts";
import {
  createMcpServer,
  MAX_RESULT_BYTES,
  MCP_HTTP_PATH,
  type McpHttpEndpoint,
  serveMcpHttp,
} from "../../src/mcp/mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";

// The `./mcp` entry of the package (`src/mcp/mod.ts`), as an embedding program uses it: a server made by
// `createMcpServer`, served by `serveMcpHttp`, read by the official MCP client over HTTP.
describe("the ./mcp package entry", () => {
  let server: LocalServer;
  let endpoint: McpHttpEndpoint;
  let client: Client;
  let api: Api;
  before(async () => {
    server = await startServer({ runs: 3 });
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
    endpoint = await serveMcpHttp({
      createServer: () => createMcpServer({ api, secrets: [server.apiKey] }),
    });
    client = new Client({ name: "embedding-program", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint.url)));
  });
  after(async () => {
    await client.close();
    await endpoint.close();
    await server.close();
  });

  it("serves the read-only tools on 127.0.0.1 under MCP_HTTP_PATH", async () => {
    const url = new URL(endpoint.url);
    assert.equal(url.hostname, "127.0.0.1");
    assert.equal(url.pathname, MCP_HTTP_PATH);
    assert.equal(String(endpoint.port), url.port);
    const { tools } = await client.listTools();
    const names = (tools as Tool[]).map((tool) => tool.name);
    assert.ok(names.includes("whoami") && names.includes("list_runs"), names.join(", "));
    assert.ok((tools as Tool[]).every((tool) => tool.annotations?.readOnlyHint === true));
  });

  it("answers whoami with the library's user, within the result bound, without the key", async () => {
    const result = await client.callTool({ name: "whoami", arguments: {} }) as CallToolResult;
    assert.notEqual(result.isError, true);
    const user = (result.structuredContent as { user: { username: string } }).user;
    assert.equal(user.username, await api.username);
    const text = JSON.stringify(result);
    assert.ok(new TextEncoder().encode(text).length <= MAX_RESULT_BYTES);
    assert.ok(!text.includes(server.apiKey));
  });
});
