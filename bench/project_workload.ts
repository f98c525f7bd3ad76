/**
 * Project-scale benchmark workloads in their own process (see `workload.ts` for the protocol):
 *
 * - `project-metrics` (f): every point of 4 keys of every run of the project written to one
 *   Parquet file (`runs.scanMetrics().columns()` → `writeMetricsParquet()`). Its floor is the single-run
 *   `run.scanMetrics()` of the same keys (points only counted), timed on the first run and
 *   multiplied by the number of runs: the target says a project export costs no more per point
 *   than reading one run, whatever the per-run overhead and the Parquet encoding.
 * - `runs-table` (g): the runs table with 5 summary keys (`runs.table().collect()`). Its floor
 *   makes the same requests with bare `fetch` (list pages, per run its full record, then the
 *   summaries of 50 runs per request), 4 at a time like the client's default limiter. Mode
 *   `transport` makes the floor's requests through the client's transport (no entities, no
 *   table): the part of the client's time that the typed client and its checks take.
 *
 * Usage: `deno run -A bench/project_workload.ts <workload> <client|floor|mode> <host> <apiKey>`.
 *
 * @module
 */

import { Api, writeMetricsParquet } from "../mod.ts";
import { bareLogin, bareRequest } from "./_bare_fetch.ts";
import { measure, type Measurement } from "./_measure.ts";
import type { components } from "../generated/schema.ts";
import { Transport } from "../src/core/transport.ts";

type SummaryExperimentRef = components["schemas"]["SummaryExperimentRef"];

const [workload, mode, host, apiKey] = Deno.args;
if (!workload || !mode || !host || !apiKey) {
  console.error("usage: project_workload.ts <workload> <client|floor|mode> <host> <apiKey>");
  Deno.exit(2);
}

const PROJECT = "vision-lab/resnet-sweep";
const METRIC_KEYS = ["train/loss", "val/loss", "train/acc", "lr"];
const SUMMARY_KEYS = ["train/loss", "val/loss", "train/acc", "val/acc", "lr"];

const login = (): Promise<string> => bareLogin(host!, apiKey!);

const bare = async (sid: string, path: string, body?: unknown): Promise<unknown> =>
  await (await bareRequest(host!, sid, path, body)).json();

async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/** A page of the run list, as far as (g) reads it. */
type TablePage = { list: Record<string, unknown>[]; pages: number };

/** How one side of (g) sends its three kinds of request. */
interface TableRequests {
  page(n: number): Promise<TablePage>;
  record(cuid: string): Promise<Record<string, unknown>>;
  summaries(experiments: Record<string, unknown>[]): Promise<unknown>;
}

/**
 * (g)'s requests, 4 at a time like the client's default limiter: the list pages, per run its
 * full record, then the summaries of 50 runs per request (as the client asks for them).
 */
async function tableRequests(send: TableRequests): Promise<number> {
  const first = await send.page(1);
  const pages = Array.from({ length: first.pages - 1 }, (_, i) => i + 2);
  const lists = [first.list];
  await pool(pages, 4, async (n) => {
    lists[n - 1] = (await send.page(n)).list;
  });
  const runs = lists.flat();
  const experiments: Record<string, unknown>[] = new Array(runs.length);
  await pool(runs.map((_, i) => i), 4, async (i) => {
    const cuid = String(runs[i]!["cuid"]);
    const full = await send.record(cuid);
    experiments[i] = {
      projectId: full["project_id"],
      experimentId: cuid,
      createdAt: Math.floor(Date.parse(String(full["createdAt"])) / 1000),
    };
  });
  const groups = Array.from(
    { length: Math.ceil(runs.length / 50) },
    (_, i) => experiments.slice(i * 50, i * 50 + 50),
  );
  await pool(groups, 4, async (group) => {
    await send.summaries(group);
  });
  return runs.length;
}

const workloads: Record<string, Record<string, () => Promise<Measurement>>> = {
  "project-metrics": {
    client: async () => {
      const api = new Api({ host, apiKey, env: {} });
      const dir = await Deno.makeTempDir({ prefix: "swanlab-ts-bench-" });
      try {
        return await measure(async () => {
          const scan = api.runsGet(PROJECT, { size: 100, all: true }).scanMetrics(METRIC_KEYS);
          const stats = await writeMetricsParquet(`${dir}/points.parquet`, scan.columns());
          return stats.rows;
        });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
    floor: async () => {
      const api = new Api({ host, apiKey, env: {} });
      const runs = api.runsGet(PROJECT, { size: 100, all: true });
      const count = await runs.total;
      const [first] = await runs.toArray({ limit: 1 });
      const run = api.run(`${PROJECT}/${await first!.runId}`);
      await run.load();
      const single = await measure(async () => {
        let points = 0;
        for await (const _ of run.scanMetrics(METRIC_KEYS)) points++;
        return points;
      });
      return {
        wallMs: single.wallMs * count,
        cpuMs: single.cpuMs * count,
        peakRssMb: single.peakRssMb,
        count: single.count * count,
      };
    },
  },
  "runs-table": {
    client: () =>
      measure(async () => {
        const api = new Api({ host, apiKey, env: {} });
        const table = await api.runsGet(PROJECT, { size: 100, all: true })
          .table({ summary: SUMMARY_KEYS }).collect();
        return table.rows.length;
      }),
    floor: () =>
      measure(async () => {
        const sid = await login();
        return await tableRequests({
          page: async (n) =>
            await bare(sid, `/project/${PROJECT}/runs?page=${n}&size=100`) as TablePage,
          record: async (cuid) =>
            await bare(sid, `/project/${PROJECT}/runs/${cuid}`) as Record<string, unknown>,
          summaries: (experiments) =>
            bare(sid, "/house/metrics/summaries", { experiments, keys: SUMMARY_KEYS }),
        });
      }),
    // The floor's requests through the client's transport (typed client, session, timeout,
    // retries, drift check of every body), 4 at a time, with no entity, limiter or table.
    transport: () =>
      measure(async () => {
        const transport = await Transport.create({ host: host!, apiKey: apiKey!, env: {} });
        const [username, project] = PROJECT.split("/") as [string, string];
        const path = { username, project };
        return await tableRequests({
          page: (n) =>
            transport.call((api) =>
              api.GET("/project/{username}/{project}/runs", {
                params: { path, query: { page: n, size: 100 } },
              })
            ),
          record: (cuid) =>
            transport.call((api) =>
              api.GET("/project/{username}/{project}/runs/{run}", {
                params: { path: { ...path, run: cuid } },
              })
            ),
          summaries: (experiments) =>
            transport.call((api) =>
              api.POST("/house/metrics/summaries", {
                body: {
                  experiments: experiments as SummaryExperimentRef[],
                  keys: SUMMARY_KEYS,
                },
              })
            ),
        });
      }),
  },
};

const chosen = workloads[workload]?.[mode];
if (!chosen) {
  console.error(`unknown workload ${workload}/${mode}`);
  Deno.exit(2);
}
console.log(JSON.stringify(await chosen()));
