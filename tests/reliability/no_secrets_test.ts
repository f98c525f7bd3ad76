/**
 * No secret in any output: every error message, debug line, `.json()` result and CLI
 * stdout/stderr produced here — successes, failures and faults — is scanned for the API key, the
 * session id and presigned URL signatures.
 *
 * Presigned URLs are data the caller asked for (media items, export links), so `.json()` results
 * and CLI data may contain them; their signatures must never appear in errors, logs or stderr.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { runCli } from "../cli/_helpers.ts";

describe("no secret in any output", () => {
  let server: LocalServer;
  let home: string;
  before(async () => {
    server = await startServer({ steps: 500 });
    home = await mkdtemp(join(tmpdir(), "swanlab-ts-secrets-"));
  });
  after(async () => {
    await server.close();
    await rm(home, { recursive: true, force: true });
  });

  it("keeps the API key, the sid and URL signatures out of errors, logs, json() and the CLI", async () => {
    const data: string[] = []; // may hold presigned URLs (requested data)
    const diagnostics: string[] = []; // must hold no signature either
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      maxRetries: 2,
      initialRetryDelayMs: 1,
      timeoutMs: 2_000,
      debug: (line) => diagnostics.push(line),
    });
    const run = api.run(server.dataset.projects["alice/mnist-baseline"]!.runs[0]!.path);
    const record = async (call: () => Promise<unknown>) => {
      try {
        data.push(JSON.stringify(await call()));
      } catch (error) {
        diagnostics.push(String(error), (error as Error).stack ?? "", JSON.stringify(error));
        let cause = (error as Error).cause;
        while (cause) {
          diagnostics.push(String(cause));
          cause = (cause as Error).cause;
        }
      }
    };
    const calls = [
      () => api.user().json(),
      () => run.json(),
      () => run.metrics(["train/loss"], { all: true }),
      () => run.medias(["samples/image"], { step: 0 }),
      async () => (await run.exportLogs({ rows: 10 })).json(),
      () => api.run("alice/mnist-baseline/nope0000").json(),
      () => api.project("alice/scratch").json(),
    ];
    for (const call of calls) await record(call);
    // The same calls with faults: retries, truncated downloads, exhausted budgets.
    server.setFaults({
      seed: 11,
      errorRate: 0.5,
      rateLimitRate: 0.2,
      retryAfterSeconds: 0,
      truncateRate: 0.7,
      resetRate: 0.1,
    });
    for (let i = 0; i < 3; i++) for (const call of calls) await record(call);
    server.setFaults({});
    // Expired presigned URL and a forged one, fetched through the library's download path.
    await record(async () => {
      const media = await run.medias(["samples/image"], { step: 0 });
      const url = new URL((media.list[0]!.metrics[0]!.items[0] as { url: string }).url);
      url.searchParams.set("X-Signature", "0".repeat(64));
      const { downloadMedia } = await import("../../src/metrics/medias.ts");
      const { Transport } = await import("../../src/core/transport.ts");
      const transport = await Transport.create({
        host: server.host,
        apiKey: server.apiKey,
        env: {},
      });
      return await downloadMedia(transport, url.toString(), {});
    });

    // The CLI: JSON, tables, errors, a wrong key.
    const env = {
      SWANLAB_API_HOST: server.host,
      SWANLAB_API_KEY: server.apiKey,
      HOME: home,
      SWANLAB_ROOT: home,
    };
    const runPath = server.dataset.projects["alice/mnist-baseline"]!.runs[0]!.path;
    const cli: string[][] = [
      ["user", "info"],
      ["run", "metrics", runPath, "--keys", "train/loss", "--all"],
      ["run", "medias", runPath, "--keys", "samples/image"],
      ["run", "export-logs", runPath, "--rows", "5"],
      ["run", "info", "alice/mnist-baseline/nope0000"],
      ["project", "info", "alice/scratch", "--format", "table"],
    ];
    for (const argv of cli) {
      const result = await runCli(argv, { env });
      data.push(result.stdout);
      diagnostics.push(result.stderr);
    }
    const wrongKey = await runCli(["user", "info"], {
      env: { ...env, SWANLAB_API_KEY: "sk-not-the-right-key-123" },
    });
    diagnostics.push(wrongKey.stdout, wrongKey.stderr);

    // The secrets: the key, every sid the server handed out, every signature it issued.
    const sids = new Set<string>();
    const signatures = new Set<string>();
    for (const request of server.requests) {
      const sid = /sid=([^;\s]+)/.exec(request.headers["cookie"] ?? "")?.[1];
      if (sid) sids.add(sid);
      const signature = new URLSearchParams(request.query).get("X-Signature");
      if (signature && request.origin === "storage") signatures.add(signature);
    }
    signatures.add("0".repeat(64)); // the forged signature must be redacted from its error too
    assert.ok(sids.size >= 1, "no session was observed");
    assert.ok(signatures.size >= 1, "no presigned download was observed");

    const everything = [...data, ...diagnostics];
    for (const text of everything) {
      assert.ok(!text.includes(server.apiKey), `API key leaked: ${text.slice(0, 200)}`);
      assert.ok(
        !text.includes("sk-not-the-right-key-123"),
        `wrong API key leaked: ${text.slice(0, 200)}`,
      );
      for (const sid of sids) assert.ok(!text.includes(sid), `sid leaked: ${text.slice(0, 200)}`);
    }
    for (const text of diagnostics) {
      for (const signature of signatures) {
        assert.ok(
          !text.includes(signature),
          `URL signature leaked into a diagnostic: ${text.slice(0, 300)}`,
        );
      }
    }
    assert.ok(diagnostics.join("").length > 0 && data.join("").length > 0);
  });
});
