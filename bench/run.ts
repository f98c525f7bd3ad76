/**
 * `deno task bench`: starts the local server in its own process per scenario, runs each workload
 * and its floor several times in fresh processes, and writes `bench/results/latest.json` and
 * `bench/results/latest.md` (median wall and CPU time, peak RSS of the client process, and the
 * ratio to the floor measured in the same run).
 *
 * Options: `--quick` runs each measurement once (for CI smoke runs); `--only <text>` runs the
 * scenarios whose name contains the text (results files are then partial).
 *
 * @module
 */

import type { Measurement } from "./_measure.ts";

const root = new URL("../", import.meta.url).pathname;
const quick = Deno.args.includes("--quick");
const onlyIndex = Deno.args.indexOf("--only");
/** `--only <text>` runs only the scenarios whose name contains the text. */
const only = onlyIndex >= 0 ? Deno.args[onlyIndex + 1] ?? "" : "";
const deno = Deno.execPath();

interface Scenario {
  name: string;
  description: string;
  server: Record<string, unknown>;
  workload: string;
  repeats: number;
  /** Which figure the target compares: wall time or CPU time. */
  compare: "wallMs" | "cpuMs";
  target: number;
  clientOnly?: boolean;
  /** Also measure the floor with each body decoded as JSON (`floor-json`). */
  jsonFloor?: boolean;
  /** The workload script, when not `bench/workload.ts`. */
  file?: string;
}

const scenarios: Scenario[] = [
  {
    name: "(a) list 10,000 runs (all pages)",
    description: "runsGet(size 100, all) vs the same GETs with bare fetch",
    server: { runs: 10_000, steps: 100 },
    workload: "list-runs",
    repeats: 9,
    jsonFloor: true,
    compare: "wallMs",
    target: 1.2,
  },
  {
    name: "(b) full metrics, 4 keys x 1,000,000 steps",
    description: "scanMetrics(all) vs downloading the same CSV and counting lines",
    // The export cache serves repeats from memory, so the measured runs time the client, not
    // CSV generation (whose own rate is measured by the first, uncached download).
    server: { runs: 2, steps: 1_000_000, exportCacheBytes: 1 << 30 },
    workload: "full-metrics",
    repeats: 3,
    compare: "cpuMs",
    target: 3,
  },
  {
    name: "(c) sampled metrics, 64 keys",
    description: "run.metrics(64 keys) vs the same 12 House requests with bare fetch",
    server: { runs: 2, steps: 20_000, extraKeys: 64 },
    workload: "sampled-metrics",
    repeats: 9,
    jsonFloor: true,
    compare: "wallMs",
    target: 1.2,
  },
  {
    name: "(e) stream 10^7 points (1 key)",
    description: "scanMetrics of one key over 10,000,000 steps: peak RSS must stay < 150 MB",
    server: { runs: 1, steps: 10_000_000, exportCacheBytes: 1 << 30 },
    workload: "stream-10m",
    repeats: 1,
    compare: "wallMs",
    target: Infinity,
    clientOnly: true,
  },
  {
    name: "(h) mirror 20 runs x 250,000 steps (+ logs, media)",
    description:
      "mirror() of a project (every key, Parquet, logs, media) vs the same downloads with bare fetch",
    server: { runs: 20, steps: 250_000, exportCacheBytes: 1 << 30 },
    workload: "mirror",
    file: "bench/mirror_workload.ts",
    repeats: 1,
    compare: "wallMs",
    target: 1.5,
  },
];

interface Row {
  name: string;
  description: string;
  client: Measurement;
  floor?: Measurement;
  ratio?: number;
  compare: string;
  target: number;
  extra?: Record<string, number | string>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function medianOf(runs: Measurement[]): Measurement {
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    count: runs[0]!.count,
  };
}

async function startServer(options: Record<string, unknown>) {
  const child = new Deno.Command(deno, {
    args: ["run", "-A", `${root}bench/_server.ts`, JSON.stringify(options)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("bench server exited early");
    text += value;
  }
  reader.releaseLock();
  const info = JSON.parse(text.split("\n")[0]!) as { host: string; apiKey: string };
  return {
    ...info,
    async stop() {
      await child.stdin.close().catch(() => {});
      await child.status;
    },
  };
}

async function workload(
  name: string,
  mode: string,
  host: string,
  apiKey: string,
  file = "bench/workload.ts",
): Promise<Measurement> {
  const output = await new Deno.Command(deno, {
    args: ["run", "-A", `${root}${file}`, name, mode, host, apiKey],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`workload ${name}/${mode} failed`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

async function timeCommand(args: string[], env: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(deno, { args, env, stdout: "null", stderr: "null" })
    .output();
  const elapsed = performance.now() - started;
  if (!output.success) throw new Error(`deno ${args.join(" ")} failed`);
  return elapsed;
}

const rows: Row[] = [];
for (const scenario of scenarios) {
  if (only && !scenario.name.includes(only)) continue;
  console.error(`\n== ${scenario.name}`);
  const server = await startServer(scenario.server);
  try {
    const repeats = quick ? 1 : scenario.repeats;
    // The server's own CSV generation rate: the first download of an export is generated.
    const generation = scenario.workload === "full-metrics"
      ? await workload(scenario.workload, "floor", server.host, server.apiKey, scenario.file)
      : undefined;
    // One warm-up run of each side so that module caches are equally warm.
    if (!quick) {
      await workload(scenario.workload, "client", server.host, server.apiKey, scenario.file);
      if (!scenario.clientOnly) {
        await workload(scenario.workload, "floor", server.host, server.apiKey, scenario.file);
      }
    }
    const clients: Measurement[] = [];
    const floors: Measurement[] = [];
    const jsonFloors: Measurement[] = [];
    for (let i = 0; i < repeats; i++) {
      clients.push(
        await workload(scenario.workload, "client", server.host, server.apiKey, scenario.file),
      );
      if (!scenario.clientOnly) {
        floors.push(
          await workload(scenario.workload, "floor", server.host, server.apiKey, scenario.file),
        );
      }
      if (scenario.jsonFloor) {
        jsonFloors.push(
          await workload(scenario.workload, "floor-json", server.host, server.apiKey),
        );
      }
    }
    const client = medianOf(clients);
    const row: Row = {
      name: scenario.name,
      description: scenario.description,
      client,
      compare: scenario.compare,
      target: scenario.target,
    };
    if (floors.length > 0) {
      const floor = medianOf(floors);
      row.floor = floor;
      row.ratio = client[scenario.compare] / floor[scenario.compare];
    }
    if (jsonFloors.length > 0) {
      const jsonFloor = medianOf(jsonFloors);
      row.extra = {
        jsonFloorMs: Math.round(jsonFloor[scenario.compare]),
        ratioToJsonFloor: Number(
          (client[scenario.compare] / jsonFloor[scenario.compare]).toFixed(2),
        ),
      };
    }
    if (scenario.workload === "full-metrics" || scenario.workload === "stream-10m") {
      const points = client.count;
      const clientRate = points / (client.wallMs / 1000);
      row.extra = { clientPointsPerSecond: Math.round(clientRate) };
      if (generation && row.floor) {
        const generated = points / (generation.wallMs / 1000);
        const served = points / (row.floor.wallMs / 1000);
        row.extra.serverGenerationPointsPerSecond = Math.round(generated);
        row.extra.serverServedPointsPerSecond = Math.round(served);
        // Must be >= 2 for the benchmark to measure the client rather than the server.
        row.extra.servedToClientSpeed = Number((served / clientRate).toFixed(2));
      }
    }
    rows.push(row);
    console.error(JSON.stringify(row));
  } finally {
    await server.stop();
  }
}

// (d) CLI cold start.
if (!only || "(d)".includes(only)) {
  console.error("\n== (d) CLI cold start");
  const server = await startServer({});
  try {
    const env = { SWANLAB_API_HOST: server.host, SWANLAB_API_KEY: server.apiKey, NO_COLOR: "1" };
    const repeats = quick ? 1 : 7;
    const measureAll = async (args: string[], extra: Record<string, string> = {}) => {
      await timeCommand(args, extra);
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) times.push(await timeCommand(args, extra));
      return median(times);
    };
    const empty = await measureAll(["run", "-A", `${root}bench/_empty.ts`]);
    for (
      const [label, args, extra] of [
        ["--help", ["run", "-A", `${root}cli.ts`, "--help"], {}],
        ["user info", ["run", "-A", `${root}cli.ts`, "user", "info"], env],
      ] as const
    ) {
      const wall = await measureAll([...args], extra);
      rows.push({
        name: `(d) CLI cold start: ${label}`,
        description: `deno run cli.ts ${label} vs deno run of an empty script`,
        client: { wallMs: wall, cpuMs: NaN, peakRssMb: NaN, count: 1 },
        floor: { wallMs: empty, cpuMs: NaN, peakRssMb: NaN, count: 1 },
        ratio: wall / empty,
        compare: "wallMs",
        target: 3,
      });
    }
  } finally {
    await server.stop();
  }
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? "–"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits });
const table = [
  "| workload | client | floor | ratio (target) | client peak RSS | notes |",
  "|---|---|---|---|---|---|",
  ...rows.map((row) => {
    const unit = row.compare === "cpuMs" ? "ms CPU" : "ms";
    const verdict = row.ratio === undefined ? "" : row.ratio <= row.target ? " ✓" : " ✗";
    const target = Number.isFinite(row.target) ? ` (≤ ${row.target}x)` : "";
    const notes = [
      ...Object.entries(row.extra ?? {}).map(([k, v]) =>
        `${k} ${typeof v === "number" ? fmt(v, Number.isInteger(v) ? 0 : 2) : v}`
      ),
      ...(row.name.startsWith("(e)")
        ? [`peak RSS < 150 MB ${row.client.peakRssMb < 150 ? "✓" : "✗"}`]
        : []),
    ].join(", ");
    return `| ${row.name} | ${fmt(row.client[row.compare as "wallMs"])} ${unit} | ${
      row.floor ? `${fmt(row.floor[row.compare as "wallMs"])} ${unit}` : "–"
    } | ${row.ratio === undefined ? "–" : `${fmt(row.ratio, 2)}x${target}${verdict}`} | ${
      fmt(row.client.peakRssMb, 1)
    } MB | ${notes} |`;
  }),
].join("\n");

const meta = {
  date: new Date().toISOString(),
  deno: Deno.version.deno,
  cpus: navigator.hardwareConcurrency,
  quick,
  command: `deno task bench${quick ? " --quick" : ""}`,
};
await Deno.mkdir(`${root}bench/results`, { recursive: true });
await Deno.writeTextFile(
  `${root}bench/results/latest.json`,
  JSON.stringify({ meta, rows }, null, 2) + "\n",
);
await Deno.writeTextFile(
  `${root}bench/results/latest.md`,
  `Measured ${meta.date} with Deno ${meta.deno} on ${meta.cpus} CPUs (\`${meta.command}\`):\n\n${table}\n`,
);
console.log(table);
