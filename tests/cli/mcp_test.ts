import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LocalServer } from "../../src/server/mod.ts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { run } from "../../src/cli/main.ts";
import { captureIo, runCli, serverEnv, startTestServer } from "./_helpers.ts";

const request = (id: number, method: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n";

const INITIALIZE = request(1, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "piped", version: "1" },
});
const INITIALIZED = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n";

describe("swanlab-ts mcp (in-process, stdio)", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("answers piped requests with protocol lines only on stdout, then exits 0", async () => {
    const result = await runCli(["mcp"], {
      env: serverEnv(server),
      stdin: [
        INITIALIZE,
        INITIALIZED,
        request(2, "tools/list"),
        request(3, "tools/call", { name: "whoami", arguments: {} }),
        request(4, "tools/call", { name: "get_run", arguments: { run: "not-a-path" } }),
      ],
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.ok(lines.every((m) => m.jsonrpc === "2.0"), "stdout holds only JSON-RPC");
    const byId = new Map(lines.map((m) => [m.id, m]));
    assert.equal(byId.get(1).result.serverInfo.name, "swanlab-ts");
    assert.equal(byId.get(2).result.tools.length, 10);
    assert.equal(byId.get(3).result.structuredContent.user.username, "alice");
    assert.equal(byId.get(4).result.isError, true);
    assert.match(byId.get(4).result.content[0].text, /path/);
    assert.match(result.stderr, /MCP server on stdio/);
    assert.ok(!result.stdout.includes(server.apiKey));
    assert.ok(!result.stderr.includes(server.apiKey));
  });

  it("uses --host and --api-key like every other command (warning on stderr only)", async () => {
    const env = serverEnv(server);
    delete env["SWANLAB_API_HOST"];
    delete env["SWANLAB_API_KEY"];
    const result = await runCli(["mcp", "--host", server.host, "--api-key", server.apiKey], {
      env,
      stdin: [INITIALIZE, request(2, "tools/call", { name: "whoami", arguments: {} })],
    });
    assert.equal(result.code, 0, result.stderr);
    const answers = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    const answer = answers.find((m) => m.id === 2);
    assert.equal(answer.result.structuredContent.user.username, "alice");
    assert.match(result.stderr, /warning: --api-key exposes the key/);
  });

  it("never sends a key stored for another host (a tool error says why)", async () => {
    const result = await runCli(["mcp", "--host", server.host], {
      env: { ...serverEnv(server), SWANLAB_API_HOST: "https://api.swanlab.cn" },
      stdin: [INITIALIZE, request(2, "tools/call", { name: "whoami", arguments: {} })],
    });
    assert.equal(result.code, 0, result.stderr);
    const answer = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l)).find((m) =>
      m.id === 2
    );
    assert.equal(answer.result.isError, true);
    assert.match(answer.result.content[0].text, /No API key found for/);
    assert.ok(!result.stdout.includes(server.apiKey));
  });

  it("refuses --api-key-stdin on stdio (usage error, exit 2)", async () => {
    const result = await runCli(["mcp", "--api-key-stdin"], {
      env: serverEnv(server),
      stdin: "key\n",
    });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /--api-key-stdin/);
  });

  it("--http serves on 127.0.0.1 with the key from --api-key-stdin until a stop signal", async () => {
    const env = serverEnv(server);
    delete env["SWANLAB_API_KEY"];
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((resolve) => stop = resolve);
    const { io, stdout, stderr } = captureIo({
      env,
      stdin: `${server.apiKey}\n`,
      waitForSignal: () => stopped,
    });
    const exit = run(["mcp", "--http", "0", "--api-key-stdin"], io);
    let url: string | undefined;
    for (let i = 0; i < 200 && url === undefined; i++) {
      url = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr())?.[1];
      if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(url, `no URL on stderr: ${stderr()}`);
    const client = new Client({ name: "cli-http", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const result = await client.callTool({ name: "whoami", arguments: {} });
    await client.close();
    assert.equal(
      (result.structuredContent as { user: { username: string } }).user.username,
      "alice",
    );
    stop("SIGTERM");
    assert.equal(await exit, 0);
    assert.equal(stdout(), "");
    assert.match(stderr(), /Stopping \(SIGTERM\)/);
    assert.ok(!stderr().includes(server.apiKey));
  });

  it("shows the command in the top-level help", async () => {
    const result = await runCli(["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /mcp\s+MCP server for agents/);
  });
});
