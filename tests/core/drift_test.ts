import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeResponse,
  type Drift,
  DriftReporter,
  fieldName,
  formatDrift,
  isEssential,
  responseSchema,
} from "../../src/core/drift.ts";
import { ResponseError } from "../../src/core/errors.ts";

/** Decodes `body` as the success body of `method template`, collecting the drift. */
function decode(method: string, template: string, body: unknown) {
  const found = responseSchema(method, template, 200);
  assert.ok(found !== undefined, `${method} ${template} is in the spec`);
  const drifts: Drift[] = [];
  const value = decodeResponse(found, body, new DriftReporter((d) => drifts.push(d)));
  return { value, drifts };
}

const RUN = { cuid: "c1", name: "r", state: "FINISHED" };

describe("drift policy (src/core/drift.ts)", () => {
  it("finds operations and their success schemas by method and path template", () => {
    assert.equal(responseSchema("GET", "/house/metrics/log", 200)?.operation, "getLogs");
    assert.equal(
      responseSchema("get", "/house/metrics/log", 200)?.endpoint,
      "GET /house/metrics/log",
    );
    assert.equal(responseSchema("POST", "/project", 201)?.operation, "createProject");
    assert.equal(responseSchema("GET", "/nope", 200), undefined);
  });

  it("leaves an intact body untouched and reports nothing", () => {
    const body = { logs: [], count: 0 };
    const { value, drifts } = decode("GET", "/house/metrics/log", structuredClone(body));
    assert.deepEqual(value, body);
    assert.deepEqual(drifts, []);
  });

  it("fails on a broken essential field, naming operation and field", () => {
    assert.throws(
      () => decode("GET", "/project/{username}/{project}/runs", { list: [RUN], total: 1 }),
      new ResponseError(
        'Cannot use response of listRuns: "pages" expected integer, got missing',
      ),
    );
    assert.throws(
      () =>
        decode("GET", "/project/{username}/{project}/runs", {
          list: [RUN, { ...RUN, cuid: null }],
          total: 2,
          pages: 1,
        }),
      /listRuns: "list\[1\]\.cuid" expected string, got null/,
    );
    assert.throws(() => decode("GET", "/user/profile", null), /"\(body\)" expected object/);
  });

  it("nulls an optional field of the wrong type and reports it once", () => {
    const { value, drifts } = decode("GET", "/house/metrics/log", { logs: [], count: "7" });
    assert.deepEqual(value, { logs: [], count: null });
    assert.deepEqual(drifts, [{
      operation: "getLogs",
      endpoint: "GET /house/metrics/log",
      field: "count",
      expected: "integer",
      got: "string",
      essential: false,
    }]);
  });

  it("a broken required field inside an optional object nulls that object", () => {
    const intact = { avg: { data: 1 }, median: { data: 1 }, latest: { index: 3, data: 1 } };
    const stats = [{ key: "loss", min: { index: 1 }, max: { index: 2, data: 0.5 }, ...intact }];
    const { value, drifts } = decode("POST", "/house/metrics/scalar/value", stats);
    assert.deepEqual(value, [{ ...stats[0], min: null }]);
    assert.deepEqual(drifts.map((d) => [d.field, d.got]), [["[0].min.data", "missing"]]);
  });

  it("keeps a value outside an enum, and reports it", () => {
    const { value, drifts } = decode("GET", "/project/{username}/{project}/runs/{run}", {
      ...RUN,
      state: "PAUSED",
    });
    assert.equal((value as { state: string }).state, "PAUSED");
    assert.equal(drifts.length, 1);
    assert.equal(drifts[0]!.field, "state");
    assert.equal(drifts[0]!.got, '"PAUSED"');
  });

  it("does not report optional fields left out of an x-partial record", () => {
    const { drifts } = decode("GET", "/project/{username}/{project}/runs", {
      list: [{ cuid: "c1" }],
      total: 1,
      pages: 1,
      size: 10,
    });
    assert.deepEqual(drifts, []);
  });

  it("reports once per operation and field, folding list indices", () => {
    const seen: Drift[] = [];
    const reporter = new DriftReporter((d) => seen.push(d));
    const drift = (field: string): Drift => ({
      operation: "listRuns",
      endpoint: "GET /project/{username}/{project}/runs",
      field,
      expected: "string",
      got: "null",
      essential: false,
    });
    reporter.report(drift("list[0].name"));
    reporter.report(drift("list[7].name"));
    reporter.report(drift("list[0].slug"));
    assert.deepEqual(seen.map((d) => d.field), ["list[0].name", "list[0].slug"]);
    assert.equal(
      formatDrift(drift("list[0].name")),
      "Response drift in listRuns (GET /project/{username}/{project}/runs): " +
        '"list[0].name" expected string, got null',
    );
    // Server-sent parts cannot drive a terminal.
    const hostile = { ...drift("state"), got: '"\u001b]0;title\u0007\u202e\u009b31m"' };
    assert.equal(
      formatDrift(hostile),
      "Response drift in listRuns (GET /project/{username}/{project}/runs): " +
        '"state" expected string, got "\\u001b]0;title\\u0007\\u202e\\u009b31m"',
    );
  });

  it("redacts secrets before the handler sees a drift, after de-duplication", () => {
    const seen: Drift[] = [];
    const reporter = new DriftReporter(
      (d) => seen.push(d),
      (text) => text.replaceAll("sk-secret", "***"),
    );
    const drift: Drift = {
      operation: "getRun",
      endpoint: "GET /project/{username}/{project}/runs/{run}",
      field: "state",
      expected: "one of RUNNING",
      got: '"sk-secret"',
      essential: false,
    };
    reporter.report(drift);
    reporter.report({ ...drift, got: '"other"' });
    assert.deepEqual(seen, [{ ...drift, got: '"***"' }]);
  });

  it("spells every field one way, and knows which ones are essential", () => {
    assert.equal(fieldName([]), "(body)");
    assert.equal(fieldName(["list", 3, "name"]), "list[3].name");
    assert.equal(fieldName([0, "min", "data"]), "[0].min.data");
    const runs = responseSchema("GET", "/project/{username}/{project}/runs", 200)!;
    const page = { list: [RUN], total: 1, pages: 1 };
    assert.equal(isEssential(runs.schema, page, ["pages"]), true);
    assert.equal(isEssential(runs.schema, page, ["list", 0, "cuid"]), true);
    assert.equal(isEssential(runs.schema, page, ["list", 0, "name"]), false);
    assert.equal(isEssential(runs.schema, page, ["undescribed"]), false);
    const stats = responseSchema("POST", "/house/metrics/scalar/value", 200)!;
    // A required field inside an optional object is not essential to the call.
    assert.equal(isEssential(stats.schema, [{ key: "k", min: {} }], [0, "min", "data"]), false);
  });
});
