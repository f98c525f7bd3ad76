/**
 * Server drift under the CLI: the library's drift reports become one `warning:` line per
 * operation and field on the CLI's stderr (escaped), and the command still succeeds with the
 * data that is intact.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LocalServer } from "../../src/server/mod.ts";
import { envelope, runCli, runPath, serverEnv, startTestServer } from "./_helpers.ts";

describe("swanlab-ts with a server that drifted", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("warns once on stderr and prints the intact lines with count null", async () => {
    server.setResponseHook(async (operation, response) => {
      if (operation !== "getLogs") return response;
      const body = await response.json() as Record<string, unknown>;
      return Response.json({ ...body, count: "\u001b[31mmany" }, { status: response.status });
    });
    try {
      const result = await runCli(["run", "logs", runPath(server), "--json"], {
        env: { ...serverEnv(server), NO_COLOR: "1" },
      });
      assert.equal(result.code, 0, result.stderr);
      const data = envelope(result).data as { count: unknown; logs: unknown[] };
      assert.equal(data.count, null);
      assert.ok(data.logs.length > 0);
      assert.equal(
        result.stderr,
        "warning: Response drift in getLogs (GET /house/metrics/log): " +
          '"count" expected integer, got string\n',
      );
    } finally {
      server.setResponseHook(undefined);
    }
  });
});
