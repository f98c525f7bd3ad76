/**
 * End to end: `swanlab-ts mcp` started as a subprocess (`deno run -A cli.ts mcp`, or the same
 * file under Bun) against the local server, driven by the official MCP client over stdio and
 * over streamable HTTP.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Api } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { exerciseEveryTool } from "./_scenario.ts";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** The command line of `swanlab-ts mcp …` on the current runtime. */
function mcpArgs(extra: string[] = []): string[] {
  return isDeno ? ["run", "-A", CLI, "mcp", ...extra] : [CLI, "mcp", ...extra];
}

/** The environment of the child: the server's host and key, nothing else from SwanLab. */
function childEnv(server: LocalServer): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    NO_COLOR: "1",
    SWANLAB_API_HOST: server.host,
    SWANLAB_API_KEY: server.apiKey,
    SWANLAB_ROOT: "/nonexistent-swanlab-root",
  };
  // The runtime finds its module cache through these.
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "BUN_INSTALL"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The status of a JSON-RPC ping sent to the endpoint (POST by default) with extra headers. */
async function postStatus(
  port: number,
  headers: Record<string, string>,
  method = "POST",
): Promise<number> {
  const { request } = await import("node:http");
  return await new Promise<number>((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/mcp",
      method,
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    // A body only on POST: a GET or DELETE with a body is answered 400 by some HTTP stacks
    // before the handler runs (seen with Bun's client), which is not what the test is about.
    req.end(
      method === "POST" ? JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) : undefined,
    );
  });
}

describe("swanlab-ts mcp as a subprocess", () => {
  let server: LocalServer;
  let api: Api;
  before(async () => {
    server = await startServer({ runs: 6, steps: 200, logLines: 60 });
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
  });
  after(async () => {
    await server.close();
  });

  it("serves every tool over stdio to the official client", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: mcpArgs(),
      env: childEnv(server),
      stderr: "pipe",
    });
    const stderr: string[] = [];
    transport.stderr?.on("data", (chunk: Uint8Array) => stderr.push(String(chunk)));
    const client = new Client({ name: "e2e-stdio", version: "1.0.0" });
    // A line on stdout that is not a JSON-RPC message would be reported here.
    const protocolErrors: Error[] = [];
    client.onerror = (error: Error) => void protocolErrors.push(error);
    await client.connect(transport);
    try {
      assert.equal(client.getServerVersion()?.name, "swanlab-ts");
      await exerciseEveryTool(client, api, server);
    } finally {
      await client.close();
    }
    assert.deepEqual(protocolErrors.map((e) => e.message), []);
    const text = stderr.join("");
    assert.match(text, /MCP server on stdio/);
    assert.ok(!text.includes(server.apiKey));
  });

  it("serves every tool over streamable HTTP on 127.0.0.1", async () => {
    const child: ChildProcess = spawn(process.execPath, mcpArgs(["--http", "0"]), {
      env: childEnv(server),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stderr!.on("data", (chunk: Uint8Array) => {
          text += String(chunk);
          const match = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(text);
          if (match) resolve(match[1]!);
        });
        child.on("exit", (code) => reject(new Error(`mcp exited (${code}): ${text}`)));
      });
      const client = new Client({ name: "e2e-http", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        await exerciseEveryTool(client, api, server);
      } finally {
        await client.close();
      }
      // DNS-rebinding and CSRF protection: a foreign Host or browser Origin is refused.
      const port = Number(new URL(url).port);
      assert.equal(await postStatus(port, { host: "evil.example:80" }), 403);
      assert.equal(await postStatus(port, { origin: "http://evil.example" }), 403);
      assert.equal(await postStatus(port, { origin: `http://127.0.0.1:${port}` }), 200);
      // Stateless: no standalone event stream to hang on, no session to delete.
      assert.equal(await postStatus(port, {}, "GET"), 405);
      assert.equal(await postStatus(port, {}, "DELETE"), 405);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});
