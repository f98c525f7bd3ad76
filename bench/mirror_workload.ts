/**
 * Benchmark (h): `mirror()` of a project (20 runs, every scalar key, logs and media) against
 * downloading the same exports, log shards and media files with bare `fetch` (writing nothing).
 *
 * A third mode, `parse`, makes the floor's downloads but reads each export with the client's own
 * CSV parser (into numbers, as the mirror does) instead of counting its lines: the mirror's cost
 * without its Parquet files, a lower bound of any mirror that keeps the points as numbers.
 *
 * Usage: `deno run -A bench/mirror_workload.ts mirror <client|floor|parse> <host> <apiKey>`;
 * prints one JSON {@linkcode Measurement} line (count: points for the client and `parse`, CSV
 * lines for the floor).
 *
 * @module
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mirror } from "../mod.ts";
import { CsvByteParser } from "../src/metrics/_csv_bytes.ts";
import { bareLogin, bareRequest } from "./_bare_fetch.ts";
import { measure } from "./_measure.ts";

const [workload, mode, host, apiKey] = Deno.args;
if (workload !== "mirror" || !["client", "floor", "parse"].includes(mode!) || !host || !apiKey) {
  console.error("usage: mirror_workload.ts mirror <client|floor|parse> <host> <apiKey>");
  Deno.exit(2);
}

const PROJECT = "vision-lab/resnet-sweep";
/** Runs fetched at once by the floor (the mirror's default is 2 runs, each with its requests). */
const PARALLEL = 4;

const login = (): Promise<string> => bareLogin(host!, apiKey!);

const api = (sid: string, path: string, body?: unknown): Promise<Response> =>
  bareRequest(host!, sid, path, body);

async function pool(count: number, task: (index: number) => Promise<number>): Promise<number> {
  let next = 0;
  let total = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, count) }, async () => {
      while (next < count) {
        const n = await task(next++);
        total += n;
      }
    }),
  );
  return total;
}

/** Counts the lines of an export (the floor). */
async function countLines(body: ReadableStream<Uint8Array>): Promise<number> {
  let lines = 0;
  for await (const chunk of body) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  return lines;
}

/** Parses an export into numbers with the client's parser, and counts its points (`parse`). */
async function parsePoints(body: ReadableStream<Uint8Array>, keyCount: number): Promise<number> {
  const parser = new CsvByteParser(keyCount);
  let points = 0;
  const count = (rows: number) => {
    const cells = rows * keyCount;
    for (let i = 0; i < cells; i++) points += parser.hasValue[i]!;
  };
  for await (const chunk of body) {
    parser.push(chunk);
    for (let rows = parser.next(); rows > 0; rows = parser.next()) count(rows);
  }
  count(parser.finish());
  return points;
}

/**
 * The downloads of one run: its record, CSV export, every log shard and every media file; the
 * export's lines counted (the floor) or its points parsed (`parse`).
 */
async function floorRun(sid: string, cuid: string): Promise<number> {
  const run = await (await api(sid, `/project/${PROJECT}/runs/${cuid}`)).json();
  const createdAt = Math.floor(Date.parse(run.createdAt) / 1000);
  const ref = { projectId: run.project_id, experimentId: cuid, createdAt };
  const { keys } = await (await api(sid, "/house/metrics/scalar/keys", {
    experiments: [ref],
    limit: 2000,
    cursor: "",
  })).json();
  const { cosKey } = await (await api(sid, "/house/metrics/scalar/export", {
    projectId: run.project_id,
    columns: (keys as string[]).map((key) => ({
      experimentName: cuid,
      experimentId: cuid,
      key,
      createdAt,
    })),
  })).json();
  const { urls } = await (await api(sid, "/files/presigned/get", { paths: [cosKey] })).json();
  const body = (await fetch(urls[0])).body!;
  const count = mode === "parse" ? await parsePoints(body, keys.length) : await countLines(body);
  for (let epoch = 0;; epoch++) {
    const q = `projectId=${run.project_id}&experimentId=${cuid}&size=1000&epoch=${epoch}` +
      `&level=DEBUG&createdAt=${createdAt}`;
    const { logs, count } = await (await api(sid, `/house/metrics/log?${q}`)).json();
    if (logs.length === 0 || (epoch + 1) * 1000 >= count) break;
  }
  const media = await (await api(sid, "/house/metrics/f_media", {
    projectId: run.project_id,
    columns: [{ experimentId: cuid, key: "samples/image", createdAt }],
  })).json();
  const paths: string[] = media[0]?.metrics.flatMap((m: { data: string[] }) => m.data) ?? [];
  if (paths.length > 0) {
    const signed = await (await api(sid, "/resources/presigned/get", {
      prefix: `${run.project_id}/${cuid}`,
      paths,
    })).json();
    for (const url of signed.urls as string[]) await (await fetch(url)).arrayBuffer();
  }
  return count;
}

const chosen = mode === "client"
  ? async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-mirror-"));
    try {
      return await measure(async () => {
        const report = await mirror(PROJECT, {
          out: join(dir, "m"),
          host,
          apiKey,
          env: {},
        });
        return report.points;
      });
    } finally {
      await rm(dir, { recursive: true });
    }
  }
  : async () =>
    await measure(async () => {
      const sid = await login();
      const page = await (await api(sid, `/project/${PROJECT}/runs?page=1&size=100`)).json();
      const cuids = (page.list as { cuid: string }[]).map((r) => r.cuid);
      return await pool(cuids.length, (i) => floorRun(sid, cuids[i]!));
    });

console.log(JSON.stringify(await chosen()));
