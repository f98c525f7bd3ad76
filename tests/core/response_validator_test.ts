// Run-time response validation (`SWANLAB_VALIDATE`, `validateResponses`) against the local
// server, whose responses are made to drift with its `mutateResponses` test facility.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { Api, ResponseDriftError, ResponseError, ValidationError } from "../../mod.ts";
import type { Drift } from "../../mod.ts";
import { formatDrift } from "../../src/core/drift.ts";
import { parseValidationMode } from "../../src/core/response_drift.ts";
import { terminalText } from "../../src/core/terminal_text.ts";
import { ResponseValidator } from "../../src/core/response_validator.ts";
import { Transport } from "../../src/core/transport.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { envelope, runCli, serverEnv } from "../cli/_helpers.ts";

describe("ResponseValidator", () => {
  const validator = new ResponseValidator();

  it("maps requests to operations, preferring literal segments", () => {
    assert.equal(validator.operationOf("GET", "/api/user/profile"), "getUserProfile");
    assert.equal(validator.operationOf("POST", "/api/project/a/b/runs/shows"), "filterRuns");
    assert.equal(validator.operationOf("POST", "/api/project/a/b/runs/del"), "deleteRuns");
    assert.equal(validator.operationOf("GET", "/api/project/a/b/runs/x1"), "getRun");
    assert.equal(validator.operationOf("GET", "/api/nowhere"), undefined);
  });

  it("reports a wrong type, a missing required field and a value outside an enum", () => {
    const drifts = validator.validate("GET", "/api/project/a/b/runs/r", 200, {
      name: null,
      state: "EXPLODED",
    });
    const byField = new Map(drifts.map((d) => [d.field, d]));
    assert.deepEqual(byField.get("cuid"), {
      operation: "getRun",
      endpoint: "GET /project/{username}/{project}/runs/{run}",
      field: "cuid",
      expected: "present (required)",
      got: "missing",
      essential: true,
    });
    assert.equal(byField.get("name")?.expected, "string");
    assert.equal(byField.get("name")?.got, "null");
    assert.equal(byField.get("name")?.essential, false);
    assert.match(byField.get("state")!.expected, /^one of "RUNNING", "FINISHED"/);
    assert.equal(byField.get("state")?.got, 'string "EXPLODED"');
    assert.equal(byField.get("state")?.essential, false, "an enum never fails a call");
  });

  it("finds nothing in a body that matches, and nothing where the spec declares no body", () => {
    assert.deepEqual(validator.validate("GET", "/api/user/profile", 200, { bio: null }), []);
    assert.deepEqual(validator.validate("GET", "/api/user/profile", 302, "x"), []);
  });

  it("names an element of a list by its index", () => {
    const drifts = validator.validateOperation("listWorkspaces", 200, [
      { username: "a" },
      { username: 7 },
    ]);
    assert.deepEqual(drifts.map((d) => [d.field, d.got, d.essential]), [
      ["[1].username", "number 7", true],
    ]);
  });

  it("spells a field as the always-on policy does: keys with dots, indices in brackets", () => {
    const drifts = validator.validateOperation("getSummaries", 200, []);
    assert.deepEqual(drifts.map((d) => [d.field, d.expected, d.essential]), [
      ["(body)", "object", true],
    ]);
    const runs = validator.validate("GET", "/api/project/a/b/runs", 200, {
      list: [{ cuid: "c", name: "n" }, { cuid: "d", name: 5 }],
      total: 2,
      pages: 1,
    });
    assert.deepEqual(runs.map((d) => d.field), ["list[1].name"]);
  });
});

describe("validation modes", () => {
  it("reads SWANLAB_VALIDATE spellings", () => {
    assert.equal(parseValidationMode("WARN"), "warn");
    assert.equal(parseValidationMode(" error "), "error");
    assert.equal(parseValidationMode("0"), "off");
    assert.equal(parseValidationMode(""), "off");
    assert.equal(parseValidationMode("1"), "warn");
    assert.equal(parseValidationMode("loud"), undefined);
  });

  it("rejects a bad option or variable with a ValidationError naming it", async () => {
    await assert.rejects(
      Transport.create({
        host: "http://127.0.0.1:9",
        apiKey: "k",
        env: {},
        validateResponses: "loud" as never,
      }),
      (error) => error instanceof ValidationError && error.field === "validateResponses",
    );
    await assert.rejects(
      Transport.create({ host: "http://127.0.0.1:9", apiKey: "k", env: { SWANLAB_VALIDATE: "x" } }),
      (error) => error instanceof ValidationError && error.field === "SWANLAB_VALIDATE",
    );
  });

  it("makes server text safe for a terminal", () => {
    const line = formatDrift({
      operation: "getRun",
      endpoint: "GET /x",
      field: "name",
      expected: "string",
      got: 'string "\u001b]0;pwned\u0007\u202e"',
      essential: false,
    });
    // deno-lint-ignore no-control-regex -- looking for control characters is the point
    assert.ok(!/[\u0000-\u001f\u202e]/.test(line), line);
    assert.match(line, /\\u001b\]0;pwned\\u0007\\u202e/);
    assert.equal(terminalText("plain"), "plain");
  });
});

describe("run-time validation against a drifted server", () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer({ runs: 3, steps: 50, logLines: 10 });
  });
  after(() => server.close());
  beforeEach(() => server.setFaults({}));

  const drift = (pointer: string, action: "delete" | "null" | "set", value?: unknown) =>
    server.setFaults({
      mutateResponses: [{ operationId: "getWorkspace", pointer, action, value }],
    });

  it("off (the default): the always-on policy alone reports the field and carries on", async () => {
    drift("/comment", "set", 42);
    const seen: Drift[] = [];
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      onDrift: (d) => seen.push(d),
    });
    const workspace = await api.workspace("vision-lab").json();
    assert.equal(workspace.username, "vision-lab");
    assert.deepEqual(seen.map((d) => [d.field, d.got, d.essential]), [[
      "comment",
      "integer",
      false,
    ]]);
  });

  it("warn: reports each drifted field once per operation, with the always-on policy, and carries on", async () => {
    drift("/comment", "set", 42);
    const seen: Drift[] = [];
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      validateResponses: "warn",
      onDrift: (d) => seen.push(d),
    });
    for (let i = 0; i < 3; i++) {
      const workspace = await api.workspace("vision-lab").json();
      assert.equal(workspace.username, "vision-lab");
    }
    // Both layers see `comment`: one report (the strict layer's, which names the value).
    assert.deepEqual(seen, [{
      operation: "getWorkspace",
      endpoint: "GET /group/{username}",
      field: "comment",
      expected: "string",
      got: "number 42",
      essential: false,
    }]);
  });

  it("warn: strict findings the always-on policy lets pass reach onDrift too", async () => {
    server.setFaults({
      mutateResponses: [{
        operationId: "getRun",
        pointer: "/state",
        action: "set",
        value: "EXPLODED",
      }, {
        operationId: "getRun",
        pointer: "/createdAt",
        action: "set",
        value: "yesterday",
      }],
    });
    const loose: Drift[] = [];
    const strict: Drift[] = [];
    const run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    for (const [mode, seen] of [["off", loose], ["warn", strict]] as const) {
      const transport = await Transport.create({
        host: server.host,
        apiKey: server.apiKey,
        env: {},
        validateResponses: mode,
        onDrift: (d) => seen.push(d),
      });
      const body = await transport.call((api) =>
        api.GET("/project/{username}/{project}/runs/{run}", {
          params: { path: { username: "vision-lab", project: "resnet-sweep", run: run.slug } },
        })
      );
      assert.equal(body.state, "EXPLODED", "a value outside the enum is kept");
    }
    // The always-on policy reports the enum; only the strict layer checks formats.
    assert.deepEqual(loose.map((d) => d.field), ["state"]);
    assert.deepEqual(strict.map((d) => d.field).sort(), ["createdAt", "state"]);
    assert.equal(strict.find((d) => d.field === "createdAt")?.expected, "date-time format");
  });

  it("warn: an essential finding is reported, then the policy fails the call naming it", async () => {
    drift("/username", "set", 5);
    const seen: Drift[] = [];
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: { SWANLAB_VALIDATE: "warn" },
      onDrift: (d) => seen.push(d),
    });
    await assert.rejects(
      api.workspace("vision-lab").json(),
      (error) =>
        error instanceof ResponseError && !(error instanceof ResponseDriftError) &&
        error.message ===
          'Cannot use response of getWorkspace: "username" expected string, got integer',
    );
    assert.deepEqual(seen.map((d) => [d.field, d.got, d.essential]), [
      ["username", "number 5", true],
    ]);
  });

  it("error: the drifts of a ResponseDriftError are redacted like reports", async () => {
    // A server that echoes the API key into a drifted field (a value outside an enum), where
    // the shortened value would cut the key.
    drift("/type", "set", `${"x".repeat(30)} ${server.apiKey}`);
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: { SWANLAB_VALIDATE: "error" },
    });
    const error = await api.workspace("vision-lab").json().then(
      () => assert.fail("expected a ResponseDriftError"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ResponseDriftError, String(error));
    assert.deepEqual(error.drifts.map((d) => [d.field, d.got]), [
      ["type", `string "${"x".repeat(30)} ***"`],
    ]);
    assert.ok(!error.message.includes(server.apiKey), error.message);
  });

  it("warn: the same field of several list elements is one report", async () => {
    server.setFaults({
      mutateResponses: [0, 1, 2].map((i) => ({
        operationId: "listRuns",
        pointer: `/list/${i}/name`,
        action: "null" as const,
      })),
    });
    const seen: Drift[] = [];
    const transport = await Transport.create({
      host: server.host,
      apiKey: server.apiKey,
      env: { SWANLAB_VALIDATE: "warn" },
      onDrift: (d) => seen.push(d),
    });
    const page = await transport.call((api) =>
      api.GET("/project/{username}/{project}/runs", {
        params: {
          path: { username: "vision-lab", project: "resnet-sweep" },
          query: { page: 1, size: 10 },
        },
      })
    );
    assert.equal(page.list.length, 3);
    assert.deepEqual(seen.map((d) => [d.operation, d.field, d.got]), [[
      "listRuns",
      "list[0].name",
      "null",
    ]]);
  });

  it("SWANLAB_VALIDATE=error: throws a ResponseDriftError listing the drift", async () => {
    drift("/username", "delete");
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: { SWANLAB_VALIDATE: "error" },
    });
    const error = await api.workspace("vision-lab").json().then(
      () => assert.fail("expected a ResponseDriftError"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ResponseDriftError, String(error));
    assert.ok(error instanceof ResponseError);
    assert.deepEqual(error.drifts.map((d) => [d.operation, d.field, d.got, d.essential]), [
      ["getWorkspace", "username", "missing", true],
    ]);
    assert.match(error.message, /GET \/api\/group\/vision-lab does not match the spec/);
  });

  it("the CLI honours SWANLAB_VALIDATE=error: exit 1 and the drift in the error", async () => {
    drift("/username", "set", 5);
    const strict = await runCli(["workspace", "info", "vision-lab"], {
      env: serverEnv(server, { SWANLAB_VALIDATE: "error" }),
    });
    assert.equal(strict.code, 1);
    assert.equal(envelope(strict).ok, false);
    assert.match(
      strict.stderr,
      /^error: Response of GET \/api\/group\/vision-lab does not match the spec \(getWorkspace\): "username" expected string, got number 5$/m,
    );
    const loose = await runCli(["workspace", "info", "vision-lab"], {
      env: serverEnv(server, { SWANLAB_VALIDATE: "nonsense" }),
    });
    assert.equal(loose.code, 2);
    assert.match(loose.stderr, /SWANLAB_VALIDATE/);
  });

  it("error: a response that matches passes", async () => {
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: { SWANLAB_VALIDATE: "error" },
    });
    const runs = await api.runs("vision-lab/resnet-sweep").toArray();
    assert.equal(runs.length, 3);
    const metrics = await runs[0]!.metrics(["train/loss"]);
    assert.equal(metrics.list.length, 1);
    assert.ok(metrics.list[0]!.metrics.length > 0);
  });

  it("the default warning goes to stderr without the session id", async () => {
    drift("/comment", "set", 42);
    const lines: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
      const transport = await Transport.create({
        host: server.host,
        apiKey: server.apiKey,
        env: { SWANLAB_VALIDATE: "warn" },
      });
      await transport.call((api) =>
        api.GET("/group/{username}", { params: { path: { username: "vision-lab" } } })
      );
      const { sid } = await transport.session();
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.equal(
        lines[0],
        "[swanlab-ts] warning: Response drift in getWorkspace (GET /group/{username}): " +
          '"comment" expected string, got number 42',
      );
      assert.ok(!lines[0]!.includes(sid) && !lines[0]!.includes(server.apiKey));
    } finally {
      console.warn = original;
    }
  });
});
