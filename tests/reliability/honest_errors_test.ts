/**
 * Honest errors (issue 15, item 3): a key that cannot go into a header fails at once with a
 * typed error; invalid per-call options are rejected like client options, naming the field,
 * before any request, on every method; an aborted iterator stops yielding at once, wherever
 * it is aborted; starting an export is retried like a read.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortError,
  Api,
  ApiResponse,
  CredentialsError,
  type Key,
  login,
  logout,
  ValidationError,
} from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { apiCalls, apiFor, startTestServer, sweep } from "../entities/_setup.ts";

const BAD_KEYS: readonly [string, string][] = [
  ["non-ASCII", "clé-secrète"],
  ["CJK", "密钥0123"],
  ["newline", "abc\ndef"],
  ["NUL", "abc\u0000def"],
  ["ESC", "abc\u001bdef"],
  ["inner space", "abc def"],
  ["DEL", "abc\u007fdef"],
  ["zero-width space", "abc\u200bdef"],
];

describe("API keys that cannot go into a header", () => {
  let server: LocalServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), "swanlab-keys-"));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [what, key] of BAD_KEYS) {
    it(`rejects a key with ${what} from options, login(), the environment and .netrc`, async () => {
      server.clearRequests();
      const started = Date.now();
      const fromOptions = new Api({ host: server.host, apiKey: key, env: {}, cwd: dir });
      const e1 = await fromOptions.user().load().then(() => undefined, (e: unknown) => e);
      assert.ok(e1 instanceof ValidationError, String(e1));
      assert.equal(e1.field, "apiKey");
      assert.ok(!e1.message.includes(key), "the key is never in the message");

      const e2 = await login({ apiKey: key, host: server.host, env: {}, cwd: dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(e2 instanceof ValidationError, String(e2));
      assert.equal(e2.field, "apiKey");

      const fromEnv = new Api({ host: server.host, env: { SWANLAB_API_KEY: key }, cwd: dir });
      const e3 = await fromEnv.user().load().then(() => undefined, (e: unknown) => e);
      assert.ok(e3 instanceof CredentialsError, String(e3));
      assert.match(e3.message, /SWANLAB_API_KEY/);
      assert.ok(!e3.message.includes(key));

      // A .netrc separates tokens by whitespace: a key with a space or newline cannot be stored.
      if (/\s/.test(key)) {
        assert.equal(server.requests.length, 0, "nothing was sent");
        return;
      }
      const home = join(dir, `home-${what.replace(/\W/g, "")}`);
      await mkdir(join(home, ".swanlab"), { recursive: true });
      await writeFile(
        join(home, ".swanlab", ".netrc"),
        `machine ${server.host}\n\tlogin ${server.host}\n\tpassword ${key}\n`,
      );
      const fromNetrc = new Api({ env: { SWANLAB_SAVE_DIR: join(home, ".swanlab") }, cwd: dir });
      const e4 = await fromNetrc.user().load().then(() => undefined, (e: unknown) => e);
      assert.ok(e4 instanceof CredentialsError, String(e4));
      assert.match(e4.message, /\.netrc/);

      assert.equal(server.requests.length, 0, "nothing was sent");
      assert.ok(Date.now() - started < 2_000, "no retries");
    });
  }

  it("still accepts every visible-ASCII key", async () => {
    await logout({ env: {} }).catch(() => {});
    const api = apiFor(server);
    assert.equal(typeof (await api.user().load()).username, "string");
  });
});

/** Invalid per-call options and the field each one names. */
const BAD_OPTIONS: readonly [Record<string, unknown>, string][] = [
  [{ signal: {} }, "signal"],
  [{ signal: { aborted: false, addEventListener() {} } }, "signal"],
  [{ signal: "abort" }, "signal"],
  [{ timeoutMs: Number.NaN }, "timeoutMs"],
  [{ timeoutMs: -1 }, "timeoutMs"],
  [{ timeoutMs: 0 }, "timeoutMs"],
  [{ timeoutMs: Infinity }, "timeoutMs"],
  [{ timeoutMs: 2 ** 31 }, "timeoutMs"],
  [{ timeoutMs: "5000" }, "timeoutMs"],
  [{ maxRetries: 1.5 }, "maxRetries"],
  [{ maxRetries: -1 }, "maxRetries"],
  [{ maxRetries: Number.NaN }, "maxRetries"],
  [{ retryUnsafe: "yes" }, "retryUnsafe"],
];

type Call = (api: Api, options: never, paths: Paths) => unknown;
interface Paths {
  workspace: string;
  project: string;
  run: string;
  /** A metric key object, listed once beforehand (its methods are probed). */
  key?: Key;
}

/** Every public method that sends requests, with the per-call options in their place. */
const METHODS: Record<string, Call> = {
  "api.workspaces": (api, o) => api.workspaces(undefined, o),
  "api.projects": (api, o, p) => api.projects(p.workspace, {}, o),
  "api.createProject": (api, o) => api.createProject({ name: "x-opt" }, o),
  "api.runs": (api, o, p) => api.runs(p.project, {}, o),
  "api.runsGet": (api, o, p) => api.runsGet(p.project, {}, o),
  "api.columns": (api, o, p) => api.columns(p.run, {}, o),
  "workspace.load": (api, o, p) => api.workspace(p.workspace).load(o),
  "workspace.json": (api, o, p) => api.workspace(p.workspace).json(o),
  "workspace.projects": (api, o, p) => api.workspace(p.workspace).projects({}, o),
  "workspace.createProject": (api, o, p) =>
    api.workspace(p.workspace).createProject({ name: "x-opt" }, o),
  "project.load": (api, o, p) => api.project(p.project).load(o),
  "project.json": (api, o, p) => api.project(p.project).json(o),
  "project.runs": (api, o, p) => api.project(p.project).runs({}, o),
  "project.runsGet": (api, o, p) => api.project(p.project).runsGet({}, o),
  "project.delete": (api, o, p) => api.project(p.project).delete({}, o),
  "project.deleteRuns": (api, o, p) => api.project(p.project).deleteRuns(["x"], {}, o),
  "run.load": (api, o, p) => api.run(p.run).load(o),
  "run.json": (api, o, p) => api.run(p.run).json(o),
  "run.metrics": (api, o, p) => api.run(p.run).metrics(["train/loss"], {}, o),
  "run.metrics(all)": (api, o, p) => api.run(p.run).metrics(["train/loss"], { all: true }, o),
  "run.scanMetrics": (api, o, p) => api.run(p.run).scanMetrics(["train/loss"], {}, o),
  "run.medias": (api, o, p) => api.run(p.run).medias(["samples"], {}, o),
  "run.summary": (api, o, p) => api.run(p.run).summary(undefined, o),
  "run.logs": (api, o, p) => api.run(p.run).logs({}, o),
  "run.scanLogs": (api, o, p) => api.run(p.run).scanLogs({}, o),
  "run.exportLogs": (api, o, p) => api.run(p.run).exportLogs({}, o),
  "run.columns": (api, o, p) => api.run(p.run).columns({}, o),
  "run.delete": (api, o, p) => api.run(p.run).delete({}, o),
  "column.load": (api, o, p) => api.column(p.run, "train/loss").load(o),
  "column.json": (api, o, p) => api.column(p.run, "train/loss").json(o),
  "column.metric": (api, o, p) => api.column(p.run, "train/loss").metric({}, o),
  "column.exportCsv": (api, o, p) => api.column(p.run, "train/loss").exportCsv(o),
  "series.availability": (api, o, p) => api.series(p.run).availability(["train/loss"], o),
  "series.load": (api, o, p) => api.series(p.run).load(o),
  "series.json": (api, o, p) => api.series(p.run).json(o),
  "key.metric": (_, o, p) => p.key!.metric({}, o),
  "key.exportCsv": (_, o, p) => p.key!.exportCsv(o),
  "user.load": (api, o) => api.user().load(o),
  "user.json": (api, o) => api.user().json(o),
  "selfHosted.load": (api, o) => api.selfHosted().load(o),
  "selfHosted.json": (api, o) => api.selfHosted().json(o),
  "selfHosted.createUser": (api, o) =>
    api.selfHosted().createUser({ username: "x-opt", password: "pw" }, o),
  "selfHosted.getUsers": (api, o) => api.selfHosted().getUsers({}, o),
  "selfHosted.getProjects": (api, o) => api.selfHosted().getProjects({}, o),
  "selfHosted.getGroups": (api, o) => api.selfHosted().getGroups({}, o),
  "selfHosted.getUsageSummary": (api, o) => api.selfHosted().getUsageSummary(o),
};

/** Runs a call to its end: awaits a promise, iterates an iterable, unwraps an ApiResponse. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    const value = call();
    if (value !== null && typeof value === "object" && Symbol.asyncIterator in value) {
      for await (const _ of value as AsyncIterable<unknown>) { /* drain */ }
      return undefined;
    }
    const settled = await value;
    if (settled instanceof ApiResponse) return settled.error;
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("per-call options are checked like client options, on every method", () => {
  let server: LocalServer;
  let api: Api;
  let paths: Paths;
  before(async () => {
    server = await startTestServer();
    api = apiFor(server);
    const project = sweep(server);
    paths = { workspace: project.username, project: project.path, run: project.runs[0]!.path };
    const [key] = await api.series(paths.run, { search: "train/loss" }).toArray({ limit: 1 });
    assert.ok(key !== undefined);
    paths.key = key;
    await api.user().load(); // logged in: what follows counts API calls only
  });
  after(() => server.close());

  for (const [name, call] of Object.entries(METHODS)) {
    it(`${name}: ValidationError naming the field, nothing sent`, async () => {
      for (const [options, field] of BAD_OPTIONS) {
        server.clearRequests();
        const error = await outcome(() => call(api, options as never, paths));
        assert.ok(
          error instanceof ValidationError,
          `${name}(${JSON.stringify(options)}): ${String(error)}`,
        );
        assert.equal(error.field, field, `${name}(${JSON.stringify(options)})`);
        assert.deepEqual(apiCalls(server), [], `${name}(${JSON.stringify(options)}) sent nothing`);
      }
    });
  }

  it("client options use the same rules", async () => {
    for (const [options, field] of [...BAD_OPTIONS, [{ onDrift: "warn" }, "onDrift"] as const]) {
      if (field === "signal" || field === "retryUnsafe") continue;
      const bad = apiFor(server, "alice", options as never);
      const error = await bad.user().load().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof ValidationError, `${JSON.stringify(options)}: ${String(error)}`);
      assert.equal(error.field, field);
    }
  });
});

/** Iterates `iterable`, aborting after `at` items; returns the items and the ending error. */
async function abortAfter<T>(
  make: (signal: AbortSignal) => AsyncIterable<T>,
  at: number,
): Promise<{ items: number; error: unknown }> {
  const controller = new AbortController();
  let items = 0;
  if (at === 0) controller.abort();
  try {
    for await (const _ of make(controller.signal)) {
      items++;
      if (items === at) controller.abort();
    }
    return { items, error: undefined };
  } catch (error) {
    return { items, error };
  }
}

describe("an aborted iterator stops at once, wherever it is aborted", () => {
  let server: LocalServer;
  let api: Api;
  let paths: Paths;
  before(async () => {
    server = await startTestServer({ runs: 24, steps: 2500, logLines: 2100 });
    api = apiFor(server);
    const project = sweep(server);
    paths = { workspace: project.username, project: project.path, run: project.runs[0]!.path };
    await api.user().load();
  });
  after(() => server.close());

  /** Each iterator, how many items it yields unaborted, and the abort points to try. */
  const ITERATORS: Record<
    string,
    (api: Api, signal: AbortSignal, p: Paths) => AsyncIterable<unknown>
  > = {
    "scanMetrics": (a, signal, p) => a.run(p.run).scanMetrics(["train/loss"], {}, { signal }),
    "scanMetrics (2 keys)": (a, signal, p) =>
      a.run(p.run).scanMetrics(["train/loss", "lr"], {}, { signal }),
    "scanLogs": (a, signal, p) => a.run(p.run).scanLogs({}, { signal }),
    "runsGet (pages of 10)": (a, signal, p) =>
      a.runsGet(p.project, { size: 10, all: true }, { signal }),
    "runs (filtered)": (a, signal, p) => a.runs(p.project, {}, { signal }),
    "projects (pages of 10)": (a, signal, p) =>
      a.projects(p.workspace, { size: 10, all: true }, { signal }),
    "workspaces": (a, signal) => a.workspaces(undefined, { signal }),
    "columns (pages of 10)": (a, signal, p) =>
      a.columns(p.run, { size: 10, all: true }, { signal }),
    "selfHosted.getUsers": (a, signal) =>
      a.selfHosted().getUsers({ size: 10, all: true }, { signal }),
    "selfHosted.getProjects": (a, signal) =>
      a.selfHosted().getProjects({ size: 10, all: true }, { signal }),
    "selfHosted.getGroups": (a, signal) =>
      a.selfHosted().getGroups({ size: 10, all: true }, { signal }),
  };

  for (const [name, make] of Object.entries(ITERATORS)) {
    it(`${name}`, async () => {
      const full = await abortAfter((signal) => make(api, signal, paths), -1);
      assert.equal(full.error, undefined, String(full.error));
      const total = full.items;
      assert.ok(total >= 2, `${name} yields ${total} items`);
      // Every point for short iterators; around page and batch edges for long ones.
      const points = total <= 64 ? Array.from({ length: total + 1 }, (_, i) => i) : [
        ...new Set([0, 1, 2, 999, 1000, 1001, 1023, 1024, 1025, 2047, 2048, total - 1, total]),
      ].filter((n) => n <= total);
      for (const at of points) {
        const result = await abortAfter((signal) => make(api, signal, paths), at);
        if (at === total) {
          // Aborted after the last item: ending cleanly or with an AbortError are both honest.
          assert.ok(result.error === undefined || result.error instanceof AbortError);
          assert.equal(result.items, total);
          continue;
        }
        assert.ok(result.error instanceof AbortError, `${name} at ${at}: ${String(result.error)}`);
        assert.equal(result.items, at, `${name}: no item after abort() at ${at}`);
      }
    });
  }
});

describe("starting an export is retried like a read", () => {
  let server: LocalServer;
  let api: Api;
  let paths: Paths;
  before(async () => {
    server = await startTestServer();
    api = apiFor(server);
    const project = sweep(server);
    paths = { workspace: project.username, project: project.path, run: project.runs[0]!.path };
  });
  after(() => server.close());

  /** Answers the first `count` requests of `operationId` with a 503. */
  function failFirst(operationId: string, count: number): () => number {
    let seen = 0;
    server.setResponseHook((operation, response) => {
      if (operation !== operationId) return response;
      seen++;
      return seen <= count
        ? Response.json({ code: "503", message: "unavailable" }, { status: 503 })
        : response;
    });
    return () => seen;
  }

  it("a 503 on the scalar export does not fail metrics({ all: true })", async () => {
    const seen = failFirst("exportScalarCsv", 1);
    try {
      const result = await api.run(paths.run).metrics(["train/loss"], { all: true });
      assert.equal(seen(), 2);
      assert.ok((result.list[0]?.metrics.length ?? 0) > 0);
    } finally {
      server.setResponseHook(undefined);
    }
  });

  it("a 503 on the log export does not fail exportLogs", async () => {
    const seen = failFirst("exportLogs", 2);
    try {
      const result = await api.run(paths.run).exportLogs();
      assert.equal(result.ok, true, result.errmsg);
      assert.equal(seen(), 3);
    } finally {
      server.setResponseHook(undefined);
    }
  });

  it("a create is still not retried", async () => {
    const seen = failFirst("createProject", 1);
    try {
      await assert.rejects(api.createProject({ name: "retry-probe" }));
      assert.equal(seen(), 1);
    } finally {
      server.setResponseHook(undefined);
    }
  });
});
