// Conformance of the local server's RESPONSES to the response schemas of openapi/swanlab.yaml.
//
// The server validates requests against the spec, but nothing else checks what it answers. This
// suite calls every operation of the spec over real HTTP with valid requests and validates each
// body against the operation's declared response (Ajv, JSON Schema 2020-12), error bodies against
// the `default` response, and proves that all operations of the spec were exercised.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
// The named export: under Deno's npm typings the default import of this CommonJS module is the
// module namespace, which is not constructable (TS2351); src/server/validate.ts does the same.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { spec } from "../../generated/spec.ts";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- the spec, indexed

/** `$id` under which the whole OpenAPI document is registered with Ajv. */
const SPEC_ID = "https://swanlab-ts.test/openapi/swanlab.json";
const doc = structuredClone(spec) as unknown as JsonObject;
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

interface Operation {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  /** JSON pointer (`#/paths/...`) of the operation object. */
  readonly pointer: string;
  readonly responses: JsonObject;
}

function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The value at a local JSON pointer (`#/a/b`) of the spec. */
function pointerGet(pointer: string): unknown {
  assert.ok(pointer.startsWith("#/"), `Cannot resolve "${pointer}": not a local pointer`);
  let node: unknown = doc;
  for (const raw of pointer.slice(2).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    node = isObject(node) ? node[token] : Array.isArray(node) ? node[Number(token)] : undefined;
  }
  return node;
}

const operations = new Map<string, Operation>();
for (const [path, item] of Object.entries(doc.paths as JsonObject)) {
  if (!isObject(item)) continue;
  for (const method of METHODS) {
    const op = item[method];
    if (!isObject(op) || typeof op.operationId !== "string") continue;
    assert.ok(!operations.has(op.operationId), `Duplicate operationId "${op.operationId}"`);
    assert.ok(isObject(op.responses), `${op.operationId}: no responses`);
    operations.set(op.operationId, {
      id: op.operationId,
      method: method.toUpperCase(),
      path,
      pointer: `#/paths/${escapeToken(path)}/${method}`,
      responses: op.responses,
    });
  }
}

function operation(operationId: string): Operation {
  const op = operations.get(operationId);
  if (!op) throw new Error(`Operation "${operationId}" is not in the spec`);
  return op;
}

// ---------------------------------------------------------------- Ajv over the whole document

// Formats as the doc comment of generated/spec.ts asks (no ajv-formats dependency): RFC 3339
// date-times that are real instants, and absolute URIs.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
ajv.addFormat("date-time", (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
ajv.addFormat("uri", (s: string) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s) && URL.canParse(s));
// The document root is not a schema: its OpenAPI keys are annotations for Ajv's strict mode.
for (const key of Object.keys(doc)) if (!ajv.getKeyword(key)) ajv.addKeyword(key);
// The drift policy's annotation (src/core/drift.ts): an absent optional field is not drift.
ajv.addKeyword("x-partial");
ajv.addSchema({ ...doc, $id: SPEC_ID });

const validators = new Map<string, ValidateFunction>();

/** The validator of the schema at `pointer` (`#/...`), compiled once. */
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    const fragment = pointer.slice(1).split("/").map(encodeURIComponent).join("/");
    const found = ajv.getSchema(`${SPEC_ID}#${fragment}`);
    assert.ok(found, `Cannot compile the schema at ${pointer}`);
    validate = found;
    validators.set(pointer, validate);
  }
  return validate;
}

/** The response object declared for `status` (follows `$ref`s), with its pointer. */
function declaredResponse(
  op: Operation,
  status: number,
  kind: "success" | "error",
): { key: string; pointer: string; response: JsonObject } | undefined {
  const code = String(status);
  const range = `${code[0]}XX`;
  let key: string | undefined;
  if (code in op.responses) key = code;
  else if (range in op.responses) key = range;
  else if (kind === "error" && "default" in op.responses) key = "default";
  if (key === undefined) return undefined;
  let pointer = `${op.pointer}/responses/${escapeToken(key)}`;
  let response = op.responses[key];
  for (let hops = 0; isObject(response) && typeof response.$ref === "string"; hops++) {
    assert.ok(hops < 8, `${op.id}: reference loop at ${pointer}`);
    pointer = response.$ref;
    response = pointerGet(pointer);
  }
  assert.ok(isObject(response), `${op.id}: response ${key} does not resolve (${pointer})`);
  return { key, pointer, response };
}

// ---------------------------------------------------------------- HTTP

interface Reply {
  readonly op: Operation;
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body; `undefined` when the body is empty or not JSON. */
  readonly body: unknown;
  readonly jsonError?: string;
}

interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Session id; defaults to the suite's session (pass `null` for none). */
  sid?: string | null;
}

let server: LocalServer;
let sid = "";

/** Calls `operationId` at the path and method the spec gives it. */
async function call(operationId: string, options: CallOptions = {}): Promise<Reply> {
  const op = operation(operationId);
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = options.params?.[name];
    assert.ok(value !== undefined, `${operationId}: missing path parameter "${name}"`);
    return encodeURIComponent(value);
  });
  const url = new URL(`${server.host}/api${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {
    "x-swanlab-sdk-version": "conformance-test",
    ...options.headers,
  };
  const session = options.sid === undefined ? sid : options.sid;
  if (session) headers.cookie = `sid=${session}`;
  const init: RequestInit = { method: op.method, headers };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  let jsonError: string | undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch (err) {
      jsonError = err instanceof Error ? err.message : String(err);
    }
  }
  return {
    op,
    url: url.pathname + url.search,
    status: res.status,
    headers: res.headers,
    text,
    body,
    ...(jsonError ? { jsonError } : {}),
  };
}

// ---------------------------------------------------------------- conformance checks

const exercised = new Set<string>();
const errorStatuses = new Map<string, Set<number>>();

function excerpt(value: unknown, max = 160): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let node = root;
  for (const raw of instancePath.split("/").slice(1)) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    node = isObject(node) ? node[token] : Array.isArray(node) ? node[Number(token)] : undefined;
  }
  return node;
}

function ajvLine(error: ErrorObject, body: unknown): string {
  let detail = error.message ?? "is invalid";
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "enum") detail += ` ${excerpt(params.allowedValues)}`;
  if (error.keyword === "additionalProperties") detail += ` "${String(params.additionalProperty)}"`;
  return `    at ${error.instancePath || "(root)"}: ${detail} ` +
    `[schema ${error.schemaPath}] value ${excerpt(valueAt(body, error.instancePath))}`;
}

/** Every way `reply` disagrees with the response the spec declares for it. */
function mismatches(reply: Reply, kind: "success" | "error"): string[] {
  const { op, status } = reply;
  const head = `${op.id} (${op.method} ${reply.url}) -> ${status}`;
  const declared = Object.keys(op.responses).join(", ");
  if (kind === "success" && (status < 200 || status > 299)) {
    return [`${head}: expected a success status, got body ${excerpt(reply.text, 400)}`];
  }
  if (kind === "error" && status < 400) {
    return [`${head}: expected an error status, got body ${excerpt(reply.text, 400)}`];
  }
  const found = declaredResponse(op, status, kind);
  if (!found) return [`${head}: status ${status} is not declared (declared: ${declared})`];
  const problems: string[] = [];
  const where = `${head}, response "${found.key}" (${found.pointer})`;
  if (kind === "error") {
    const trace = reply.headers.get("traceid");
    if (!trace) problems.push(`${where}: missing "traceid" header`);
  }
  const content = found.response.content;
  const media = isObject(content) ? content["application/json"] : undefined;
  if (!isObject(media)) {
    if (reply.text.length > 0) {
      problems.push(`${where}: declares no content, got body ${excerpt(reply.text)}`);
    }
    return problems;
  }
  const type = reply.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    problems.push(`${where}: content-type is "${type}", expected application/json`);
  }
  if (reply.jsonError !== undefined || reply.text.length === 0) {
    problems.push(
      `${where}: body is not JSON (${reply.jsonError ?? "empty"}): ${excerpt(reply.text)}`,
    );
    return problems;
  }
  if (media.schema === undefined) return problems;
  const schemaPointer = `${found.pointer}/content/application~1json/schema`;
  const validate = validatorAt(schemaPointer);
  if (!validate(reply.body)) {
    const errors = validate.errors ?? [];
    const shown = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)
      .slice(0, 15);
    problems.push(
      [
        `${where}: body does not match ${schemaPointer} (${errors.length} Ajv errors):`,
        ...shown.map((e) => ajvLine(e, reply.body)),
      ].join("\n"),
    );
  }
  return problems;
}

/** Asserts that `reply` is a declared success conforming to its schema; returns its body. */
function ok(reply: Reply): unknown {
  const problems = mismatches(reply, "success");
  if (problems.length > 0) assert.fail(problems.join("\n"));
  exercised.add(reply.op.id);
  return reply.body;
}

/** Asserts that `reply` is an error with status `status` conforming to the error response. */
function fails(reply: Reply, status: number): void {
  assert.equal(
    reply.status,
    status,
    `${reply.op.id} (${reply.op.method} ${reply.url}): expected ${status}, got ${reply.status} ` +
      excerpt(reply.text, 400),
  );
  const problems = mismatches(reply, "error");
  if (problems.length > 0) assert.fail(problems.join("\n"));
  const seen = errorStatuses.get(reply.op.id) ?? new Set<number>();
  seen.add(status);
  errorStatuses.set(reply.op.id, seen);
}

function record(value: unknown, what: string): JsonObject {
  assert.ok(isObject(value), `${what}: expected an object, got ${excerpt(value)}`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what}: expected an array, got ${excerpt(value)}`);
  return value;
}

// ---------------------------------------------------------------- the suite

describe("local server responses conform to openapi/swanlab.yaml", () => {
  let mnist: { cuid: string; runs: readonly DatasetRun[] };
  let sweep: { cuid: string; runs: readonly DatasetRun[] };
  let run: DatasetRun;
  let other: DatasetRun;
  let clone: DatasetRun;
  let root: DatasetRun;
  let scalarKeys: readonly string[];
  const mediaKey = "samples/image";
  const started = performance.now();

  /** A `ColumnRef`; for the clone it carries the root ids. */
  const colref = (r: DatasetRun, key: string): JsonObject => ({
    experimentId: r.cuid,
    key,
    createdAt: r.createdAtSeconds,
    ...(r.rootProId ? { rootProId: r.rootProId } : {}),
    ...(r.rootExpId ? { rootExpId: r.rootExpId } : {}),
  });

  before(async () => {
    server = await startServer({ steps: 300, logLines: 1500 });
    const projects = server.dataset.projects;
    mnist = projects["alice/mnist-baseline"]!;
    sweep = projects["vision-lab/resnet-sweep"]!;
    ({ run: clone, root } = server.dataset.clone);
    scalarKeys = server.dataset.scalarKeys;
    // Two sweep runs that are neither the clone's root nor pinned (the deletes come last).
    const plain = sweep.runs.filter((r) =>
      r.cuid !== root.cuid && r.cuid !== server.dataset.pinned.cuid
    );
    run = plain[0]!;
    other = plain[1]!;
    assert.ok(clone.rootProId && clone.rootExpId, "the seeded clone has root ids");
    assert.ok(sweep.runs.length > 10, "the sweep has more than one page of runs");
  });

  after(async () => {
    await server?.close();
  });

  it("loginWithApiKey: a session, and a 401 ErrorBody for a wrong key", async () => {
    const body = record(
      ok(await call("loginWithApiKey", { headers: { authorization: server.apiKey }, sid: null })),
      "login",
    );
    sid = String(body.sid);
    fails(
      await call("loginWithApiKey", { headers: { authorization: "wrong-key" }, sid: null }),
      401,
    );
  });

  it("getWorkspace, listWorkspaces, getUserProfile", async () => {
    ok(await call("getWorkspace", { params: { username: "alice" } }));
    ok(await call("getWorkspace", { params: { username: "vision-lab" } }));
    for (const ws of server.dataset.workspaces) {
      ok(await call("getWorkspace", { params: { username: ws.username } }));
    }
    assert.ok(list(ok(await call("listWorkspaces", { params: { username: "alice" } })), "ws")[1]);
    ok(await call("listWorkspaces", { params: { username: "bob" } }));
    ok(await call("getUserProfile"));
  });

  it("listProjects (paged, detail True/False, sort, search) and getProject", async () => {
    for (const page of [1, 2]) {
      ok(
        await call("listProjects", {
          params: { username: "vision-lab" },
          query: { page, size: 10, detail: "True" },
        }),
      );
    }
    ok(await call("listProjects", { params: { username: "alice" } }));
    ok(
      await call("listProjects", {
        params: { username: "alice" },
        query: { page: 1, size: 20, detail: "False", sort: "name", search: "mnist" },
      }),
    );
    for (const sort of ["create", "update"]) {
      ok(await call("listProjects", { params: { username: "vision-lab" }, query: { sort } }));
    }
    for (const path of Object.keys(server.dataset.projects)) {
      const [username, project] = path.split("/") as [string, string];
      ok(await call("getProject", { params: { username, project } }));
    }
  });

  it("createProject, then getProject and deleteProject on the created project", async () => {
    const created = record(
      ok(
        await call("createProject", {
          body: {
            name: "conformance.proj+1",
            visibility: "PRIVATE",
            username: "alice",
            description: "made by response_conformance_test",
          },
        }),
      ),
      "created project",
    );
    assert.equal(created.path, "alice/conformance.proj+1");
    const team = record(
      ok(
        await call("createProject", {
          body: { name: "conformance-team", visibility: "PUBLIC", username: "vision-lab" },
        }),
      ),
      "created team project",
    );
    for (const path of [created.path, team.path]) {
      const [username, project] = String(path).split("/") as [string, string];
      ok(await call("getProject", { params: { username, project } }));
      // An empty project: an empty page and an empty filter result.
      ok(await call("listRuns", { params: { username, project } }));
      ok(
        await call("filterRuns", {
          params: { username, project },
          body: { filters: [], groups: [], sorts: [] },
        }),
      );
      ok(await call("deleteProject", { params: { username, project } }));
      fails(await call("getProject", { params: { username, project } }), 404);
    }
  });

  it("listRuns pages through every run", async () => {
    const params = { username: "vision-lab", project: "resnet-sweep" };
    const first = record(ok(await call("listRuns", { params, query: { page: 1, size: 10 } })), "p");
    const pages = Number(first.pages);
    assert.ok(pages >= 2, `expected several pages, got ${pages}`);
    for (let page = 2; page <= pages; page++) {
      ok(await call("listRuns", { params, query: { page, size: 10 } }));
    }
    ok(await call("listRuns", { params: { username: "alice", project: "mnist-baseline" } }));
  });

  it("getRun by slug and by cuid, including the clone", async () => {
    const sweepParams = { username: "vision-lab", project: "resnet-sweep" };
    ok(await call("getRun", { params: { ...sweepParams, run: run.slug } }));
    ok(await call("getRun", { params: { ...sweepParams, run: run.cuid } }));
    ok(await call("getRun", { params: { ...sweepParams, run: server.dataset.pinned.slug } }));
    const c = record(
      ok(
        await call("getRun", {
          params: { username: "alice", project: "mnist-baseline", run: clone.slug },
        }),
      ),
      "clone",
    );
    assert.equal(c.rootExpId, clone.rootExpId);
  });

  it("filterRuns: flat, grouped by one and by two levels, grouped with sorts", async () => {
    const params = { username: "vision-lab", project: "resnet-sweep" };
    const flat = ok(
      await call("filterRuns", {
        params,
        body: {
          filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"], active: true }],
          groups: [],
          sorts: [{ key: "name", type: "STABLE", order: "ASC", active: true }],
        },
      }),
    );
    assert.ok(list(flat, "flat runs").length > 0, "the flat filter matches runs");
    const grouped = record(
      ok(
        await call("filterRuns", {
          params,
          body: {
            filters: [{ key: "state", type: "STABLE", op: "NEQ", value: ["CRASHED"] }],
            groups: [{ key: "cluster", type: "STABLE", active: true }],
            sorts: [],
          },
        }),
      ),
      "grouped runs",
    );
    assert.ok(Array.isArray(Object.values(grouped)[0]), "one group level holds run arrays");
    const nested = record(
      ok(
        await call("filterRuns", {
          params,
          body: {
            filters: [],
            groups: [
              { key: "cluster", type: "STABLE", active: true },
              { key: "state", type: "STABLE", active: true },
            ],
            sorts: [],
          },
        }),
      ),
      "nested groups",
    );
    const inner = Object.values(nested)[0];
    assert.ok(isObject(inner), `the second level is an object, got ${excerpt(inner)}`);
    ok(
      await call("filterRuns", {
        params,
        body: { filters: [], groups: [{ key: "labels", type: "STABLE" }], sorts: [] },
      }),
    );
    // Groups plus sorts: the server flattens (wire doc §3.1.4); either shape must conform.
    ok(
      await call("filterRuns", {
        params,
        body: {
          filters: [],
          groups: [{ key: "cluster", type: "STABLE", active: true }],
          sorts: [{ key: "createdAt", type: "STABLE", order: "DESC", active: true }],
        },
      }),
    );
  });

  it("listColumns (deprecated): pages, class, type and search", async () => {
    const first = record(
      ok(await call("listColumns", { params: { cuid: run.cuid }, query: { page: 1, size: 10 } })),
      "columns",
    );
    for (let page = 2; page <= Number(first.pages); page++) {
      ok(await call("listColumns", { params: { cuid: run.cuid }, query: { page, size: 10 } }));
    }
    ok(
      await call("listColumns", {
        params: { cuid: run.cuid },
        query: { class: "CUSTOM", type: "FLOAT", search: "loss" },
      }),
    );
    ok(await call("listColumns", { params: { cuid: run.cuid }, query: { type: "IMAGE" } }));
  });

  it("listScalarKeys and listMediaKeys with cursor paging; availability", async () => {
    const ref = (r: DatasetRun): JsonObject => ({
      projectId: r.projectCuid,
      experimentId: r.cuid,
      createdAt: r.createdAtSeconds,
    });
    // Key listings address a clone by its root ids.
    const cloneRef = {
      projectId: clone.rootProId,
      experimentId: clone.rootExpId,
      createdAt: clone.createdAtSeconds,
    };
    let cursor = "";
    let pages = 0;
    for (;;) {
      const page = record(
        ok(
          await call("listScalarKeys", {
            body: { experiments: [ref(run), ref(other)], limit: 4, cursor },
          }),
        ),
        "keys page",
      );
      pages++;
      if (page.hasMore !== true || !page.nextCursor) break;
      cursor = String(page.nextCursor);
      assert.ok(pages < 50, "key paging terminates");
    }
    assert.ok(pages > 1, "scalar keys span several pages");
    ok(
      await call("listScalarKeys", { body: { experiments: [cloneRef], limit: 2000, cursor: "" } }),
    );
    ok(await call("listMediaKeys", { body: { experiments: [ref(run)], limit: 2000, cursor: "" } }));
    ok(await call("listMediaKeys", { body: { experiments: [cloneRef], limit: 1, cursor: "" } }));
    ok(
      await call("getScalarAvailability", {
        body: { keys: [...scalarKeys, "no/such-key"], experiments: [ref(run), cloneRef] },
      }),
    );
    ok(
      await call("getMediaAvailability", {
        body: { keys: [mediaKey, scalarKeys[0]], experiments: [ref(run), ref(other)] },
      }),
    );
  });

  it("getScalarMetrics and getScalarStats (step and timestamp axes, clone with root ids)", async () => {
    const columns = [
      ...scalarKeys.slice(0, 3).map((k) => colref(run, k)),
      colref(other, scalarKeys[0]!),
      colref(run, "no/such-key"),
    ];
    for (const xType of ["step", "timestamp"]) {
      const base = { xType, range: [0, 0], num: 100 };
      ok(await call("getScalarMetrics", { body: { projectId: sweep.cuid, columns, ...base } }));
      ok(await call("getScalarStats", { body: { projectId: sweep.cuid, columns, ...base } }));
      const cloneColumns = scalarKeys.slice(0, 2).map((k) => colref(clone, k));
      ok(
        await call("getScalarMetrics", {
          body: { projectId: mnist.cuid, columns: cloneColumns, ...base },
        }),
      );
      ok(
        await call("getScalarStats", {
          body: { projectId: mnist.cuid, columns: cloneColumns, ...base },
        }),
      );
    }
    ok(
      await call("getScalarMetrics", {
        body: {
          projectId: sweep.cuid,
          xType: "step",
          range: [10, 120],
          columns: [colref(run, scalarKeys[0]!)],
          num: 1500,
        },
      }),
    );
  });

  it("exportScalarCsv and exportLogs, then presignFiles for both keys", async () => {
    const csv = record(
      ok(
        await call("exportScalarCsv", {
          body: {
            projectId: sweep.cuid,
            columns: [
              { experimentName: run.name, ...colref(run, scalarKeys[0]!) },
              colref(other, scalarKeys[1]!),
            ],
          },
        }),
      ),
      "csv export",
    );
    const cloneCsv = record(
      ok(
        await call("exportScalarCsv", {
          body: { projectId: mnist.cuid, columns: [colref(clone, scalarKeys[0]!)] },
        }),
      ),
      "clone csv export",
    );
    const log = record(
      ok(
        await call("exportLogs", {
          body: {
            projectId: sweep.cuid,
            experimentId: run.cuid,
            start: 10,
            rows: 500000,
            createdAt: run.createdAtSeconds,
          },
        }),
      ),
      "log export",
    );
    ok(
      await call("exportLogs", {
        body: {
          projectId: mnist.cuid,
          experimentId: clone.cuid,
          start: 0,
          rows: 100,
          rootProId: clone.rootProId,
          rootExpId: clone.rootExpId,
          createdAt: clone.createdAtSeconds,
        },
      }),
    );
    const paths = [csv.cosKey, cloneCsv.cosKey, log.cosKey];
    const urls = record(ok(await call("presignFiles", { body: { paths } })), "presigned");
    assert.equal(list(urls.urls, "urls").length, paths.length);
  });

  it("getMediaAtStep (single step, latest, no media), getMediaAllSteps, presignResources", async () => {
    const steps = server.dataset.mediaSteps;
    assert.ok(steps.length >= 2, "the data set has several media steps");
    const columns = [colref(run, mediaKey), colref(run, "no/such-media")];
    const at = record(
      ok(
        await call("getMediaAtStep", {
          body: { projectId: sweep.cuid, columns, step: steps[1] },
        }),
      ),
      "media at step",
    );
    assert.equal(at.step, steps[1]);
    ok(await call("getMediaAtStep", { body: { projectId: sweep.cuid, columns } }));
    const none = record(
      ok(
        await call("getMediaAtStep", {
          body: { projectId: sweep.cuid, columns: [colref(run, "no/such-media")], step: 0 },
        }),
      ),
      "no media",
    );
    assert.equal(none.step, null);
    ok(
      await call("getMediaAtStep", {
        body: { projectId: mnist.cuid, columns: [colref(clone, mediaKey)], step: steps[0] },
      }),
    );
    ok(await call("getMediaAllSteps", { body: { projectId: sweep.cuid, columns } }));
    ok(
      await call("getMediaAllSteps", {
        body: { projectId: mnist.cuid, columns: [colref(clone, mediaKey)] },
      }),
    );
    const entry = record(list(at.metrics, "media entries")[0], "media entry");
    const paths = list(entry.data, "media paths");
    assert.ok(paths.length > 0, "the media entry has objects");
    const urls = record(
      ok(
        await call("presignResources", {
          body: { prefix: `${run.projectCuid}/${run.cuid}`, paths },
        }),
      ),
      "presigned media",
    );
    assert.equal(list(urls.urls, "urls").length, paths.length);
  });

  it("getLogs: two shards, levels, clone with root ids", async () => {
    const query = {
      projectId: sweep.cuid,
      experimentId: run.cuid,
      size: 1000,
      level: "DEBUG",
      createdAt: run.createdAtSeconds,
    };
    const first = record(ok(await call("getLogs", { query: { ...query, epoch: 0 } })), "logs");
    assert.ok(Number(first.count) > 1000, "the run has more than one shard of logs");
    ok(await call("getLogs", { query: { ...query, epoch: 1 } }));
    ok(await call("getLogs", { query: { ...query, level: "ERROR" } }));
    ok(
      await call("getLogs", {
        query: {
          projectId: mnist.cuid,
          experimentId: clone.cuid,
          size: 1000,
          epoch: 0,
          level: "INFO",
          rootProId: clone.rootProId!,
          rootExpId: clone.rootExpId!,
          createdAt: clone.createdAtSeconds,
        },
      }),
    );
  });

  it("getSummaries: some keys, all keys, clone with root ids, unknown run", async () => {
    const ref = (r: DatasetRun): JsonObject => ({
      projectId: r.projectCuid,
      experimentId: r.cuid,
      createdAt: r.createdAtSeconds,
      ...(r.rootProId ? { rootProId: r.rootProId } : {}),
      ...(r.rootExpId ? { rootExpId: r.rootExpId } : {}),
    });
    ok(
      await call("getSummaries", {
        body: { experiments: [ref(run), ref(other)], keys: scalarKeys.slice(0, 2) },
      }),
    );
    ok(await call("getSummaries", { body: { experiments: [ref(run), ref(clone)] } }));
    const unknown = { ...ref(run), experimentId: "c-no-such-run" };
    const body = record(
      ok(await call("getSummaries", { body: { experiments: [unknown], keys: [] } })),
      "summaries",
    );
    assert.ok("c-no-such-run" in body, "an unknown run is answered");
  });

  it("self-hosted: info, create users, list users/projects/groups, summary", async () => {
    ok(await call("getSelfHostedInfo"));
    ok(
      await call("createSelfHostedUsers", {
        body: {
          users: [
            { username: "conformance-user-1", password: "pw-1" },
            { username: "conformance-user-2", password: "pw-2" },
          ],
        },
      }),
    );
    const users = record(
      ok(await call("listSelfHostedUsers", { query: { page: 1, size: 2 } })),
      "users",
    );
    for (let page = 2; page <= Number(users.pages); page++) {
      ok(await call("listSelfHostedUsers", { query: { page, size: 2 } }));
    }
    ok(await call("listSelfHostedUsers"));
    ok(await call("listSelfHostedProjects"));
    ok(await call("listSelfHostedProjects", { query: { page: 2, size: 1, sort: "name" } }));
    ok(
      await call("listSelfHostedProjects", {
        query: { search: "a", state: "FINISHED", creator: "alice", group: "alice", sort: "create" },
      }),
    );
    ok(await call("listSelfHostedProjects", { query: { state: "RUNNING" } }));
    ok(await call("listSelfHostedGroups"));
    ok(await call("listSelfHostedGroups", { query: { page: 1, size: 2, type: "TEAM" } }));
    ok(
      await call("listSelfHostedGroups", { query: { search: "a", sort: "name", type: "PERSON" } }),
    );
    ok(await call("getSelfHostedSummary"));
  });

  it("deleteRun and deleteRuns (after every read of those runs), then 404 for the run", async () => {
    const params = { username: "vision-lab", project: "resnet-sweep" };
    ok(await call("deleteRun", { params: { ...params, run: run.cuid } }));
    fails(await call("getRun", { params: { ...params, run: run.cuid } }), 404);
    ok(
      await call("deleteRuns", {
        params,
        body: { cuids: [other.cuid, sweep.runs.at(-1)!.cuid, "c-no-such-run"] },
      }),
    );
    fails(await call("getRun", { params: { ...params, run: other.slug } }), 404);
  });

  it("error responses (404, 400, 401) are ErrorBody with a traceid header", async () => {
    fails(await call("getProject", { params: { username: "alice", project: "no-such" } }), 404);
    fails(await call("getWorkspace", { params: { username: "no-such-workspace" } }), 404);
    fails(
      await call("getRun", {
        params: { username: "alice", project: "mnist-baseline", run: "nope" },
      }),
      404,
    );
    fails(
      await call("listRuns", {
        params: { username: "alice", project: "mnist-baseline" },
        query: { size: 7 },
      }),
      400,
    );
    fails(
      await call("filterRuns", {
        params: { username: "alice", project: "mnist-baseline" },
        body: { filters: [], groups: [] },
      }),
      400,
    );
    fails(
      await call("getScalarMetrics", {
        body: {
          projectId: mnist.cuid,
          xType: "step",
          range: [0, 0],
          // Milliseconds instead of seconds: a client error.
          columns: [{ experimentId: clone.cuid, key: "x", createdAt: Date.now() }],
          num: 10,
        },
      }),
      400,
    );
    fails(await call("getUserProfile", { sid: null }), 401);
  });

  it("the checks themselves reject non-conforming responses (no vacuous pass)", () => {
    const fake = (operationId: string, status: number, body: unknown, headers = {}): Reply => {
      const text = body === undefined ? "" : JSON.stringify(body);
      return {
        op: operation(operationId),
        url: "/fake",
        status,
        headers: new Headers({ "content-type": "application/json", ...headers }),
        text,
        body,
      };
    };
    const expectProblems = (reply: Reply, kind: "success" | "error", ...patterns: RegExp[]) => {
      const text = mismatches(reply, kind).join("\n");
      for (const p of patterns) assert.match(text, p, `${reply.op.id}: ${text || "no problem"}`);
    };
    expectProblems(
      fake("getProject", 200, { cuid: "c", path: "a/p", createdAt: "yesterday" }),
      "success",
      /^getProject \(GET \/fake\) -> 200, response "200"/,
      /at \(root\): must have required property 'name'/,
      /at \/createdAt: must match format "date-time"/,
    );
    expectProblems(
      fake("loginWithApiKey", 200, {
        sid: "s",
        expiredAt: "2999-01-01T00:00:00Z",
        userInfo: { username: "u" },
      }),
      "success",
      /at \/expiredAt: must match pattern/,
    );
    expectProblems(
      fake("filterRuns", 200, { list: [], total: 0 }),
      "success",
      /at \/total: must be (array|object)/,
    );
    expectProblems(
      fake("presignFiles", 200, { urls: ["not a url"] }),
      "success",
      /at \/urls\/0: must match format "uri"/,
    );
    expectProblems(
      fake("getScalarStats", 200, [{ key: "k", min: { index: 1.5, data: "nan" } }]),
      "success",
      /at \/0\/min\/index: must be integer/,
    );
    expectProblems(fake("getRun", 202, { cuid: "c" }), "success", /status 202 is not declared/);
    expectProblems(fake("deleteProject", 204, { ok: true }), "success", /declares no content/);
    expectProblems(
      fake("getProject", 404, { message: "gone" }),
      "error",
      /missing "traceid" header/,
      /response "default" \(#\/components\/responses\/Error\)/,
      /must have required property 'code'/,
    );
  });

  it("exercises every operation of the spec", () => {
    const all = [...operations.keys()].sort();
    assert.equal(all.length, 34, `the spec has ${all.length} operations, docs list 34`);
    const missing = all.filter((id) => !exercised.has(id));
    const unknown = [...exercised].filter((id) => !operations.has(id));
    assert.deepEqual(
      { missing, unknown },
      { missing: [], unknown: [] },
      `operations without a validated success response: ${missing.join(", ") || "none"}`,
    );
    const statuses = new Set([...errorStatuses.values()].flatMap((s) => [...s]));
    assert.ok(statuses.has(404) && statuses.has(400), "a 404 and a 400 were validated");
    console.log(
      `response conformance: ${exercised.size} operations, ${validators.size} schemas, ` +
        `${Math.round(performance.now() - started)} ms`,
    );
  });
});
