// `swanlab-ts doctor` end to end against the local server: healthy, drifted, unreachable.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Diagnosis } from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { startProxy } from "../_helpers/recording_proxy.ts";
import { envelope, runCli, serverEnv, startTestServer } from "./_helpers.ts";

// Every read-only query operation of the spec: doctor must call each one once.
const QUERY_OPERATIONS = [
  "getUserProfile",
  "listWorkspaces",
  "getWorkspace",
  "listProjects",
  "getProject",
  "listRuns",
  "filterRuns",
  "getRun",
  "listColumns",
  "listScalarKeys",
  "listMediaKeys",
  "getScalarAvailability",
  "getMediaAvailability",
  "getScalarMetrics",
  "getScalarStats",
  "exportScalarCsv",
  "presignFiles",
  "getMediaAtStep",
  "getMediaAllSteps",
  "presignResources",
  "getLogs",
  "exportLogs",
  "getSummaries",
  "getSelfHostedInfo",
  "listSelfHostedUsers",
  "listSelfHostedProjects",
  "listSelfHostedGroups",
  "getSelfHostedSummary",
];

describe("swanlab-ts doctor", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  beforeEach(() => server.setFaults({}));

  it("healthy server: exit 0, every step ok, one step per query endpoint", async () => {
    server.clearRequests();
    const result = await runCli(["doctor", "--json"], { env: serverEnv(server) });
    const out = envelope(result);
    const report = out.data as Diagnosis;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(out.ok, true);
    assert.equal(out.errmsg, "");
    assert.equal(result.stderr, "");
    assert.equal(report.host, server.host);
    assert.equal(report.credentialSource, "env");
    assert.equal(report.proxy, null);
    assert.deepEqual(report.drifts, []);
    const byName = new Map(report.steps.map((s) => [s.name, s]));
    for (const name of ["credentials", "proxy", "tcp", "clock", "login", "latency"]) {
      assert.equal(byName.get(name)?.status, "ok", `${name}: ${byName.get(name)?.detail}`);
    }
    // An IP host has no DNS step to run, an http host no TLS.
    assert.equal(byName.get("dns")?.status, "skip");
    assert.equal(byName.get("tls")?.status, "skip");
    for (const operation of QUERY_OPERATIONS) {
      assert.equal(byName.get(operation)?.status, "ok", `${operation} missing or not ok`);
      assert.equal(report.steps.filter((s) => s.name === operation).length, 1, operation);
    }
    assert.equal(byName.get("download (presignFiles)")?.status, "ok");
    assert.equal(byName.get("download (presignResources)")?.status, "ok");
    assert.match(byName.get("login")!.detail, /logged in as alice/);
    // The key is never shown; only read-only or export requests were made.
    assert.ok(!result.stdout.includes(server.apiKey));
    const methods = new Set(
      server.requests.filter((r) => r.origin === "api").map((r) => r.method),
    );
    assert.deepEqual([...methods].sort(), ["GET", "POST"]);
    assert.ok(
      !server.requests.some((r) =>
        /\/runs\/del$|^\/api\/project$|self_hosted\/users$/.test(r.path) && r.method === "POST"
      ),
      "doctor must not create or delete anything",
    );
  });

  it("human output: one line per step and a closing verdict", async () => {
    const result = await runCli(["doctor", "--no-color"], {
      env: serverEnv(server),
      tty: { stdout: true },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^swanlab-ts doctor /);
    assert.match(result.stdout, /\nok +credentials +API key from SWANLAB_API_KEY\n/);
    assert.match(result.stdout, /\nok +getRun +run /);
    assert.match(result.stdout, /Everything looks fine\.\n$/);
  });

  it("drifted responses: listed in the table and in the report, exit 1", async () => {
    server.setFaults({
      mutateResponses: [
        { operationId: "getRun", pointer: "/state", action: "null" },
        { operationId: "listRuns", pointer: "/list/0/name", action: "set", value: 12 },
      ],
    });
    const table = await runCli(["doctor", "--no-color"], {
      env: serverEnv(server),
      tty: { stdout: true },
    });
    assert.equal(table.code, 1);
    assert.match(table.stdout, /Response drift/);
    assert.match(
      table.stdout,
      /GET \/project\/\{username\}\/\{project\}\/runs\/\{run\} +state +string +null/,
    );
    assert.match(
      table.stdout,
      /GET \/project\/\{username\}\/\{project\}\/runs +list\[0\]\.name +string +number 12/,
    );
    assert.match(table.stderr, /^error: 2 response field\(s\) of 2 endpoint\(s\) drifted/m);

    const json = await runCli(["doctor", "--json"], { env: serverEnv(server) });
    const out = envelope(json);
    const report = out.data as Diagnosis;
    assert.equal(json.code, 1);
    assert.equal(out.ok, false);
    assert.deepEqual(
      report.drifts.map((d) => [d.operation, d.field, d.expected, d.got, d.essential]).sort(),
      [
        ["getRun", "state", "string", "null", false],
        ["listRuns", "list[0].name", "string", "number 12", false],
      ],
    );
    assert.equal(report.steps.find((s) => s.name === "getRun")?.status, "fail");
    assert.equal(report.steps.find((s) => s.name === "getProject")?.status, "ok");
  });

  it("a drift only the always-on policy sees is in the same table, not on stderr", async () => {
    // `comment` is optional (no Ajv error when it is left out), but the policy reports a
    // documented field that a full record lacks.
    server.setFaults({
      mutateResponses: [{ operationId: "getWorkspace", pointer: "/comment", action: "delete" }],
    });
    const result = await runCli(["doctor", "--json"], { env: serverEnv(server) });
    const report = envelope(result).data as Diagnosis;
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /warning:/);
    assert.deepEqual(report.drifts, [{
      operation: "getWorkspace",
      endpoint: "GET /group/{username}",
      field: "comment",
      expected: "string",
      got: "missing",
      essential: false,
    }]);
    assert.equal(report.steps.find((s) => s.name === "getWorkspace")?.status, "fail");
  });

  it("a body of the wrong kind is one drift and fails that step only", async () => {
    server.setFaults({
      mutateResponses: [{ operationId: "getSummaries", pointer: "", action: "set", value: [] }],
    });
    const result = await runCli(["doctor", "--json"], { env: serverEnv(server) });
    const report = envelope(result).data as Diagnosis;
    assert.equal(result.code, 1);
    assert.deepEqual(report.drifts.map((d) => [d.operation, d.field, d.expected, d.essential]), [
      ["getSummaries", "(body)", "object", true],
    ]);
    assert.equal(report.steps.filter((s) => s.status === "fail").length, 1);
  });

  it("through HTTP_PROXY: reports the proxy (credentials hidden) and reaches the server", async () => {
    const proxy = await startProxy();
    try {
      const withCredentials = proxy.url.replace("http://", "http://me:pw@");
      const result = await runCli(["doctor", "--json"], {
        env: serverEnv(server, { HTTP_PROXY: withCredentials }),
      });
      const report = envelope(result).data as Diagnosis;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(report.proxy, proxy.url.replace("http://", "http://***@"));
      assert.ok(!result.stdout.includes("me:pw"));
      const tcp = report.steps.find((s) => s.name === "tcp")!;
      assert.equal(tcp.status, "ok");
      assert.match(tcp.detail, /\(proxy\)$/);
      assert.ok(proxy.seen.some((s) => s.target === `${server.host}/api/login/api_key`));
      assert.ok(proxy.seen.some((s) => s.target.startsWith(server.storageOrigin)));
    } finally {
      await proxy.close();
    }
  });

  it("unreachable host: exit 1 with one clear error line", async () => {
    const closed = await startTestServer();
    const host = closed.host;
    await closed.close();
    const result = await runCli(["doctor"], {
      env: { ...serverEnv(server), SWANLAB_API_HOST: host },
    });
    assert.equal(result.code, 1);
    const port = new URL(host).port;
    assert.match(
      result.stderr,
      new RegExp(`^error: tcp: Cannot connect to 127\\.0\\.0\\.1:${port}`),
    );
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    const json = envelope(
      await runCli(["doctor", "--json"], {
        env: { ...serverEnv(server), SWANLAB_API_HOST: host },
      }),
    );
    const report = json.data as Diagnosis;
    assert.equal(report.steps.find((s) => s.name === "login")?.status, "skip");
    assert.ok(!report.steps.some((s) => s.name === "getUserProfile"));
  });

  it("an http server named without a scheme: the TLS step fails and suggests http://", async () => {
    const address = server.host.replace(/^http:\/\//, ""); // read as https
    const result = await runCli(["doctor", "--json"], {
      env: { ...serverEnv(server), SWANLAB_API_HOST: address },
    });
    const report = envelope(result).data as Diagnosis;
    assert.equal(result.code, 1);
    const tls = report.steps.find((s) => s.name === "tls");
    assert.equal(tls?.status, "fail");
    assert.match(tls!.detail, /^TLS handshake failed: /);
    assert.ok(
      tls!.detail.endsWith(
        `Does the server speak http? Write the host as ${server.host} (a host without a scheme is read as https).`,
      ),
      tls!.detail,
    );
  });

  it("no API key: the credentials step fails, the network is still checked", async () => {
    const result = await runCli(["doctor", "--json", "--host", server.host], {
      env: { HOME: "/nonexistent-home", SWANLAB_ROOT: "/nonexistent-root" },
    });
    const report = envelope(result).data as Diagnosis;
    assert.equal(result.code, 1);
    assert.equal(report.credentialSource, null);
    assert.equal(report.steps[0]?.status, "fail");
    assert.match(report.steps[0]!.detail, /No API key found/);
    assert.equal(report.steps.find((s) => s.name === "tcp")?.status, "ok");
    assert.equal(report.steps.find((s) => s.name === "login")?.status, "skip");
  });
});
