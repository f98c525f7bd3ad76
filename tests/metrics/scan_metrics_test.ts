import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { startServer } from "../../src/server/mod.ts";
import type { DatasetRun, LocalServer } from "../../src/server/mod.ts";
import { type SeenRequest, sendJson, startScriptedServer } from "../_helpers/scripted_server.ts";
import { Transport } from "../../src/core/transport.ts";
import {
  AbortError,
  ConnectionError,
  ResponseError,
  ValidationError,
} from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import { fetchScalarMetrics, type FullPointJson } from "../../src/metrics/scalar_metrics.ts";
import {
  exportScalarCsvUrl,
  type MetricPoint,
  scanMetricBatches,
  scanMetrics,
} from "../../src/metrics/scan_metrics.ts";
import type { RangeQuery } from "../../src/metrics/range_query.ts";
import { fetchMetricColumns } from "../../src/metrics/metric_columns.ts";
import { CsvParseStream, toPoints } from "../../src/metrics/csv_parse_stream.ts";
import fc from "fast-check";

function refOf(run: DatasetRun): RunRef {
  return {
    projectId: run.projectCuid,
    runId: run.cuid,
    createdAt: run.createdAtSeconds,
    name: run.name,
    ...(run.rootProId ? { rootProId: run.rootProId } : {}),
    ...(run.rootExpId ? { rootExpId: run.rootExpId } : {}),
  };
}

const STEPS = 3000;

/** The points of a non-streaming answer in scan order: by step, then by key order. */
function inRowOrder(keys: readonly string[], perKey: Map<string, FullPointJson[]>): MetricPoint[] {
  const points = keys.flatMap((key, k) =>
    (perKey.get(key) ?? []).map((p) => ({ k, point: { key, ...p } as MetricPoint }))
  );
  points.sort((a, b) => a.point.step - b.point.step || a.k - b.k);
  return points.map((p) => p.point);
}

async function nonStreaming(
  transport: Transport,
  ref: RunRef,
  keys: string[],
  rangeQuery?: RangeQuery,
  nowMs?: number,
): Promise<Map<string, FullPointJson[]>> {
  const json = await fetchScalarMetrics(
    transport,
    ref,
    keys,
    rangeQuery === undefined ? { all: true } : { rangeQuery },
    nowMs === undefined ? {} : { nowMs },
  );
  return new Map(json.list.map((item) => [item.key, item.metrics as FullPointJson[]]));
}

/**
 * A `fetch` that counts the bytes the client actually reads from storage (injected into the
 * transport; no globals are patched).
 */
function storageByteCounter(storageOrigin: string, count: (bytes: number) => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(storageOrigin) || response.body === null) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          count(chunk.byteLength);
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, headers: response.headers });
  };
}

describe("scanMetrics against the local server", () => {
  let server: LocalServer;
  let transport: Transport;
  let run: DatasetRun;
  let ref: RunRef;
  let storageBytes = 0;
  before(async () => {
    server = await startServer({ runs: 2, steps: STEPS, extraKeys: 20, logLines: 10 });
    const countingFetch = storageByteCounter(server.storageOrigin, (n) => storageBytes += n);
    transport = await Transport.create({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      fetch: countingFetch,
    });
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    ref = refOf(run);
  });
  after(() => server.close());
  beforeEach(() => {
    server.clearRequests();
    server.setFaults({});
    storageBytes = 0;
  });

  const downloads = () => server.requests.filter((r) => r.origin === "storage");
  const exports = () =>
    server.requests.filter((r) => r.path === "/api/house/metrics/scalar/export");

  it("yields the points of the non-streaming path, in row order, none dropped or repeated", async () => {
    const keys = ["val/loss", "train/loss", "lr"];
    const expected = inRowOrder(keys, await nonStreaming(transport, ref, keys));
    const scanned = await Array.fromAsync(scanMetrics(transport, ref, keys));
    assert.equal(scanned.length, STEPS * 2 + STEPS / 10);
    assert.deepEqual(scanned, expected);
    const seen = new Set(scanned.map((p) => `${p.key}@${p.step}`));
    assert.equal(seen.size, scanned.length);
  });

  it("yields the same points for every range form, tail points last per key in request order", async () => {
    const keys = ["train/loss", "val/loss"];
    const full = await nonStreaming(transport, ref, keys);
    const ts = (step: number) => full.get("train/loss")![step]!.timestamp!;
    const nowMs = ts(STEPS - 1) + 1;
    const queries: RangeQuery[] = [
      { start: 100, end: 500 },
      { type: "timestamp", start: Math.floor(ts(1000) / 1000), end: ts(1400) },
      { last: 20_000 },
      { head: 7 },
      { start: 50, end: 500, head: 5 },
    ];
    for (const rangeQuery of queries) {
      const expected = inRowOrder(
        keys,
        await nonStreaming(transport, ref, keys, rangeQuery, nowMs),
      );
      assert.ok(expected.length > 0);
      const scanned = await Array.fromAsync(
        scanMetrics(transport, ref, keys, { rangeQuery }, { nowMs }),
      );
      assert.deepEqual(scanned, expected, JSON.stringify(rangeQuery));
    }
    const tail = await Array.fromAsync(
      scanMetrics(transport, ref, keys, { rangeQuery: { tail: 3 } }),
    );
    assert.deepEqual(
      tail,
      keys.flatMap((key) => full.get(key)!.slice(-3).map((p) => ({ key, ...p }))),
    );
  });

  it("exports more than 16 keys chunk by chunk, one CSV at a time", async () => {
    const keys = server.dataset.scalarKeys.slice(0, 20);
    let count = 0;
    const chunkOf = new Map<string, number>();
    for await (const point of scanMetrics(transport, ref, keys, { rangeQuery: { end: 9 } })) {
      count++;
      chunkOf.set(point.key, exports().length);
    }
    assert.equal(exports().length, 2);
    assert.deepEqual(
      exports().map((e) => (e.body as { columns: { key: string }[] }).columns.map((c) => c.key)),
      [keys.slice(0, 16), keys.slice(16)],
    );
    for (const key of keys.slice(0, 16)) assert.equal(chunkOf.get(key), 1);
    for (const key of keys.slice(16)) assert.equal(chunkOf.get(key), 2);
    // The second export is requested only after the first CSV was read.
    const order = server.requests.filter((r) =>
      r.origin === "storage" || r.path.endsWith("/export")
    );
    assert.deepEqual(order.map((r) => r.origin === "storage" ? "download" : "export"), [
      "export",
      "download",
      "export",
      "download",
    ]);
    assert.ok(count > 0);
  });

  it("sends the run name as experimentName and downloads without credentials", async () => {
    await Array.fromAsync(scanMetrics(transport, ref, ["lr"], { rangeQuery: { head: 1 } }));
    assert.deepEqual(exports()[0]!.body, {
      projectId: run.projectCuid,
      columns: [{
        experimentName: run.name,
        experimentId: run.cuid,
        key: "lr",
        createdAt: run.createdAtSeconds,
      }],
    });
    const [download] = downloads();
    assert.ok(download);
    for (const header of ["cookie", "authorization", "x-swanlab-sdk-version"]) {
      assert.equal(download.headers[header], undefined, header);
    }
  });

  it("sends a clone's root ids in the export columns", async () => {
    const { run: clone } = server.dataset.clone;
    const points = await Array.fromAsync(
      scanMetrics(transport, refOf(clone), ["lr"], { rangeQuery: { head: 2 } }),
    );
    assert.equal(points.length, 2);
    const column = (exports()[0]!.body as { columns: Record<string, unknown>[] }).columns[0];
    assert.deepEqual(column, {
      experimentName: clone.name,
      experimentId: clone.cuid,
      key: "lr",
      createdAt: clone.createdAtSeconds,
      rootProId: clone.rootProId,
      rootExpId: clone.rootExpId,
    });
  });

  it("hands over the same points in batches", async () => {
    const keys = ["train/acc", "val/acc"];
    const batches = await Array.fromAsync(scanMetricBatches(transport, ref, keys));
    assert.ok(batches.length > 1);
    assert.deepEqual(batches.flat(), await Array.fromAsync(scanMetrics(transport, ref, keys)));
  });

  it("checks keys and the range query when called, before any request", () => {
    assert.throws(() => scanMetrics(transport, ref, []), ValidationError);
    assert.throws(
      () => scanMetrics(transport, ref, ["lr"], { rangeQuery: { tail: 0 } }),
      ValidationError,
    );
    assert.throws(
      () => scanMetrics(transport, ref, ["lr"], { rangeQuery: { nope: 1 } }),
      ValidationError,
    );
    assert.equal(server.requests.length, 0);
  });

  it("reads a download cut mid-body again and recovers without dropping or repeating points", async () => {
    const keys = server.dataset.scalarKeys.slice(0, 20);
    const expected = await Array.fromAsync(scanMetrics(transport, ref, keys));
    server.clearRequests();
    // Seed 9 cuts the 1st and 2nd download of chunk 1 and the 1st of chunk 2.
    server.setFaults({ truncateRate: 0.5, seed: 9 });
    const scanned = await Array.fromAsync(scanMetrics(transport, ref, keys, {}, { maxRetries: 2 }));
    assert.equal(downloads().length, 5);
    assert.equal(scanned.length, expected.length);
    assert.deepEqual(scanned, expected);
  });

  it("throws a ResponseError when the download stays cut", async () => {
    server.setFaults({ truncateRate: 1 });
    let yielded = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of scanMetrics(transport, ref, ["lr"], {}, { maxRetries: 2 })) yielded++;
      })(),
      (error: unknown) =>
        error instanceof ResponseError && /cut 3 times/.test(error.message) &&
        error.cause instanceof ConnectionError,
    );
    assert.equal(downloads().length, 3);
    assert.ok(yielded < STEPS);
  });

  it("throws an AbortError when the signal aborts during the download", async () => {
    const controller = new AbortController();
    await assert.rejects(
      (async () => {
        for await (
          const _ of scanMetricBatches(transport, ref, ["lr"], {}, { signal: controller.signal })
        ) {
          controller.abort();
        }
      })(),
      AbortError,
    );
  });
});

describe("scanMetrics stopping early", () => {
  let server: LocalServer;
  let transport: Transport;
  let ref: RunRef;
  let storageBytes = 0;
  before(async () => {
    server = await startServer({ runs: 1, steps: 300_000, logLines: 10 });
    const countingFetch = storageByteCounter(server.storageOrigin, (n) => storageBytes += n);
    transport = await Transport.create({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      fetch: countingFetch,
    });
    ref = refOf(server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!);
  });
  after(() => server.close());
  beforeEach(() => {
    storageBytes = 0;
  });

  // 300 000 rows of one key are about 9 MB of CSV.
  const FULL_BYTES = 9_000_000;

  it("cancels the download once every key has its head", async () => {
    const points = await Array.fromAsync(
      scanMetrics(transport, ref, ["train/loss", "val/loss"], { rangeQuery: { head: 5 } }),
    );
    assert.equal(points.length, 10);
    assert.ok(storageBytes < FULL_BYTES / 10, `${storageBytes} bytes read`);
  });

  it("stops reading past the end of a step range", async () => {
    const points = await Array.fromAsync(
      scanMetrics(transport, ref, ["lr"], { rangeQuery: { start: 10, end: 2000 } }),
    );
    assert.equal(points.length, 1991);
    assert.ok(storageBytes < FULL_BYTES / 10, `${storageBytes} bytes read`);
  });

  it("cancels the download when the consumer stops", async () => {
    let seen = 0;
    for await (const _ of scanMetrics(transport, ref, ["lr"])) {
      if (++seen === 100) break;
    }
    assert.ok(storageBytes < FULL_BYTES / 10, `${storageBytes} bytes read`);
  });

  it("keeps only `tail` points per key while reading everything", async () => {
    const points = await Array.fromAsync(
      scanMetrics(transport, ref, ["lr"], { rangeQuery: { tail: 4 } }),
    );
    assert.deepEqual(points.map((p) => p.step), [299_996, 299_997, 299_998, 299_999]);
    assert.ok(storageBytes > FULL_BYTES / 2, `${storageBytes} bytes read`);
  });
});

describe("exportScalarCsvUrl", () => {
  let server: LocalServer;
  let transport: Transport;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 1, steps: 20, logLines: 10 });
    transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  it("names the CSV columns after the run's cuid by default", async () => {
    const { url } = await exportScalarCsvUrl(transport, refOf(run), ["lr", "train/loss"]);
    const csv = await (await transport.download(url)).text();
    const lines = csv.trimEnd().split("\n");
    assert.equal(
      lines[0],
      `step,${run.cuid}-lr_step,${run.cuid}-lr_timestamp,${run.cuid}-train/loss_step,${run.cuid}-train/loss_timestamp`,
    );
    assert.equal(lines.length, 21);
    const body = server.requests.find((r) => r.path.endsWith("/export"))!.body as {
      columns: { experimentName: string }[];
    };
    assert.deepEqual(body.columns.map((c) => c.experimentName), [run.cuid, run.cuid]);
  });

  it("uses a given experiment name", async () => {
    const { url } = await exportScalarCsvUrl(transport, refOf(run), ["lr"], {}, {
      experimentName: "exp-1",
    });
    const csv = await (await transport.download(url)).text();
    assert.ok(csv.startsWith("step,exp-1-lr_step,exp-1-lr_timestamp\n"));
  });

  it("rejects more than 16 keys before any request", async () => {
    const keys = Array.from({ length: 17 }, (_, i) => `k${i}`);
    await assert.rejects(exportScalarCsvUrl(transport, refOf(run), keys), ValidationError);
    assert.equal(server.requests.length, 0);
  });
});

describe("scanMetrics with a scripted server", () => {
  const LOGIN = {
    sid: "s",
    expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    userInfo: { username: "u", name: "U" },
  };
  const ref: RunRef = { projectId: "p", runId: "r", createdAt: 1722470400, name: "" };

  async function withCsv(
    serve: (request: SeenRequest, response: ServerResponse) => void,
    api: Record<string, unknown> = {},
  ) {
    const scripted = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") return sendJson(response, 200, LOGIN);
      if (request.path === "/api/house/metrics/scalar/export") {
        return sendJson(response, 200, api["export"] ?? { cosKey: "exports/x.csv" });
      }
      if (request.path === "/api/files/presigned/get") {
        return sendJson(
          response,
          200,
          api["presign"] ?? { urls: [`${scripted.origin}/storage/x.csv`] },
        );
      }
      serve(request, response);
    });
    const transport = await Transport.create({ host: scripted.origin, apiKey: "k", env: {} });
    return { scripted, transport };
  }

  it("retries a body shorter than its Content-Length, then reports a typed error", async () => {
    const csv = "step,r-lr_step,r-lr_timestamp\n0,0.5,1722470401000\n1,0.6,1722470401100\n";
    const { scripted, transport } = await withCsv((_, response) => {
      response.writeHead(200, {
        "content-type": "text/csv",
        "content-length": String(csv.length + 50),
      });
      response.write(csv);
      setTimeout(() => response.destroy(), 10);
    });
    try {
      await assert.rejects(
        Array.fromAsync(scanMetrics(transport, ref, ["lr"], {}, { maxRetries: 1 })),
        ResponseError,
      );
      assert.equal(scripted.requests.filter((r) => r.path === "/storage/x.csv").length, 2);
    } finally {
      await scripted.close();
    }
  });

  it("does not retry a malformed CSV and names the line", async () => {
    const csv = "step,r-lr_step,r-lr_timestamp\n0,0.5,1722470401000\n1,0.6\n";
    const { scripted, transport } = await withCsv((_, response) => {
      response.writeHead(200, { "content-type": "text/csv", "content-length": String(csv.length) });
      response.end(csv);
    });
    try {
      await assert.rejects(
        Array.fromAsync(scanMetrics(transport, ref, ["lr"])),
        (error: unknown) => error instanceof ResponseError && /line 3/.test(error.message),
      );
      assert.equal(scripted.requests.filter((r) => r.path === "/storage/x.csv").length, 1);
    } finally {
      await scripted.close();
    }
  });

  it("parses NaN and INF cells, skips empty cells, and warns about points without timestamp", async () => {
    const csv =
      "step,r-lr_step,r-lr_timestamp\n0,NaN,1722470401000\n1,INF,\n2,,1722470401200\n3,-INF,1722470401300\n";
    const { scripted, transport } = await withCsv((_, response) => {
      response.writeHead(200, { "content-type": "text/csv" });
      response.end(csv);
    });
    try {
      const all = await Array.fromAsync(scanMetrics(transport, ref, ["lr"]));
      assert.deepEqual(all, [
        { key: "lr", step: 0, value: NaN, timestamp: 1722470401000 },
        { key: "lr", step: 1, value: Infinity },
        { key: "lr", step: 3, value: -Infinity, timestamp: 1722470401300 },
      ]);
      const warnings: string[] = [];
      const recent = await Array.fromAsync(
        scanMetrics(transport, ref, ["lr"], { rangeQuery: { last: 1000 } }, {
          nowMs: 1722470401500,
          onWarning: (message) => warnings.push(message),
        }),
      );
      assert.deepEqual(recent.map((p) => p.step), [0, 3]);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /1 points of "lr" without timestamp/);
    } finally {
      await scripted.close();
    }
  });

  it("reports a missing cosKey (naming operation and field) and a missing URL", async () => {
    const first = await withCsv(() => {}, { export: { nope: 1 } });
    try {
      await assert.rejects(
        Array.fromAsync(scanMetrics(first.transport, ref, ["lr"])),
        {
          name: "ResponseError",
          message: 'Cannot use response of exportScalarCsv: "cosKey" expected string, got missing',
        },
      );
    } finally {
      await first.scripted.close();
    }
    const second = await withCsv(() => {}, { presign: { urls: [] } });
    try {
      await assert.rejects(
        exportScalarCsvUrl(second.transport, ref, ["lr"]),
        {
          name: "ResponseError",
          message: 'Cannot use response of presignFiles: "urls[0]" expected a URL, got missing',
        },
      );
    } finally {
      await second.scripted.close();
    }
  });
});

describe("scanMetrics reading the export's bytes", () => {
  const LOGIN = {
    sid: "s",
    expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    userInfo: { username: "u", name: "U" },
  };
  const ref: RunRef = { projectId: "p", runId: "r", createdAt: 1722470400, name: "" };
  let scripted: Awaited<ReturnType<typeof startScriptedServer>>;
  /** What the next download answers. */
  let serveCsv: (request: SeenRequest, response: ServerResponse) => void = () => {};
  /** Where the client-side fetch cuts the next downloaded body into chunks (byte offsets). */
  let cuts: number[] = [];

  before(async () => {
    scripted = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") return sendJson(response, 200, LOGIN);
      if (request.path === "/api/house/metrics/scalar/export") {
        return sendJson(response, 200, { cosKey: "exports/x.csv" });
      }
      if (request.path === "/api/files/presigned/get") {
        return sendJson(response, 200, { urls: [`${scripted.origin}/storage/x.csv`] });
      }
      serveCsv(request, response);
    });
  });
  after(() => scripted.close());
  beforeEach(() => {
    scripted.requests.length = 0;
    cuts = [];
  });

  /** A fetch that re-chunks storage bodies at `cuts`, to test every chunk boundary. */
  const rechunkingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes("/storage/") || response.body === null) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let previous = 0;
    for (const point of [...points, bytes.length]) {
      if (point > previous) chunks.push(bytes.slice(previous, point));
      previous = point;
    }
    return new Response(ReadableStream.from(chunks), {
      status: response.status,
      headers: response.headers,
    });
  };

  const transport = () =>
    Transport.create({ host: scripted.origin, apiKey: "k", env: {}, fetch: rechunkingFetch });

  /** The points `CsvParseStream` reads from the text, in scan order. */
  async function reference(text: string, keys: readonly string[]): Promise<MetricPoint[]> {
    const rows = await Array.fromAsync(
      ReadableStream.from([text]).pipeThrough(new CsvParseStream({ keys })),
    );
    return rows.flatMap((row) =>
      toPoints(row).flatMap((point, i) => point === undefined ? [] : [{ key: keys[i]!, ...point }])
    );
  }

  function serve(text: string): void {
    serveCsv = (_, response) => {
      const body = new TextEncoder().encode(text);
      response.writeHead(200, {
        "content-type": "text/csv",
        "content-length": String(body.length),
      });
      response.end(body);
    };
  }

  const valueCell = fc.oneof(
    fc.constantFrom(
      "",
      "NaN",
      "INF",
      "-INF",
      "nan",
      "inf",
      "-inf",
      "Infinity",
      "-0",
      "0",
      "+3",
      "42",
      "-17",
      "1E5",
      "2.5e-7",
      "-1.25E+3",
      ".5",
      "5.",
      " 1.5 ",
      "abc",
      "1e400",
      "9007199254740993",
      "123456789012345678901234567890",
    ),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v.toPrecision(17)),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v.toExponential()),
    fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }).map((n) => String(n / 1e6)),
  );
  const timestampCell = fc.oneof(
    fc.constant(""),
    fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }).map(String),
  );

  it("yields exactly the points CsvParseStream reads, whatever the chunk boundaries", async () => {
    const client = await transport();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }).chain((keyCount) =>
          fc.record({
            keyCount: fc.constant(keyCount),
            eol: fc.constantFrom("\n", "\r\n"),
            rows: fc.array(
              fc.array(fc.tuple(valueCell, timestampCell), {
                minLength: keyCount,
                maxLength: keyCount,
              }),
              { maxLength: 40 },
            ),
          })
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        async ({ keyCount, eol, rows }, at) => {
          const keys = Array.from({ length: keyCount }, (_, i) => `key${i}`);
          const header = [
            "step",
            ...keys.flatMap((key) => [`r-${key}_step`, `r-${key}_timestamp`]),
          ];
          const lines = [
            header.join(","),
            ...rows.map((cells, step) => [step, ...cells.flat()].join(",")),
          ];
          const text = lines.join(eol) + eol;
          serve(text);
          cuts = at;
          const scanned = await Array.fromAsync(scanMetrics(client, ref, keys));
          const expected = await reference(text, keys);
          assert.deepEqual(scanned, expected);
          // The collecting paths read the parser's blocks directly: the same points per key.
          const columns = await fetchMetricColumns(client, ref, keys);
          assert.deepEqual(
            columns.list.map((series) => ({
              key: series.key,
              points: Array.from(series.steps, (step, i) => {
                const timestamp = series.timestamps[i]!;
                const value = series.values[i]!;
                return Number.isNaN(timestamp) ? { step, value } : { step, value, timestamp };
              }),
            })),
            keys.map((key) => ({
              key,
              points: expected.filter((p) => p.key === key).map(({ key: _, ...p }) => p),
            })),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("reads again a body cut mid-row without Content-Length, dropping and repeating nothing", async () => {
    const client = await transport();
    let text = "step,r-lr_step,r-lr_timestamp\n";
    for (let step = 0; step < 5000; step++) text += `${step},${step / 8},${1722470400000 + step}\n`;
    let downloads = 0;
    serveCsv = (_, response) => {
      downloads++;
      response.writeHead(200, { "content-type": "text/csv" }); // chunked: no length to check
      // The first answer stops inside row 3000 (after more than one parser block of rows).
      response.end(downloads === 1 ? text.slice(0, text.indexOf("\n3000,") + 4) : text);
    };
    cuts = [1000, 65_000];
    const scanned = await Array.fromAsync(scanMetrics(client, ref, ["lr"], {}, { maxRetries: 1 }));
    assert.equal(downloads, 2);
    assert.deepEqual(scanned, await reference(text, ["lr"]));
  });

  it("stops at the end of a step range in the middle of a chunk", async () => {
    const client = await transport();
    let text = "step,r-lr_step,r-lr_timestamp\n";
    for (let step = 0; step < 5000; step++) text += `${step},${step / 8},${1722470400000 + step}\n`;
    serve(text);
    const scanned = await Array.fromAsync(
      scanMetrics(client, ref, ["lr"], { rangeQuery: { start: 2040, end: 2050 } }),
    );
    assert.deepEqual(scanned.map((p) => p.step), Array.from({ length: 11 }, (_, i) => 2040 + i));
  });
});
