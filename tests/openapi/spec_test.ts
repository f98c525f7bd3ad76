// Tests of the hand-written OpenAPI spec (openapi/swanlab.yaml) and of its generated modules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { spec as generatedSpec } from "../../generated/spec.ts";
import { responseSpec } from "../../generated/response_spec.ts";
import {
  generate,
  GenerationError,
  RESPONSE_SPEC_PATH,
  responseSide,
  SCHEMA_PATH,
  SPEC_MODULE_PATH,
} from "../../scripts/gen.ts";

const ROOT = new URL("../../", import.meta.url);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const specText = await Deno.readTextFile(new URL("openapi/swanlab.yaml", ROOT));
const spec = parse(specText) as JsonObject;

function obj(value: Json | undefined, what: string): JsonObject {
  assert.ok(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `${what}: expected an object`,
  );
  return value;
}

function at(value: Json | undefined, ...keys: string[]): Json | undefined {
  let node = value;
  for (const key of keys) {
    if (typeof node !== "object" || node === null) return undefined;
    node = Array.isArray(node) ? node[Number(key)] : node[key];
  }
  return node;
}

/** Follows a local `$ref` (one level at a time, until a non-reference). */
function deref(value: Json | undefined): JsonObject {
  let node = obj(value, "reference target");
  for (let i = 0; typeof node.$ref === "string"; i++) {
    assert.ok(i < 10, `reference loop at ${node.$ref}`);
    const ref = node.$ref;
    assert.ok(ref.startsWith("#/"), `non-local reference ${ref}`);
    const keys = ref.slice(2).split("/").map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
    node = obj(at(spec, ...keys), ref);
  }
  return node;
}

function schemaRef(name: string): string {
  return `#/components/schemas/${name}`;
}

const schemas = obj(at(spec, "components", "schemas"), "components.schemas");

/** The 34 endpoints of docs/ARCHITECTURE.md: method, path, operationId. */
const ENDPOINTS: readonly (readonly [string, string, string])[] = [
  ["post", "/login/api_key", "loginWithApiKey"],
  ["get", "/group/{username}", "getWorkspace"],
  ["get", "/user/{username}/groups", "listWorkspaces"],
  ["get", "/user/profile", "getUserProfile"],
  ["get", "/project/{username}", "listProjects"],
  ["post", "/project", "createProject"],
  ["get", "/project/{username}/{project}", "getProject"],
  ["delete", "/project/{username}/{project}", "deleteProject"],
  ["get", "/project/{username}/{project}/runs", "listRuns"],
  ["post", "/project/{username}/{project}/runs/shows", "filterRuns"],
  ["get", "/project/{username}/{project}/runs/{run}", "getRun"],
  ["delete", "/project/{username}/{project}/runs/{run}", "deleteRun"],
  ["post", "/project/{username}/{project}/runs/del", "deleteRuns"],
  ["get", "/experiment/{cuid}/column", "listColumns"],
  ["post", "/house/metrics/scalar/keys", "listScalarKeys"],
  ["post", "/house/metrics/media/keys", "listMediaKeys"],
  ["post", "/house/metrics/scalar/availability", "getScalarAvailability"],
  ["post", "/house/metrics/media/availability", "getMediaAvailability"],
  ["post", "/house/metrics/scalar", "getScalarMetrics"],
  ["post", "/house/metrics/scalar/value", "getScalarStats"],
  ["post", "/house/metrics/scalar/export", "exportScalarCsv"],
  ["post", "/files/presigned/get", "presignFiles"],
  ["post", "/house/metrics/media", "getMediaAtStep"],
  ["post", "/house/metrics/f_media", "getMediaAllSteps"],
  ["post", "/resources/presigned/get", "presignResources"],
  ["get", "/house/metrics/log", "getLogs"],
  ["post", "/house/metrics/log/export", "exportLogs"],
  ["post", "/house/metrics/summaries", "getSummaries"],
  ["get", "/self_hosted/info", "getSelfHostedInfo"],
  ["post", "/self_hosted/users", "createSelfHostedUsers"],
  ["get", "/self_hosted/users", "listSelfHostedUsers"],
  ["get", "/self_hosted/projects", "listSelfHostedProjects"],
  ["get", "/self_hosted/groups", "listSelfHostedGroups"],
  ["get", "/self_hosted/summary", "getSelfHostedSummary"],
];

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Operation {
  method: string;
  path: string;
  op: JsonObject;
}

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(obj(spec.paths, "paths"))) {
    for (const [method, op] of Object.entries(obj(item, path))) {
      if (HTTP_METHODS.includes(method)) {
        out.push({ method, path, op: obj(op, `${method} ${path}`) });
      }
    }
  }
  return out;
}

function operation(operationId: string): Operation {
  const found = operations().find((o) => o.op.operationId === operationId);
  assert.ok(found, `operation ${operationId} not found`);
  return found;
}

/** The resolved parameters of an operation (path-item and operation level), by name. */
function parameters(operationId: string): Map<string, JsonObject> {
  const { path, op } = operation(operationId);
  const all = [
    ...((at(spec, "paths", path, "parameters") ?? []) as Json[]),
    ...((op.parameters ?? []) as Json[]),
  ];
  const byName = new Map<string, JsonObject>();
  for (const p of all) {
    const param = deref(p);
    byName.set(String(param.name), param);
  }
  return byName;
}

function successSchema(operationId: string, status = "200"): JsonObject {
  const response = deref(at(operation(operationId).op, "responses", status));
  return obj(at(response, "content", "application/json", "schema"), `${operationId} ${status}`);
}

describe("openapi/swanlab.yaml", () => {
  it("is OpenAPI 3.1.0 served under {apiHost}/api", () => {
    assert.equal(spec.openapi, "3.1.0");
    assert.deepEqual(
      (spec.servers as JsonObject[]).map((s) => s.url),
      ["https://api.swanlab.cn/api"],
    );
    assert.ok(String(at(spec, "info", "title")).length > 0);
    assert.ok(String(at(spec, "info", "description")).length > 0);
  });

  it("has exactly the 34 endpoints of ARCHITECTURE.md with their operationIds", () => {
    const actual = operations().map((o) =>
      `${o.method.toUpperCase()} ${o.path} ${o.op.operationId}`
    );
    const expected = ENDPOINTS.map(([m, p, id]) => `${m.toUpperCase()} ${p} ${id}`);
    assert.equal(expected.length, 34);
    assert.deepEqual([...actual].sort(), [...expected].sort());
    const ids = operations().map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
  });

  it("declares every path template parameter as a required path parameter, and no others", () => {
    for (const { path, op } of operations()) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = [...parameters(String(op.operationId)).values()]
        .filter((p) => p.in === "path");
      assert.deepEqual(declared.map((p) => p.name).sort(), templated, `${path}`);
      for (const p of declared) assert.equal(p.required, true, `${path} {${p.name}}`);
    }
  });

  it("documents every operation: summary, description, one defined tag", () => {
    const tags = (spec.tags as JsonObject[]).map((t) => {
      assert.ok(String(t.description).length > 0, `tag ${t.name} has a description`);
      return t.name;
    });
    assert.deepEqual(
      [...tags].sort(),
      [
        "auth",
        "columns",
        "files",
        "logs",
        "media",
        "metrics",
        "projects",
        "runs",
        "self-hosted",
        "users",
        "workspaces",
      ],
    );
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      assert.equal(typeof op.summary, "string", `${where} summary`);
      assert.ok(String(op.summary).trim().length > 0, `${where} summary`);
      assert.ok(String(op.description ?? "").trim().length > 20, `${where} description`);
      assert.equal((op.tags as Json[]).length, 1, `${where} has one tag`);
      assert.ok(tags.includes((op.tags as Json[])[0] as string), `${where} tag is defined`);
      for (const p of parameters(String(op.operationId)).values()) {
        assert.ok(String(p.description ?? "").length > 0, `${where} parameter ${p.name}`);
      }
    }
  });

  it("gives every operation its success statuses and the shared ErrorBody default", () => {
    const expected: Record<string, string[]> = {
      createProject: ["200", "201"],
      deleteProject: ["200", "204"],
      deleteRun: ["200", "204"],
      deleteRuns: ["200", "204"],
    };
    for (const { op } of operations()) {
      const id = String(op.operationId);
      const responses = obj(op.responses, `${id} responses`);
      const statuses = Object.keys(responses).filter((s) => s !== "default" && s !== "413").sort();
      assert.deepEqual(statuses, expected[id] ?? ["200"], id);
      // Every operation with a body documents the body limit (413), and only those.
      if (op.requestBody === undefined) assert.equal(responses["413"], undefined, id);
      else {
        assert.equal(
          at(responses["413"], "$ref"),
          "#/components/responses/PayloadTooLarge",
          `${id} documents the body limit`,
        );
      }

      const error = deref(responses.default);
      assert.equal(
        at(error, "content", "application/json", "schema", "$ref"),
        schemaRef("ErrorBody"),
        `${id} default response is ErrorBody`,
      );
      assert.equal(at(deref(at(error, "headers", "traceid")), "schema", "type"), "string");

      for (const status of statuses) {
        const response = deref(responses[status]);
        assert.ok(String(response.description).length > 0, `${id} ${status} description`);
        if (status === "204") {
          assert.equal(response.content, undefined, `${id} 204 has no body`);
          continue;
        }
        const schema = successSchema(id, status);
        assert.match(String(schema.$ref), /^#\/components\/schemas\/\w+$/, `${id} ${status} $ref`);
        assert.ok(schemas[String(schema.$ref).split("/").pop()!], `${id} ${status} target`);
      }
    }
  });

  it("uses a named, required request body schema on every POST but login", () => {
    for (const { method, op } of operations()) {
      const id = String(op.operationId);
      if (method !== "post" || id === "loginWithApiKey") {
        assert.equal(op.requestBody, undefined, `${id} has no body`);
        continue;
      }
      const body = deref(op.requestBody);
      assert.equal(body.required, true, `${id} body is required`);
      assert.match(
        String(at(body, "content", "application/json", "schema", "$ref")),
        /^#\/components\/schemas\/\w+Request$/,
        id,
      );
    }
  });

  it("authenticates with the sid cookie, and only login with the raw key header", () => {
    const scheme = (name: string) => {
      const s = obj(at(spec, "components", "securitySchemes", name), name);
      assert.ok(String(s.description ?? "").length > 0, `${name} description`);
      return [s.type, s.in, s.name];
    };
    assert.deepEqual(scheme("apiKeyHeader"), ["apiKey", "header", "authorization"]);
    assert.deepEqual(scheme("sessionCookie"), ["apiKey", "cookie", "sid"]);
    assert.deepEqual(
      Object.keys(obj(at(spec, "components", "securitySchemes"), "securitySchemes")).sort(),
      ["apiKeyHeader", "sessionCookie"],
    );
    assert.deepEqual(spec.security, [{ sessionCookie: [] }]);
    for (const { op } of operations()) {
      if (op.operationId === "loginWithApiKey") {
        assert.deepEqual(op.security, [{ apiKeyHeader: [] }]);
      } else {
        assert.equal(op.security, undefined, `${op.operationId} uses the global security`);
      }
    }
  });

  it("describes every component schema and parameter", () => {
    for (const [name, schema] of Object.entries(schemas)) {
      assert.ok(String(obj(schema, name).description ?? "").trim().length > 0, name);
    }
    for (const [name, p] of Object.entries(obj(at(spec, "components", "parameters"), "params"))) {
      assert.ok(String(obj(p, name).description ?? "").length > 0, name);
    }
  });

  it("defines the agreed component schema names", () => {
    const names = [
      "RunState",
      "RunType",
      "Visibility",
      "WorkspaceType",
      "Role",
      "ColumnClass",
      "ColumnType",
      "MetricType",
      "LogLevel",
      "FilterType",
      "FilterOp",
      "StableKey",
      "SortOrder",
      "XType",
      "LicensePlan",
      "PageSize",
      "ProjectSort",
      "SelfHostedProjectState",
      "LoginResponse",
      "LoginUserInfo",
      "ErrorBody",
      "Profile",
      "Workspace",
      "UserProfile",
      "ProjectLabel",
      "ProjectCount",
      "Project",
      "ProjectPage",
      "CreateProjectRequest",
      "RunLabel",
      "RunUser",
      "RunProfile",
      "Run",
      "RunPage",
      "FilterItem",
      "GroupItem",
      "SortItem",
      "RunFilterRequest",
      "GroupedRuns",
      "RunFilterResponse",
      "DeleteRunsRequest",
      "Column",
      "ColumnPage",
      "KeyExperimentRef",
      "MetricKeysRequest",
      "MetricKeysResponse",
      "AvailabilityRequest",
      "AvailabilityResponse",
      "ColumnRef",
      "ScalarMetricsRequest",
      "ScalarValue",
      "ScalarPoint",
      "CsvScalarPoint",
      "ScalarSeries",
      "ScalarStat",
      "ScalarStats",
      "ExportColumnRef",
      "ScalarExportRequest",
      "CosKeyResponse",
      "PresignFilesRequest",
      "PresignedUrls",
      "MediaStepRequest",
      "MediaEntry",
      "MediaStepResponse",
      "MediaAllRequest",
      "MediaStepItem",
      "MediaSeries",
      "MediaAllResponse",
      "PresignResourcesRequest",
      "LogEntry",
      "LogsResponse",
      "LogExportRequest",
      "SummaryExperimentRef",
      "SummariesRequest",
      "SummaryPoint",
      "SummaryItem",
      "SummariesResponse",
      "SelfHostedInfo",
      "CreateUserItem",
      "CreateUsersRequest",
      "SelfHostedUser",
      "SelfHostedUserPage",
      "SelfHostedProject",
      "SelfHostedProjectPage",
      "SelfHostedGroup",
      "SelfHostedGroupPage",
      "UsageSummary",
    ];
    const missing = names.filter((n) => !(n in schemas));
    assert.deepEqual(missing, []);
  });

  it("has the enums with exactly the agreed values", () => {
    const enums: Record<string, Json[]> = {
      RunState: ["RUNNING", "FINISHED", "CRASHED", "ABORTED", "OFFLINE"],
      RunType: ["CHAPTER", "SUMMARY"],
      Visibility: ["PUBLIC", "PRIVATE"],
      WorkspaceType: ["PERSON", "TEAM"],
      Role: ["VISITOR", "VIEWER", "MEMBER", "OWNER"],
      ColumnClass: ["CUSTOM", "SYSTEM"],
      ColumnType: [
        "FLOAT",
        "BOOLEAN",
        "STRING",
        "IMAGE",
        "AUDIO",
        "VIDEO",
        "OBJECT3D",
        "MOLECULE",
        "ECHARTS",
        "TABLE",
        "TEXT",
      ],
      MetricType: ["SCALAR", "MEDIA"],
      LogLevel: ["DEBUG", "INFO", "WARN", "ERROR"],
      FilterType: ["STABLE", "CONFIG", "SCALAR"],
      FilterOp: ["EQ", "NEQ", "GTE", "LTE", "IN", "NOT IN", "CONTAIN"],
      StableKey: [
        "state",
        "name",
        "description",
        "show",
        "pin",
        "baseline",
        "colors",
        "cluster",
        "job",
        "createdAt",
        "updatedAt",
        "finishedAt",
        "pinnedAt",
        "labels",
      ],
      SortOrder: ["ASC", "DESC"],
      XType: ["step", "timestamp"],
      LicensePlan: ["free", "commercial"],
      PageSize: [10, 12, 15, 20, 24, 27, 50, 100],
      ProjectSort: ["create", "name", "update"],
      SelfHostedProjectState: ["RUNNING", "FINISHED"],
    };
    for (const [name, values] of Object.entries(enums)) {
      const schema = obj(schemas[name], name);
      assert.deepEqual(schema.enum, values, name);
      assert.equal(schema.type, name === "PageSize" ? "integer" : "string", name);
    }
  });

  it("closes request bodies, except the pass-through filter/group/sort items", () => {
    const passThrough = new Set(["FilterItem", "GroupItem", "SortItem"]);
    const seen = new Set<string>();
    const visit = (node: Json | undefined, where: string): void => {
      if (typeof node !== "object" || node === null) return;
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}/${i}`));
      if (typeof node.$ref === "string") {
        const name = node.$ref.split("/").pop()!;
        if (seen.has(name)) return;
        seen.add(name);
        return visit(schemas[name], name);
      }
      if (node.type === "object" || node.properties) {
        const expected = passThrough.has(where) ? true : false;
        assert.equal(node.additionalProperties, expected, `${where} additionalProperties`);
      }
      for (const key of ["properties", "items", "prefixItems", "oneOf", "anyOf", "allOf"]) {
        const child = node[key];
        if (key === "properties") {
          for (const [k, v] of Object.entries(obj(child ?? {}, where))) visit(v, `${where}.${k}`);
        } else {
          visit(child, `${where}/${key}`);
        }
      }
    };
    for (const { op } of operations()) {
      if (op.requestBody) {
        visit(at(deref(op.requestBody), "content", "application/json", "schema"), "");
      }
    }
    for (const name of passThrough) assert.ok(seen.has(name), `${name} is reached`);
    assert.ok(seen.has("ColumnRef") && seen.has("CreateUserItem"), "nested refs are reached");
  });

  it("models the documented query parameters", () => {
    const logs = parameters("getLogs");
    const query = (params: Map<string, JsonObject>) =>
      [...params.values()].filter((p) => p.in === "query")
        .map((p) => `${p.name}${p.required ? "!" : "?"}`);
    assert.deepEqual(query(logs), [
      "projectId!",
      "experimentId!",
      "size!",
      "epoch?",
      "level!",
      "rootProId?",
      "rootExpId?",
      "createdAt!",
    ]);
    assert.equal(deref(at(logs.get("createdAt"), "schema")).type, "integer");
    assert.equal(at(deref(at(logs.get("level"), "schema")), "enum", "0"), "DEBUG");
    assert.equal(at(logs.get("size"), "schema", "default"), 1000);

    assert.deepEqual(query(parameters("listColumns")), [
      "page?",
      "size?",
      "search?",
      "type?",
      "class?",
    ]);
    assert.deepEqual(query(parameters("listProjects")), [
      "page?",
      "size?",
      "search?",
      "sort?",
      "detail?",
    ]);
    assert.deepEqual(at(parameters("listProjects").get("detail"), "schema", "enum"), [
      "True",
      "False",
    ]);
    assert.deepEqual(query(parameters("listSelfHostedProjects")), [
      "page?",
      "size?",
      "search?",
      "sort?",
      "state?",
      "creator?",
      "group?",
    ]);
    assert.deepEqual(query(parameters("listSelfHostedGroups")), [
      "page?",
      "size?",
      "search?",
      "sort?",
      "type?",
    ]);

    for (const id of ["listProjects", "listRuns", "listColumns"]) {
      const size = parameters(id).get("size");
      assert.equal(at(size, "schema", "$ref"), schemaRef("PageSize"), `${id} size`);
      assert.equal(at(parameters(id).get("page"), "schema", "minimum"), 1, `${id} page`);
    }
    for (const id of ["listSelfHostedUsers", "listSelfHostedProjects", "listSelfHostedGroups"]) {
      const size = obj(at(parameters(id).get("size"), "schema"), `${id} size`);
      assert.equal(size.type, "integer", `${id} size is any integer`);
      assert.equal(size.minimum, 1, `${id} size minimum`);
    }
  });

  it("marks server nulls with OpenAPI 3.1 type arrays", () => {
    const typeOf = (schema: string, prop: string) =>
      at(schemas, schema, "properties", prop, "type") as Json[];
    for (
      const [schema, prop] of [
        ["LoginUserInfo", "name"],
        ["Run", "slug"],
        ["Run", "finishedAt"],
        ["Profile", "school"],
        ["Profile", "email"],
        ["MediaStepResponse", "step"],
        ["MediaStepResponse", "metrics"],
        ["MediaEntry", "more"],
      ] as const
    ) {
      assert.ok(typeOf(schema, prop).includes("null"), `${schema}.${prop} is nullable`);
    }
    assert.ok((at(schemas, "MediaAllResponse", "type") as Json[]).includes("null"));
    assert.equal(at(schemas, "Run", "required", "0"), "cuid");
    assert.equal((at(schemas, "Run", "required") as Json[]).length, 1, "Run requires only cuid");
    assert.equal(at(schemas, "Run", "properties", "createdAt", "type"), "string");
    assert.equal(at(schemas, "Run", "nullable"), undefined, "no OpenAPI 3.0 nullable");
  });

  it("keeps the agreed wire details", () => {
    const range = obj(at(schemas, "ScalarMetricsRequest", "properties", "range"), "range");
    assert.equal(range.minItems, 2);
    assert.equal(range.maxItems, 2);
    assert.equal((range.prefixItems as Json[]).length, 2);
    assert.deepEqual(at(schemas, "ScalarValue", "oneOf"), [
      { type: "number" },
      { type: "string", enum: ["NaN", "INF", "-INF"] },
    ]);
    const rows = obj(at(schemas, "LogExportRequest", "properties", "rows"), "rows");
    assert.deepEqual([rows.type, rows.minimum, rows.maximum], ["integer", 1, 500000]);
    assert.deepEqual(at(schemas, "ErrorBody", "properties", "code", "type"), ["string", "integer"]);
    assert.deepEqual(successSchema("filterRuns"), { $ref: schemaRef("RunFilterResponse") });
    assert.match(String(at(schemas, "CsvScalarPoint", "description")), /not a wire body/i);
  });
});

describe("JSON Schema validation with Ajv 2020 (as a validating server would)", () => {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  ajv.addFormat("uri", /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addKeyword("components");
  ajv.addKeyword("x-partial"); // the drift policy's annotation (src/core/drift.ts)
  const base = "https://swanlab.test/openapi.json";
  ajv.addSchema({ $id: base, components: structuredClone(generatedSpec.components) } as never);
  const validator = (name: string) => {
    const validate = ajv.getSchema(`${base}#/components/schemas/${name}`);
    assert.ok(validate, `${name} compiles`);
    return validate;
  };
  const valid = (name: string, data: unknown): boolean => validator(name)(data) === true;

  it("compiles every component schema in strict mode and accepts its examples", () => {
    for (const [name, schema] of Object.entries(schemas)) {
      const validate = validator(name);
      for (const example of (obj(schema, name).examples ?? []) as Json[]) {
        assert.ok(validate(example), `${name} example: ${ajv.errorsText(validate.errors)}`);
      }
    }
  });

  it("rejects client mistakes in request bodies", () => {
    const ref = { experimentId: "r", key: "loss", createdAt: 1722470400 };
    assert.ok(valid("CreateProjectRequest", { name: "p", visibility: "PUBLIC", username: "u" }));
    assert.ok(
      !valid("CreateProjectRequest", { name: "p", visibility: "PUBLIC", username: "u", x: 1 }),
    );
    assert.ok(!valid("CreateProjectRequest", { name: "a b", visibility: "PUBLIC", username: "u" }));
    assert.ok(!valid("CreateProjectRequest", { name: "p", visibility: "public", username: "u" }));
    assert.ok(valid("ColumnRef", ref));
    assert.ok(!valid("ColumnRef", { ...ref, createdAt: 1722470400000 }), "milliseconds");
    assert.ok(!valid("ColumnRef", { ...ref, rootProId: "" }), "empty root id");
    const scalar = { projectId: "p", xType: "step", range: [0, 0], columns: [ref], num: 1500 };
    assert.ok(valid("ScalarMetricsRequest", scalar));
    assert.ok(!valid("ScalarMetricsRequest", { ...scalar, range: [0, 0, 0] }));
    assert.ok(!valid("ScalarMetricsRequest", { ...scalar, range: [0.5, 1] }));
    assert.ok(!valid("ScalarMetricsRequest", { ...scalar, xType: "time" }));
    assert.ok(!valid("ScalarMetricsRequest", { ...scalar, num: 1501 }));
    assert.ok(!valid("RunFilterRequest", { filters: [], groups: [] }), "sorts is required");
    const logs = {
      projectId: "p",
      experimentId: "r",
      start: 0,
      rows: 500000,
      createdAt: 1722470400,
    };
    assert.ok(valid("LogExportRequest", logs));
    assert.ok(!valid("LogExportRequest", { ...logs, rows: 500001 }));
    assert.ok(!valid("LogExportRequest", { ...logs, rows: 0 }));
    assert.ok(!valid("PresignResourcesRequest", { prefix: "only-project", paths: [] }));
  });

  it("checks STABLE keys and passes extra fields through on filter items", () => {
    const item = { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"], active: true };
    assert.ok(valid("FilterItem", item));
    assert.ok(valid("FilterItem", { ...item, extra: { any: "thing" } }), "extra fields pass");
    assert.ok(!valid("FilterItem", { ...item, key: "lr" }), "unknown STABLE key");
    assert.ok(valid("FilterItem", { ...item, key: "lr", type: "CONFIG" }), "any CONFIG key");
    assert.ok(valid("FilterItem", { ...item, op: "NOT IN" }));
    assert.ok(!valid("FilterItem", { ...item, op: "NOTIN" }));
    assert.ok(!valid("FilterItem", { ...item, value: "FINISHED" }), "value must be an array");
    assert.ok(!valid("SortItem", { key: "name", type: "STABLE", order: "asc" }));
    assert.ok(!valid("GroupItem", { key: "group", type: "STABLE" }));
  });

  it("accepts the documented response variants", () => {
    const run = { cuid: "c" };
    assert.ok(valid("RunFilterResponse", [run]));
    assert.ok(valid("RunFilterResponse", { a: [run], b: { c: [run], d: { e: [] } } }));
    assert.ok(!valid("RunFilterResponse", { a: "scalar" }));
    assert.ok(valid("RunPage", { list: [run], total: 1, pages: 1, size: 20 }));
    assert.ok(!valid("RunPage", { list: [{ name: "no cuid" }], total: 1, pages: 1 }));
    assert.ok(valid("Run", { cuid: "c", slug: null, finishedAt: null, extra: 1 }));
    assert.ok(valid("MediaAllResponse", null));
    assert.ok(valid("MediaStepResponse", { steps: [], step: null, metrics: null }));
    assert.ok(valid("SummariesResponse", { a: null, b: { loss: { step: 1, value: "INF" } } }));
    assert.ok(!valid("SummariesResponse", { b: { loss: { step: 1, value: "Infinity" } } }));
    assert.ok(valid("ScalarPoint", { index: 1, data: "-INF", timestamp: 1722470401000 }));
    assert.ok(valid("ErrorBody", { code: 4001, message: "Invalid Params" }));
    assert.ok(!valid("ErrorBody", { message: "no code" }));
    assert.ok(valid("LoginResponse", {
      sid: "s",
      expiredAt: "2999-01-01T00:00:00.123456Z",
      userInfo: { username: "u", name: null },
    }));
    assert.ok(
      !valid("LoginResponse", {
        sid: "s",
        expiredAt: "2999-01-01T00:00:00Z",
        userInfo: { username: "u" },
      }),
      "the SDK needs fractional seconds",
    );
  });
});

describe("generated modules", () => {
  it("generated/spec.ts is the parsed YAML", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(generatedSpec)), spec);
  });

  it("are up to date with the spec (deno task gen)", async () => {
    const files = await generate();
    for (const path of [SCHEMA_PATH, SPEC_MODULE_PATH, RESPONSE_SPEC_PATH]) {
      const committed = await Deno.readTextFile(new URL(path, ROOT));
      assert.ok(committed === files[path], `${path} is stale: run "deno task gen"`);
    }
    assert.ok(String(files[SCHEMA_PATH]).startsWith("// Code generated by scripts/gen.ts"));
    assert.match(String(files[SCHEMA_PATH]), /^export interface operations \{$/m);
  });
});

/** A schema without the keywords that only document it (a property of such a name is kept). */
function withoutDocs(value: Json, inProperties = false): Json {
  if (Array.isArray(value)) return value.map((item) => withoutDocs(item));
  if (typeof value !== "object" || value === null) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const documentation = ["description", "summary", "title", "example", "examples"].includes(key);
    if (documentation && !inProperties) continue;
    out[key] = withoutDocs(child, !inProperties && key === "properties");
  }
  return out;
}

/** The component schema names a value refers to. */
function refsOf(value: Json | undefined, into: Set<string>): Set<string> {
  if (Array.isArray(value)) { for (const item of value) refsOf(item, into); }
  else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") {
        into.add(child.replace("#/components/schemas/", ""));
      } else refsOf(child, into);
    }
  }
  return into;
}

describe("generated/response_spec.ts (the drift policy's part of the spec)", () => {
  const side = JSON.parse(JSON.stringify(responseSpec)) as JsonObject;
  const specSchemas = obj(at(spec, "components", "schemas"), "spec schemas");

  it("has every operation with its operationId and success JSON schema, without documentation", () => {
    let operations = 0;
    let schemas = 0;
    for (const [template, item] of Object.entries(obj(spec.paths, "paths"))) {
      for (const [method, operation] of Object.entries(obj(item, template))) {
        const responses = obj(at(operation, "responses"), `${method} ${template}`);
        const generated = obj(at(side, "paths", template, method), `${method} ${template}`);
        assert.equal(generated.operationId, at(operation, "operationId"));
        operations++;
        const statuses = Object.keys(responses).filter((status) => /^2\d\d$/.test(status));
        assert.deepEqual(Object.keys(obj(generated.responses, "responses")), statuses);
        for (const status of statuses) {
          const schema = at(responses, status, "content", "application/json", "schema");
          const kept = at(generated, "responses", status, "content", "application/json", "schema");
          assert.deepEqual(kept, schema === undefined ? undefined : withoutDocs(schema));
          if (schema !== undefined) schemas++;
        }
      }
    }
    assert.ok(operations > 30 && schemas > 30, `${operations} operations, ${schemas} schemas`);
  });

  it("holds exactly the component schemas the responses reach, as in the spec without documentation", () => {
    const reached = refsOf(at(side, "paths"), new Set());
    for (let size = 0; size !== reached.size;) {
      size = reached.size;
      for (const name of [...reached]) refsOf(specSchemas[name], reached);
    }
    const kept = obj(at(side, "components", "schemas"), "schemas");
    assert.deepEqual(new Set(Object.keys(kept)), reached);
    for (const name of reached) {
      assert.deepEqual(kept[name], withoutDocs(specSchemas[name] as Json), name);
    }
    assert.ok(reached.size < Object.keys(specSchemas).length, "request-only schemas left out");
    assert.ok(
      JSON.stringify(side).length * 3 < JSON.stringify(spec).length,
      "a fraction of the spec",
    );
  });

  it("keeps a property named like a documentation keyword", () => {
    assert.deepEqual(at(side, "components", "schemas", "Project", "properties", "description"), {
      type: "string",
    });
  });

  it("rejects a reference to a schema the spec does not have", () => {
    const broken = {
      paths: {
        "/x": {
          get: {
            operationId: "x",
            responses: {
              "200": {
                content: { "application/json": { schema: { $ref: "#/components/schemas/Nope" } } },
              },
            },
          },
        },
      },
      components: { schemas: {} },
    };
    assert.throws(() => responseSide(broken), GenerationError);
  });
});
