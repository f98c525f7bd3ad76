/**
 * One benchmark workload in its own process, so that its CPU time and peak memory are its own.
 *
 * Usage: `deno run -A bench/workload.ts <workload> <client|floor> <host> <apiKey>`; prints one
 * JSON {@linkcode Measurement} line. The `floor` mode makes the same HTTP requests with bare
 * `fetch` and reads each body without interpreting it: the cost of the wire alone.
 *
 * @module
 */

import { Api, type Run } from "../mod.ts";
import { bareLogin, bareRequest } from "./_bare_fetch.ts";
import { measure, type Measurement } from "./_measure.ts";

const [workload, mode, host, apiKey] = Deno.args;
if (!workload || !mode || !host || !apiKey) {
  console.error("usage: workload.ts <workload> <client|floor> <host> <apiKey>");
  Deno.exit(2);
}

/**
 * `floor-json` is the floor plus `JSON.parse` of each body: what any client that returns data
 * must at least pay. Reported beside the plain floor to separate decoding from overhead.
 */
const decodeJson = mode === "floor-json";

/** Reads a body the way the floor does: discarded, or decoded as JSON for `floor-json`. */
async function consume(response: Response): Promise<number> {
  if (decodeJson) {
    await response.json();
    return 1;
  }
  return (await response.arrayBuffer()).byteLength;
}

/** The project with many runs (bench servers start with `runs` set). */
const PROJECT = "vision-lab/resnet-sweep";

const login = (): Promise<string> => bareLogin(host, apiKey);

const bare = (sid: string, path: string, body?: unknown): Promise<Response> =>
  bareRequest(host, sid, path, body);

async function pool<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

interface RunInfo {
  cuid: string;
  slug: string;
  createdAtSeconds: number;
  projectCuid: string;
}

async function firstRun(sid: string): Promise<RunInfo> {
  const page = await (await bare(sid, `/project/${PROJECT}/runs?page=1&size=10`)).json();
  const cuid = page.list[0].cuid as string;
  const run = await (await bare(sid, `/project/${PROJECT}/runs/${cuid}`)).json();
  return {
    cuid,
    slug: run.slug ?? cuid,
    createdAtSeconds: Math.floor(Date.parse(run.createdAt) / 1000),
    projectCuid: run.project_id,
  };
}

async function scalarKeys(sid: string, run: RunInfo): Promise<string[]> {
  const body = await (await bare(sid, "/house/metrics/scalar/keys", {
    experiments: [{
      projectId: run.projectCuid,
      experimentId: run.cuid,
      createdAt: run.createdAtSeconds,
    }],
    limit: 2000,
    cursor: "",
  })).json();
  return (body.keys as string[]).filter((key) => !key.startsWith("__swanlab__"));
}

const FULL_KEYS = ["train/loss", "val/loss", "train/acc", "lr"];

/** The first run of the project, loaded (outside the measured section). */
async function fullRun() {
  const api = new Api({ host: host!, apiKey: apiKey!, env: {} });
  const first = await api.runsGet(PROJECT, { size: 10 }).toArray({ limit: 1 });
  const run = api.run(`${PROJECT}/${await first[0]!.runId}`);
  await run.load();
  return run;
}

/** Measures one read of the full-resolution run (`read` returns the points it saw). */
async function measureFullRun(read: (run: Run) => Promise<number>): Promise<Measurement> {
  const run = await fullRun();
  return await measure(() => read(run));
}

/**
 * Measures a `for await` over ready-made items through an iterator that returns resolved
 * promises, the cheapest shape an async iterable can have: what handing out that many items one
 * by one costs by itself, whatever produced them.
 */
function measureIteration(items: readonly unknown[]): Promise<Measurement> {
  return measure(async () => {
    let next = 0;
    const iterator: AsyncIterableIterator<unknown> = {
      next: () =>
        Promise.resolve(
          next < items.length
            ? { done: false, value: items[next++] }
            : { done: true, value: undefined },
        ),
      [Symbol.asyncIterator]: () => iterator,
    };
    let count = 0;
    for await (const _ of iterator) count++;
    return count;
  });
}

const workloads: Record<string, Record<string, () => Promise<Measurement>>> = {
  // (a) list every run of a 10,000-run project, 100 per page.
  "list-runs": {
    client: () =>
      measure(async () => {
        const api = new Api({ host, apiKey, env: {} });
        let count = 0;
        for await (const _ of api.runsGet(PROJECT, { size: 100, all: true })) count++;
        return count;
      }),
    // What handing out the runs one by one costs by itself (the listing's own runs, read
    // before the measured section).
    iterate: async () => {
      const api = new Api({ host, apiKey, env: {} });
      return await measureIteration(await api.runsGet(PROJECT, { size: 100, all: true }).toArray());
    },
    floor: () =>
      measure(async () => {
        const sid = await login();
        const first = await (await bare(sid, `/project/${PROJECT}/runs?page=1&size=100`)).json();
        const rest = await pool(first.pages - 1, 4, async (i) => {
          const response = await bare(sid, `/project/${PROJECT}/runs?page=${i + 2}&size=100`);
          return await consume(response);
        });
        return first.list.length + rest.length * 100;
      }),
  },
  // (b) full-resolution metrics of 4 keys, streamed.
  "full-metrics": {
    client: () =>
      measureFullRun(async (run) => {
        let count = 0;
        for await (const _ of run.scanMetrics(FULL_KEYS, { all: true })) count++;
        return count;
      }),
    // What handing out the points one by one costs by itself (the scan's own points, read
    // before the measured section).
    iterate: async () => {
      const run = await fullRun();
      const batches = await Array.fromAsync(run.scanMetrics(FULL_KEYS, { all: true }).batches());
      return await measureIteration(batches.flat());
    },
    floor: async () => {
      const sid = await login();
      const run = await firstRun(sid);
      return await measure(async () => {
        const { cosKey } = await (await bare(sid, "/house/metrics/scalar/export", {
          projectId: run.projectCuid,
          columns: FULL_KEYS.map((key) => ({
            experimentName: run.cuid,
            experimentId: run.cuid,
            key,
            createdAt: run.createdAtSeconds,
          })),
        })).json();
        const { urls } = await (await bare(sid, "/files/presigned/get", { paths: [cosKey] }))
          .json();
        const response = await fetch(urls[0]);
        let lines = 0;
        for await (const chunk of response.body!) {
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
        }
        return lines;
      });
    },
  },
  // (b) the same points in arrays: run.scanMetrics().batches().
  "full-batches": {
    client: () =>
      measureFullRun(async (run) => {
        let count = 0;
        for await (const batch of run.scanMetrics(FULL_KEYS, { all: true }).batches()) {
          for (const _ of batch) count++;
        }
        return count;
      }),
  },
  // (b) the same points as column blocks, streamed: run.scanMetrics().columns().
  "full-blocks": {
    client: () =>
      measureFullRun(async (run) => {
        let count = 0;
        for await (const block of run.scanMetrics(FULL_KEYS, { all: true }).columns()) {
          count += block.length;
        }
        return count;
      }),
  },
  // (b) the same export as columns (typed arrays), and as run.metrics({ all }) JSON.
  "full-columns": {
    client: () =>
      measureFullRun(async (run) => {
        const columns = await run.metricsColumns(FULL_KEYS, { all: true });
        return columns.list.reduce((sum, series) => sum + series.steps.length, 0);
      }),
  },
  "full-json": {
    client: () =>
      measureFullRun(async (run) => {
        const json = await run.metrics(FULL_KEYS, { all: true });
        return json.list.reduce((sum, entry) => sum + entry.metrics.length, 0);
      }),
  },
  // (e) one key over 10^7 steps, streamed: the peak RSS is the figure of interest.
  "stream-10m": {
    client: async () => {
      const api = new Api({ host, apiKey, env: {} });
      const first = await api.runsGet(PROJECT, { size: 10 }).toArray({ limit: 1 });
      const run = api.run(`${PROJECT}/${await first[0]!.runId}`);
      await run.load();
      return await measure(async () => {
        let count = 0;
        for await (const _ of run.scanMetrics(["train/loss"], { all: true })) count++;
        return count;
      });
    },
  },
  // (c) sampled metrics (≤ 1500 points each) of 64 keys: 4 batches of 16, 3 requests each.
  "sampled-metrics": {
    client: async () => {
      const api = new Api({ host, apiKey, env: {} });
      const sid = await login();
      const info = await firstRun(sid);
      const keys = (await scalarKeys(sid, info)).slice(0, 64);
      const run = api.run(`${PROJECT}/${info.cuid}`);
      await run.load();
      return await measure(async () => {
        const result = await run.metrics(keys);
        return result.list.reduce((sum, entry) => sum + entry.metrics.length, 0);
      });
    },
    floor: async () => {
      const sid = await login();
      const run = await firstRun(sid);
      const keys = (await scalarKeys(sid, run)).slice(0, 64);
      return await measure(async () => {
        const batches = Array.from(
          { length: Math.ceil(keys.length / 16) },
          (_, i) => keys.slice(i * 16, i * 16 + 16),
        );
        const sizes = await pool(batches.length, 4, async (i) => {
          const columns = batches[i]!.map((key) => ({
            experimentId: run.cuid,
            key,
            createdAt: run.createdAtSeconds,
          }));
          const body = {
            projectId: run.projectCuid,
            xType: "step",
            range: [0, 0],
            columns,
            num: 1500,
          };
          const responses = await Promise.all([
            bare(sid, "/house/metrics/scalar", body),
            bare(sid, "/house/metrics/scalar/value", body),
            bare(sid, "/house/metrics/scalar/value", { ...body, xType: "timestamp" }),
          ]);
          const sizes = await Promise.all(responses.map(consume));
          return sizes.reduce((sum, size) => sum + size, 0);
        });
        return sizes.length;
      });
    },
  },
};

const chosen = workloads[workload]?.[decodeJson ? "floor" : mode];
if (!chosen) {
  console.error(`unknown workload ${workload}/${mode}`);
  Deno.exit(2);
}
console.log(JSON.stringify(await chosen()));
