/**
 * The drift policy (src/core/drift.ts), tested by mutation: for every operation the library
 * reads, every field the spec describes in a real response of the local server is deleted, set
 * to `null` and given a value of the wrong type, one at a time (through the server's response
 * hook), and the library call that reads it is made with a fresh client.
 *
 * What each mutation must give is read from the spec here, independently of the library:
 * - a field that is essential all the way from the body (required at every level; list
 *   elements count as their list) → a `ResponseError` naming the operation and the field;
 * - any other field → success, and exactly one drift reported, naming that field;
 * - a mutation the spec allows (`null` where it is nullable, a field left out of a record the
 *   spec marks `x-partial`, a field the spec does not describe) → success and no drift.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Api, ApiResponse, type Drift, ResponseError } from "../../mod.ts";
import { spec } from "../../generated/spec.ts";
import { jsonType, resolve, type Schema } from "../_spec_schemas.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { startTestServer, sweep } from "../entities/_setup.ts";

const doc = spec as unknown as {
  paths: Record<
    string,
    Record<string, { operationId: string; responses: Record<string, unknown> }>
  >;
};

function allows(schema: Schema, value: unknown): boolean {
  const s = resolve(schema);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return alternatives.some((a) => allows(a, value));
  if (s.type === undefined) return true;
  const types = typeof s.type === "string" ? [s.type] : s.type;
  const actual = jsonType(value);
  return types.some((t) => t === actual || (t === "number" && actual === "integer"));
}

/** The success schema of an operation. */
function schemaOf(operation: string): Schema {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (op.operationId !== operation) continue;
      const ok = op.responses["200"] as { content: { "application/json": { schema: Schema } } };
      return ok.content["application/json"].schema;
    }
  }
  throw new Error(`no operation ${operation}`);
}

type Segment = string | number;

interface FieldSpec {
  /** The schema of the field, or undefined when the spec does not describe it. */
  schema: Schema | undefined;
  /** Required at every level from the body. */
  essential: boolean;
  /** The field is optional in an `x-partial` record: it may be left out. */
  partial: boolean;
  /** The field is an entry of a map (`additionalProperties`): leaving it out is valid. */
  mapEntry: boolean;
}

/** What the spec says about the field at `path` of `body` (read independently of src/). */
function fieldSpec(root: Schema, body: unknown, path: readonly Segment[]): FieldSpec {
  let s = resolve(root);
  let value = body;
  let essential = true;
  let partial = false;
  let mapEntry = false;
  for (const segment of path) {
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives) s = resolve(alternatives.find((a) => allows(a, value)) ?? {});
    const parts = [s, ...(s.allOf ?? []).map(resolve)];
    if (typeof segment === "number") {
      if (s.items === undefined) return { schema: undefined, essential, partial, mapEntry };
      s = resolve(s.items);
      partial = false;
      mapEntry = false;
    } else {
      const owner = parts.find((p) => p.properties?.[segment] !== undefined);
      if (owner !== undefined) {
        const required = (owner.required ?? []).includes(segment);
        essential &&= required;
        partial = owner["x-partial"] === true && !required;
        mapEntry = false;
        s = resolve(owner.properties![segment]!);
      } else if (typeof s.additionalProperties === "object") {
        partial = false;
        mapEntry = true;
        s = resolve(s.additionalProperties);
      } else {
        return { schema: undefined, essential, partial, mapEntry };
      }
    }
    value = (value as Record<Segment, unknown>)[segment];
  }
  return { schema: s, essential, partial, mapEntry };
}

/** The path as the drift policy names it: `list[0].name`, `[0].key`. */
function pathName(path: readonly Segment[]): string {
  let out = "";
  for (const segment of path) {
    out += typeof segment === "number" ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** Every field path of a body: all object keys, the first element of each array. */
function fieldPaths(body: unknown, depth = 0, prefix: Segment[] = []): Segment[][] {
  if (depth > 6) return [];
  const paths: Segment[][] = [];
  if (Array.isArray(body)) {
    if (body.length > 0) {
      paths.push([...prefix, 0]);
      paths.push(...fieldPaths(body[0], depth + 1, [...prefix, 0]));
    }
  } else if (typeof body === "object" && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      paths.push([...prefix, key]);
      paths.push(...fieldPaths(value, depth + 1, [...prefix, key]));
    }
  }
  return paths;
}

type Mutation = "delete" | "null" | "wrong";

/** A value of a type the schema does not allow (undefined when it allows every candidate). */
function wrongValue(schema: Schema): unknown {
  for (const candidate of [{ drifted: true }, "drifted", 12345, true, [7]]) {
    if (!allows(schema, candidate)) return candidate;
  }
  return undefined;
}

function mutate(body: unknown, path: readonly Segment[], mutation: Mutation, wrong: unknown) {
  const copy = structuredClone(body);
  let parent = copy as Record<Segment, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<Segment, unknown>;
  const last = path.at(-1)!;
  if (mutation === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = mutation === "null" ? null : wrong;
  return copy;
}

/** A library call that reads the operation, run to its end; returns its error, if any. */
type Probe = (api: Api, fx: Fixture) => Promise<unknown>;
interface Fixture {
  workspace: string;
  project: string;
  run: string;
  mediaKey: string;
  mediaStep: number;
}

async function settle(run: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await run();
    return value instanceof ApiResponse ? value.error : undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Where a call's own needs differ from the spec's (both documented in src/): the statistics of
 * a metrics call are optional as a whole (points without statistics still answer it), and an
 * export's presigned URL is essential to the export although `urls` is optional in the spec.
 */
const OPTIONAL_OPERATIONS = new Set(["getScalarStats"]);
const ESSENTIAL_FOR_CALL: Record<string, Record<string, readonly string[]>> = {
  // A broken element makes the whole optional list null (reported as the element): the export
  // then names the list.
  presignFiles: { urls: ["urls"], "urls[0]": ["urls[0]", "urls"] },
};

const each = async <T>(items: Promise<T[]>, json: (item: T) => Promise<unknown>) =>
  await Promise.all((await items).map(json));

let created = 0;

/**
 * For every operation whose body the library reads: a call that reads (and only echoes) its
 * fields. The bodies of deletes and user creation are not read (the spec says clients ignore
 * them), so they have no probe.
 */
const PROBES: Record<string, Probe> = {
  loginWithApiKey: (api) => api.user().json(),
  createProject: (api, fx) =>
    api.createProject({ username: fx.workspace, name: `drift-${++created}` }).then((p) => p.json()),
  getUserProfile: (api) => api.user().json(),
  listWorkspaces: (api) => each(api.workspaces().toArray(), (w) => w.json()),
  getWorkspace: (api, fx) => api.workspace(fx.workspace).json(),
  listProjects: (api, fx) => api.projects(fx.workspace, { size: 10 }).json(),
  getProject: (api, fx) => api.project(fx.project).json(),
  listRuns: (api, fx) => api.runsGet(fx.project, { size: 10 }).json(),
  filterRuns: (api, fx) => api.runs(fx.project).json(),
  getRun: (api, fx) => api.run(fx.run).json(),
  listColumns: (api, fx) => api.columns(fx.run, { size: 10 }).json(),
  listScalarKeys: (api, fx) => api.series(fx.run).keys,
  listMediaKeys: (api, fx) => api.series(fx.run, { metricType: "MEDIA" }).keys,
  getScalarAvailability: (api, fx) => api.series(fx.run).availability(["train/loss", "nope"]),
  getScalarMetrics: (api, fx) => api.run(fx.run).metrics(["train/loss"], { sample: 20 }),
  getScalarStats: (api, fx) => api.run(fx.run).metrics(["train/loss"], { sample: 20 }),
  exportScalarCsv: (api, fx) => api.run(fx.run).metrics(["train/loss"], { all: true }),
  presignFiles: (api, fx) => api.run(fx.run).metrics(["train/loss"], { all: true }),
  getMediaAtStep: (api, fx) => api.run(fx.run).medias([fx.mediaKey], { step: fx.mediaStep }),
  getMediaAllSteps: (api, fx) => api.run(fx.run).medias([fx.mediaKey], { all: true }),
  presignResources: (api, fx) => api.run(fx.run).medias([fx.mediaKey], { step: fx.mediaStep }),
  getLogs: (api, fx) => api.run(fx.run).logs(),
  exportLogs: (api, fx) => api.run(fx.run).exportLogs({ rows: 10 }),
  getSummaries: (api, fx) => api.run(fx.run).summary(["train/loss"]),
  getSelfHostedInfo: (api) => api.selfHosted().json(),
  listSelfHostedUsers: (api) => api.selfHosted().getUsers({ size: 10 }).toArray(),
  listSelfHostedProjects: (api) => api.selfHosted().getProjects({ size: 10 }).toArray(),
  listSelfHostedGroups: (api) => api.selfHosted().getGroups({ size: 10 }).toArray(),
  getSelfHostedSummary: (api) => api.selfHosted().getUsageSummary(),
};

describe("drift policy, by mutation of every field of every response", () => {
  let server: LocalServer;
  let fx: Fixture;
  before(async () => {
    server = await startTestServer({ runs: 3, steps: 30, logLines: 20 });
    const project = sweep(server);
    fx = {
      workspace: project.username,
      project: project.path,
      run: project.runs[0]!.path,
      mediaKey: server.dataset.mediaKeys[0]!,
      mediaStep: server.dataset.mediaSteps[0]!,
    };
  });
  after(() => server.close());

  const client = (drifts: Drift[]) => {
    const seed = server.users.find((u) => u.username === "alice")!;
    return new Api({
      host: server.host,
      apiKey: seed.apiKey,
      env: {},
      initialRetryDelayMs: 1,
      maxRetries: 0,
      onDrift: (drift) => drifts.push(drift),
    });
  };

  for (const [operation, probe] of Object.entries(PROBES)) {
    it(operation, async () => {
      // The intact response, and the drift the local server already shows (none expected).
      let original: unknown;
      server.setResponseHook(async (op, response) => {
        if (op === operation && original === undefined) original = await response.clone().json();
        return response;
      });
      const baseline: Drift[] = [];
      const intact = await settle(() => probe(client(baseline), fx));
      server.setResponseHook(undefined);
      assert.equal(intact, undefined, `${operation} works on intact data: ${String(intact)}`);
      assert.ok(original !== undefined, `${operation} was called by its probe`);
      assert.deepEqual(baseline, [], `${operation}: the local server follows the spec`);

      const root = schemaOf(operation);
      let checked = 0;
      for (const path of fieldPaths(original)) {
        const field = fieldSpec(root, original, path);
        if (field.schema === undefined) continue; // not described by the spec: not drift
        const name = pathName(path);
        for (const mutation of ["delete", "null", "wrong"] as const) {
          if (mutation === "delete" && typeof path.at(-1) === "number") continue;
          const wrong = wrongValue(field.schema);
          if (mutation === "wrong" && wrong === undefined) continue;
          const allowed = (mutation === "delete" && (field.mapEntry || field.partial)) ||
            (mutation === "null" && allows(field.schema, null));
          server.setResponseHook(async (op, response) => {
            if (op !== operation) return response;
            const body = mutate(await response.json(), path, mutation, wrong);
            return Response.json(body, { status: response.status });
          });
          const drifts: Drift[] = [];
          const error = await settle(() => probe(client(drifts), fx));
          server.setResponseHook(undefined);
          const label = `${operation} ${name} ${mutation}`;
          const mine = drifts.filter((d) => d.operation === operation);
          if (allowed) {
            assert.equal(error, undefined, `${label}: allowed by the spec, so no failure`);
            assert.deepEqual(mine, [], `${label}: allowed by the spec, so no drift`);
          } else if (
            (field.essential && !OPTIONAL_OPERATIONS.has(operation)) ||
            ESSENTIAL_FOR_CALL[operation]?.[name] !== undefined
          ) {
            const names = ESSENTIAL_FOR_CALL[operation]?.[name] ?? [name];
            assert.ok(error instanceof ResponseError, `${label}: essential → ${String(error)}`);
            assert.ok(
              names.some((n) =>
                error.message.startsWith(`Cannot use response of ${operation}: "${n}" expected`)
              ),
              `${label}: the error names operation and field: ${error.message}`,
            );
          } else {
            assert.equal(error, undefined, `${label}: optional, so the call succeeds`);
            assert.equal(mine.length, 1, `${label}: one drift: ${JSON.stringify(mine)}`);
            assert.equal(mine[0]!.field, name, label);
            assert.equal(mine[0]!.essential, false, label);
          }
          checked++;
        }
      }
      assert.ok(checked > 0, `${operation}: at least one field was mutated`);
    });
  }
});

describe("drift policy: optional parts keep the intact data", () => {
  let server: LocalServer;
  let fx: Fixture;
  before(async () => {
    server = await startTestServer({ runs: 3, steps: 30, logLines: 20 });
    const project = sweep(server);
    fx = {
      workspace: project.username,
      project: project.path,
      run: project.runs[0]!.path,
      mediaKey: server.dataset.mediaKeys[0]!,
      mediaStep: server.dataset.mediaSteps[0]!,
    };
  });
  after(() => server.close());

  const client = (drifts: Drift[]) =>
    new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      maxRetries: 0,
      onDrift: (drift) => drifts.push(drift),
    });

  /** Replaces the body of `operation` by `edit(body)` (or fails it with `status`). */
  function hook(operation: string, edit: (body: Record<string, unknown>) => unknown): void {
    server.setResponseHook(async (op, response) => {
      if (op !== operation) return response;
      return Response.json(edit(await response.json()), { status: response.status });
    });
  }
  after(() => server.setResponseHook(undefined));

  it("unusable statistics leave the points of metrics() intact", async () => {
    const intact = await client([]).run(fx.run).metrics(["train/loss"], { sample: 20 });
    hook("getScalarStats", () => ({ not: "an array" }));
    const drifts: Drift[] = [];
    const json = await client(drifts).run(fx.run).metrics(["train/loss"], { sample: 20 });
    server.setResponseHook(undefined);
    assert.deepEqual(json.list[0]!.metrics, intact.list[0]!.metrics);
    assert.equal("min" in json.list[0]!, false, "no invented statistics");
    assert.deepEqual(drifts.map((d) => [d.operation, d.field]), [["getScalarStats", "(body)"]]);
  });

  it("a wrongly typed log count keeps the lines, count null", async () => {
    const intact = await client([]).run(fx.run).logs();
    hook("getLogs", (body) => ({ ...body, count: "many" }));
    const drifts: Drift[] = [];
    const json = await client(drifts).run(fx.run).logs();
    server.setResponseHook(undefined);
    assert.deepEqual(json.logs, intact.logs);
    assert.equal(json.count, null);
    assert.deepEqual(drifts.map((d) => [d.field, d.got]), [["count", "string"]]);
  });

  it("media without presigned urls keep steps and metadata", async () => {
    const query = { step: fx.mediaStep };
    const intact = await client([]).run(fx.run).medias([fx.mediaKey], query);
    hook("presignResources", () => ({}));
    const drifts: Drift[] = [];
    const json = await client(drifts).run(fx.run).medias([fx.mediaKey], query);
    server.setResponseHook(undefined);
    const strip = (items: readonly Record<string, unknown>[]) =>
      items.map(({ url: _url, ...rest }) => rest);
    const [got, want] = [json.list[0]!, intact.list[0]!];
    assert.deepEqual(got.metrics.map((m) => m.index), want.metrics.map((m) => m.index));
    assert.deepEqual(
      got.metrics.map((m) => strip(m.items)),
      want.metrics.map((m) => strip(m.items)),
    );
    assert.ok(got.metrics.every((m) => m.items.every((item) => !("url" in item))));
    assert.deepEqual(drifts.map((d) => [d.operation, d.field]), [["presignResources", "urls"]]);
  });

  it("one run whose detail fails stays in the listing, with what the list said", async () => {
    let failed = 0;
    server.setResponseHook((op, response) => {
      if (op !== "getRun" || failed++ > 0) return response;
      return Response.json({ code: "500", message: "broken" }, { status: 500 });
    });
    const drifts: Drift[] = [];
    const json = await client(drifts).runsGet(fx.project, { size: 10 }).json();
    server.setResponseHook(undefined);
    assert.equal(json.list.length, json.total);
    assert.ok(json.list.every((run) => typeof run.run_id === "string" && run.run_id !== ""));
    assert.equal(drifts.length, 1);
    assert.equal(drifts[0]!.operation, "getRun");
  });

  it("run.json() echoes a null project_id when neither run nor project carries it", async () => {
    const drifts: Drift[] = [];
    const api = client(drifts);
    server.setResponseHook(async (op, response) => {
      if (op !== "getRun" && op !== "getProject") return response;
      const body = await response.json() as Record<string, unknown>;
      delete body[op === "getRun" ? "project_id" : "cuid"];
      return Response.json(body, { status: response.status });
    });
    const json = await api.run(fx.run).json();
    server.setResponseHook(undefined);
    assert.equal(json.project_id, null);
    assert.ok(json.run_id !== "" && json.name !== "");
    assert.ok(drifts.some((d) => d.operation === "getProject" && d.field === "cuid"));
  });

  it("warns once per client, operation and field, on stderr by default", async () => {
    hook("getSelfHostedInfo", ({ plan: _plan, ...rest }) => rest);
    const lines: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      const api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
      for (let i = 0; i < 3; i++) assert.equal((await api.selfHosted().load()).plan, null);
      await new Api({ host: server.host, apiKey: server.apiKey, env: {} }).selfHosted().load();
    } finally {
      console.warn = warn;
      server.setResponseHook(undefined);
    }
    const line = "[swanlab-ts] warning: Response drift in getSelfHostedInfo " +
      '(GET /self_hosted/info): "plan" expected string, got missing';
    assert.deepEqual(lines, [line, line], "three calls of one client, then one of another");
  });
});
