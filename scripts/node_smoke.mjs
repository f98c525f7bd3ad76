/**
 * Smoke test of the npm package on Node.js (20 or later): a plain ESM script, run by
 * `scripts/test_node.ts` in a temporary project where the `deno pack` tarball was installed with
 * npm. It imports the package by its npm name, talks real HTTP to a local server started by Deno
 * in another process, and prints TAP (`ok N - name` / `not ok N - name`).
 *
 * Environment:
 * - `SWANLAB_API_HOST`, `SWANLAB_API_KEY`: the local server; read by `new Api()` itself.
 * - `SMOKE_SERVER_OPTIONS`: the JSON options the server was started with (`runs`, `steps`), so
 *   counts can be checked exactly.
 *
 * Exits 1 when any check fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { createServer } from "node:net";
import {
  Api,
  ConnectionError,
  mirror,
  NotFoundError,
  SwanLabError,
  VERSION,
  writeMetricsParquet,
} from "@swanlab-ts/api";
import { startServer } from "@swanlab-ts/api/testing";

const SWEEP = "vision-lab/resnet-sweep";
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHECK_TIMEOUT_MS = 60_000;

const serverOptions = JSON.parse(process.env.SMOKE_SERVER_OPTIONS ?? "{}");
const expectedRuns = serverOptions.runs ?? 24;
const expectedSteps = serverOptions.steps ?? 1000;

let count = 0;
let failures = 0;

/**
 * Runs one named check and prints its TAP line, with the error as TAP diagnostics on failure.
 *
 * @param {string} name What the check proves.
 * @param {() => Promise<void>} fn The check; it fails by throwing.
 * @returns {Promise<void>}
 */
async function check(name, fn) {
  const n = ++count;
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    console.log(`ok ${n} - ${name}`);
  } catch (error) {
    failures++;
    console.log(`not ok ${n} - ${name}`);
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    for (const line of text.split("\n")) console.log(`  # ${line}`);
  } finally {
    clearTimeout(timer);
  }
}

console.log("TAP version 13");
console.log(`# node ${process.version}, @swanlab-ts/api ${VERSION}`);

// Credentials come from SWANLAB_API_HOST / SWANLAB_API_KEY, read through Node's process.env.
const api = new Api();
/** The run the run-level checks use: set by the run list check, addressed by its slug. */
let run;

await check("the package resolves by its npm name, with its version", async () => {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@swanlab-ts/api");
  const pkg = JSON.parse(await readFile(join(dirname(entry), "package.json"), "utf8"));
  assert.equal(pkg.name, "@swanlab-ts/api");
  assert.equal(VERSION, pkg.version);
});

await check("user info: logs in with the environment's key and reads the profile", async () => {
  const user = await api.user().json();
  assert.equal(user.username, "alice");
  assert.equal(user.name, "Alice Zhang");
  assert.equal(await api.username, "alice");
});

await check("list projects of a workspace", async () => {
  const projects = await api.projects("alice").toArray();
  const names = await Promise.all(projects.map((p) => p.name));
  assert.ok(names.includes("mnist-baseline"), names.join(", "));
});

await check("list runs page by page with all: true", async () => {
  const runs = await api.runsGet(SWEEP, { size: 10, all: true }).toArray();
  assert.equal(runs.length, expectedRuns);
  assert.equal(new Set(runs.map((r) => r.path)).size, expectedRuns);
  const names = await Promise.all(runs.map((r) => r.name));
  assert.ok(names.every((name) => name.startsWith("resnet-sweep-")), names.join(", "));
  const { slug } = await runs[0].load();
  run = api.run(`${SWEEP}/${slug}`);
});

await check("a run's json() has the Python SDK's keys", async () => {
  const json = await run.json();
  assert.deepEqual(Object.keys(json), [
    "created_at",
    "created_at_ts",
    "description",
    "finished_at",
    "group",
    "job_type",
    "labels",
    "name",
    "profile",
    "project_id",
    "root_exp_id",
    "root_pro_id",
    "run_id",
    "show",
    "state",
    "type",
    "url",
    "user",
  ]);
  assert.match(json.run_id, /^c[a-z0-9]{24}$/);
  assert.equal(typeof json.created_at_ts, "number");
});

let sampledCount = 0;
await check("sampled metrics: at most `sample` points per key, with statistics", async () => {
  const json = await run.metrics(["train/loss", "val/acc"], { sample: 50 });
  assert.deepEqual(json.list.map((s) => s.key), ["train/loss", "val/acc"]);
  const loss = json.list[0];
  sampledCount = loss.metrics.length;
  assert.ok(sampledCount > 0 && sampledCount <= 50, `${sampledCount} points`);
  assert.equal(typeof loss.metrics[0].index, "number");
  assert.ok(loss.min !== undefined && loss.max !== undefined);
});

await check("scanMetrics streams every point (full download count)", async () => {
  let points = 0;
  let lastStep = -1;
  for await (const point of run.scanMetrics(["train/loss"])) {
    assert.equal(point.key, "train/loss");
    assert.ok(point.step > lastStep, "steps increase");
    lastStep = point.step;
    points++;
  }
  assert.equal(points, expectedSteps);
  assert.equal(lastStep, expectedSteps - 1);
  assert.ok(points > sampledCount);
  const all = await run.metrics(["train/loss"], { all: true });
  assert.equal(all.list[0].metrics.length, points);
});

await check("summary gives the latest step and the statistics", async () => {
  const summary = await run.summary(["train/loss"]);
  const item = summary["train/loss"];
  assert.ok(item, JSON.stringify(summary));
  assert.equal(item.step, expectedSteps - 1);
  assert.equal(typeof item.min?.step, "number");
});

await check("logs: the first shard of INFO lines", async () => {
  const logs = await run.logs({ offset: 0, level: "INFO" });
  assert.equal(logs.key, "LOG");
  assert.ok(logs.count > 0 && logs.logs.length > 0);
  assert.equal(typeof logs.logs[0].message, "string");
});

await check("medias: presigned URLs download without credentials as PNGs", async () => {
  const media = await run.medias(["samples/image"], { step: 0 });
  const url = media.list[0]?.metrics[0]?.items[0]?.url;
  assert.ok(url, JSON.stringify(media));
  // A bare fetch: the URL's signature is its only authorization.
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/png");
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
});

await check("a missing run throws NotFoundError", async () => {
  const missing = api.run(`${SWEEP}/no-such-run`);
  await assert.rejects(missing.name, (error) => {
    assert.ok(error instanceof NotFoundError, String(error));
    assert.ok(error instanceof SwanLabError);
    assert.equal(error.status, 404);
    return true;
  });
});

await check("a refused connection names the host and Node's reason", async () => {
  // A port that was just free: nothing listens on it once the server is closed.
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const refused = new Api({
    host: `http://127.0.0.1:${port}`,
    apiKey: "k",
    env: {},
    maxRetries: 0,
  });
  await assert.rejects(refused.user().json(), (error) => {
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(
      error.message,
      `Cannot connect to http://127.0.0.1:${port}: POST /api/login/api_key ` +
        `(connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    return true;
  });
});

await check("the ./testing server runs on Node and serves the client", async () => {
  const server = await startServer({ runs: 2, steps: 20, logLines: 10 });
  try {
    const local = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
    const runs = await local.runs(SWEEP).toArray();
    assert.equal(runs.length, 2);
    let points = 0;
    for await (const _ of runs[0].scanMetrics(["lr"])) points++;
    assert.equal(points, 20);
  } finally {
    await server.close();
  }
});

await check("the ./mcp entry serves MCP over HTTP on Node", async () => {
  const { createMcpServer, serveMcpHttp } = await import("@swanlab-ts/api/mcp");
  const endpoint = await serveMcpHttp({ createServer: () => createMcpServer({ api }) });
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "node-smoke", version: "1.0.0" },
        },
      }),
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /"serverInfo":\{"name":"swanlab-ts","version":"/);
  } finally {
    await endpoint.close();
  }
});

await check("HTTP_PROXY / NO_PROXY are honoured on Node (its fetch ignores them)", async () => {
  const { createServer } = await import("node:http");
  const net = await import("node:net");
  const seen = [];
  // A forward (absolute-URI) and CONNECT proxy on 127.0.0.1, closed at the end of the check.
  const proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  proxy.on("connect", (req, socket, head) => {
    seen.push(`CONNECT ${req.url} ${req.headers["authorization"] ?? ""}`);
    const [host, port] = req.url.split(":");
    const upstream = net.connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  try {
    const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
    const env = { ...process.env, HTTP_PROXY: proxyUrl };
    const user = await new Api({ env }).user().json();
    assert.equal(user.username, "alice");
    const target = new URL(process.env.SWANLAB_API_HOST).host;
    assert.ok(
      seen.length > 0 && seen.every((line) => line === `CONNECT ${target} `),
      seen.join("; "),
    );
    seen.length = 0;
    await new Api({ env: { ...env, NO_PROXY: "127.0.0.1" } }).user().json();
    assert.deepEqual(seen, []);
  } finally {
    proxy.closeAllConnections?.();
    await new Promise((resolve) => proxy.close(resolve));
  }
});

await check("exports every point of a project to Parquet (pure JS writer on Node)", async () => {
  const { mkdtemp, readdir } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-node-parquet-"));
  const api = new Api();
  const runs = api.runsGet(SWEEP, { size: 100, all: true });
  const stats = await writeMetricsParquet(
    join(dir, "lr.parquet"),
    runs.scanMetrics(["lr"]).batches(),
  );
  // "lr" is logged at every step of every run (a clone shows its root's points).
  assert.equal(stats.rows, (await runs.total) * expectedSteps);
  const bytes = await readFile(join(dir, "lr.parquet"));
  assert.equal(bytes.subarray(0, 4).toString(), "PAR1");
  assert.equal(bytes.subarray(-4).toString(), "PAR1");
  assert.equal(bytes.byteLength, stats.bytes);
  assert.deepEqual(await readdir(dir), ["lr.parquet"]);
});

await check("mirrors a run: its points file on Node matches the manifest's hash", async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { createHash } = await import("node:crypto");
  const out = join(await mkdtemp(join(tmpdir(), "swanlab-ts-node-mirror-")), "m");
  const report = await mirror(SWEEP, { out, runs: 1, media: false });
  assert.equal(report.runs.fetched, 1);
  assert.ok(report.points >= expectedSteps, `${report.points} points`);
  const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
  const doc = JSON.parse(await readFile(join(out, manifest.runs[0].document.file), "utf8"));
  assert.equal(doc.points.rows, report.points);
  const bytes = await readFile(join(out, doc.points.file));
  assert.equal(bytes.subarray(0, 4).toString(), "PAR1");
  assert.equal(createHash("sha256").update(bytes).digest("hex"), doc.points.sha256);
});

/** Runs the packed `./cli` entry under this Node with the process environment. */
function runPackedCli(args) {
  const cli = createRequire(import.meta.url).resolve("@swanlab-ts/api/cli");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

await check("the ./cli entry runs under Node (--help)", async () => {
  const result = await runPackedCli(["--help"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Usage: swanlab-ts/);
});

await check(
  "the ./cli entry loads its command and the library under Node (user info)",
  async () => {
    // The CLI loads command groups and the library with computed specifiers (`.js` once packed):
    // a command that talks to the server proves those paths resolve in the npm build.
    const result = await runPackedCli(["user", "info", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const envelope = JSON.parse(result.stdout);
    assert.equal(envelope.ok, true);
    assert.equal(envelope.data.username, "alice");
  },
);

console.log(`1..${count}`);
console.log(`# ${count - failures} passed, ${failures} failed`);
process.exitCode = failures > 0 ? 1 : 0;
