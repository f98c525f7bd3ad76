/**
 * `deno task bench`: starts the local server in its own process per scenario, runs each workload
 * and its floor several times in fresh processes, and writes `bench/results/latest.json` and
 * `bench/results/latest.md` (median wall and CPU time, peak RSS of the client process, and the
 * ratio to the floor, whose runs alternate with the client's).
 *
 * Floors: (a) and (c) compare with the same requests made with bare `fetch` whose bodies are
 * decoded with `JSON.parse` (what any client that returns data pays; the floor that discards the
 * bodies is in the notes); (b) compares CPU time with downloading the same CSV and counting its
 * lines (a byte scan); (d) compares wall time with `deno run` of an empty script. Rows measured
 * three or more times also note `pairedRatios`: each client run against the floor run next to it,
 * and `ratioInterval95`: a bootstrap interval of the ratio from those turns (`_ratio_interval.ts`).
 *
 * Options: `--quick` runs each measurement once (for CI smoke runs); `--only <text>` runs the
 * scenarios whose name contains the text (results files are then partial);
 * `--python-sdk DIR [--python BIN]` also runs the official Python SDK from the source tree `DIR`
 * (as `scripts/python_sdk_compat.ts` does; not in CI) for (a), (b), (c) and (d), and adds its
 * figures as extra columns. `--instructions` also runs each row's client and floor once under
 * `valgrind --tool=cachegrind` and notes the instructions each process executed, and their
 * ratio: a figure that the machine's moment barely moves (not in CI; needs valgrind).
 *
 * @module
 */

import type { Measurement } from "./_measure.ts";
import { preparePythonSdk, type PythonSdk } from "./_python_sdk.ts";
import { pairedRatioInterval, upperMedian } from "./_ratio_interval.ts";
import { BUN, BUN_COMPILE_FLAGS } from "../scripts/_bun.ts";
import { writeFileAtomic } from "../src/core/atomic_file.ts";

const root = new URL("../", import.meta.url).pathname;
const quick = Deno.args.includes("--quick");
const onlyIndex = Deno.args.indexOf("--only");
/** `--only <text>` runs only the scenarios whose name contains the text. */
const only = onlyIndex >= 0 ? Deno.args[onlyIndex + 1] ?? "" : "";
const optionValue = (name: string): string | undefined => {
  const index = Deno.args.indexOf(name);
  return index >= 0 ? Deno.args[index + 1] : undefined;
};
const pythonSdkDir = optionValue("--python-sdk");
const pythonSdk: PythonSdk | undefined = pythonSdkDir === undefined
  ? undefined
  : await preparePythonSdk(pythonSdkDir, optionValue("--python") ?? "python3");
const deno = Deno.execPath();
const countInstructions = Deno.args.includes("--instructions");
if (countInstructions) {
  let found = false;
  try {
    found = (await new Deno.Command("valgrind", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    // Not installed: spawning throws.
  }
  if (!found) {
    console.error("error: --instructions needs valgrind (Debian: apt install valgrind)");
    Deno.exit(2);
  }
}

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
  /** The workload program, when not `workload.ts`. */
  file?: string;
  /** A peak RSS limit of the client, in MB, reported in the notes. */
  rssLimitMb?: number;
  /** Compare with the JSON-decoding floor (the plain floor goes to the notes). */
  compareJsonFloor?: boolean;
  /** Whose floor this scenario compares with (default: its own workload's). */
  floorOf?: string;
  /** A bound on the peak RSS growth of the measured section, in bytes per point. */
  rssBytesPerPoint?: number;
  /** The Python SDK's workload of the same work (with `--python-sdk`). */
  python?: string;
  /**
   * Another mode of the workload, measured in turn with the client and the floor and reported in
   * the notes as `<note>Ms` and `<note>Ratio` (to the floor): where between the two the cost is.
   * With `addToFloor`, the row's floor is the floor plus this (paired run by run), and the
   * ratio to the floor alone goes to the notes as `ratioToLineCountFloor`.
   */
  between?: { mode: string; note: string; addToFloor?: boolean };
}

const FULL = { runs: 2, steps: 1_000_000, exportCacheBytes: 1 << 30 };

/** The workloads whose count is a number of points (their rows report points per second). */
const POINT_WORKLOADS = new Set([
  "full-metrics",
  "full-batches",
  "full-blocks",
  "full-columns",
  "full-json",
  "stream-10m",
  "project-metrics",
]);

const scenarios: Scenario[] = [
  {
    name: "(a) list 10,000 runs (all pages)",
    description: "runsGet(size 100, all) vs the same GETs with bare fetch + JSON.parse",
    server: { runs: 10_000, steps: 100 },
    workload: "list-runs",
    // A run takes ~0.13 s and single runs of either side stray by up to a half (server pauses,
    // scheduling on two cores): in one run of nine, the paired ratios spread over 0.84-1.69 and
    // the ratio of the medians moved 1.14 → 1.30 between two runs. With fifteen, the ratio sits
    // at its target and its interval was 0.98-1.71 in a slow stretch of the machine (single
    // pairs 0.50-3.06): twenty-five (about 25 s more).
    repeats: 25,
    jsonFloor: true,
    compareJsonFloor: true,
    compare: "wallMs",
    target: 1.2,
    python: "list-runs",
    // Not added to the floor (its definition stays what the target was set against): the part
    // of the gap that any listing handing out its runs one by one pays.
    between: { mode: "iterate", note: "perItemIteration" },
  },
  {
    name: "(b) full metrics point by point, 4 keys x 1,000,000 steps (scanMetrics)",
    description:
      "scanMetrics(all), a for await per point, vs the line-count floor plus a for await over as many points",
    // The export cache serves repeats from memory, so the measured runs time the client, not
    // CSV generation (whose own rate is measured by the first, uncached download).
    server: FULL,
    workload: "full-metrics",
    // CPU time of the same read ranged over a third between runs of five (493-676 ms): nine.
    repeats: 9,
    compare: "cpuMs",
    target: 2,
    // Handing out 4 M points through `for await` costs 0.7-0.8 of the line count by itself (a
    // promise and a microtask turn each, whatever the iterator), so this row's floor is the line
    // count plus a `for await` over as many ready-made points; the line count alone is met by
    // the column blocks below, and this row's ratio to it goes to the notes.
    between: { mode: "iterate", note: "perPointIteration", addToFloor: true },
  },
  {
    name: "(b) full metrics in batches (scanMetrics().batches())",
    description: "the same scan, its points handed out in arrays, vs the same line-count floor",
    server: FULL,
    workload: "full-batches",
    floorOf: "full-metrics",
    repeats: 9,
    compare: "cpuMs",
    // No target of its own: the figure shows what the per-point row pays for its `for await`.
    target: Infinity,
  },
  {
    name: "(b) full metrics as column blocks (scanMetrics().columns())",
    description: "the same scan as column blocks, streamed in constant memory, vs the same floor",
    server: FULL,
    workload: "full-blocks",
    floorOf: "full-metrics",
    repeats: 9,
    compare: "cpuMs",
    target: 2,
  },
  {
    name: "(b) full metrics as columns (metricsColumns)",
    description: "run.metricsColumns(all): typed arrays, vs the same line-count floor",
    server: FULL,
    workload: "full-columns",
    floorOf: "full-metrics",
    repeats: 9,
    compare: "cpuMs",
    target: 2,
    rssBytesPerPoint: 40,
  },
  {
    name: "(b) full metrics as JSON (metrics({ all }))",
    description: "run.metrics(all): the Python-shaped JSON, 3.1 M point objects",
    server: FULL,
    workload: "full-json",
    floorOf: "full-metrics",
    repeats: 3,
    compare: "cpuMs",
    target: Infinity,
    rssBytesPerPoint: 100,
    python: "full-json",
  },
  {
    name: "(c) sampled metrics, 64 keys",
    description: "run.metrics(64 keys) vs the same 12 House requests with bare fetch + JSON.parse",
    server: { runs: 2, steps: 20_000, extraKeys: 64 },
    workload: "sampled-metrics",
    repeats: 9,
    jsonFloor: true,
    compareJsonFloor: true,
    compare: "wallMs",
    target: 1.2,
    python: "sampled-metrics",
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
    rssLimitMb: 150,
  },
  {
    name: "(f) project metrics to Parquet, 100 runs x 4 keys x 100,000 steps",
    description:
      "runs.scanMetrics().columns() -> writeMetricsParquet() vs 100 x one run's scanMetrics (points counted)",
    server: { runs: 100, steps: 100_000, exportCacheBytes: 1 << 30 },
    workload: "project-metrics",
    file: "project_workload.ts",
    repeats: 1,
    compare: "wallMs",
    target: 1.5,
    rssLimitMb: 300,
  },
  {
    name: "(g) runs table, 2,000 runs x 5 summary keys",
    description: "runs.table({ summary: 5 keys }).collect() vs the same requests with bare fetch",
    server: { runs: 2_000, steps: 100 },
    workload: "runs-table",
    file: "project_workload.ts",
    // The same requests through the client's transport, without entities or table rows.
    between: { mode: "transport", note: "transportOnly" },
    // Its ratio moved by a tenth between full runs of five (1.34x, 1.44x), and single pairs of
    // a run of nine spread over 1.02-1.70: fifteen.
    repeats: 15,
    compare: "wallMs",
    target: 1.3,
  },
  {
    name: "(h) mirror 20 runs x 250,000 steps (+ logs, media)",
    description:
      "mirror() of a project (every key, Parquet, logs, media) vs the same downloads with bare fetch",
    server: { runs: 20, steps: 250_000, exportCacheBytes: 1 << 30 },
    workload: "mirror",
    file: "mirror_workload.ts",
    // The floor's downloads with each export parsed by the client's parser, without Parquet.
    between: { mode: "parse", note: "parseOnly" },
    rssLimitMb: 300,
    // Single runs of this row ranged over ±20%: a median of three.
    repeats: 3,
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
  rssLimitMb?: number;
  /** The Python SDK's figure of the compared measure (with `--python-sdk`). */
  python?: Measurement;
  /** A bound on the peak RSS growth per point, when the row has one. */
  rssBytesPerPoint?: number;
}

function medianOf(runs: Measurement[]): Measurement {
  return {
    wallMs: upperMedian(runs.map((r) => r.wallMs)),
    cpuMs: upperMedian(runs.map((r) => r.cpuMs)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    count: runs[0]!.count,
    // The smallest starting RSS goes with the largest peak: the largest growth seen.
    rssBeforeMb: Math.min(...runs.map((r) => r.rssBeforeMb ?? -1)),
  };
}

/**
 * The 95% bootstrap interval of a row's ratio from its turns (see `_ratio_interval.ts`), as the
 * notes print it: how far the ratio could move by chance within the row's own runs.
 */
function ratioInterval(clients: number[], floors: number[]): string {
  const [low, high] = pairedRatioInterval(clients, floors);
  return `${low.toFixed(2)}-${high.toFixed(2)}`;
}

/** Two measurements taken in turn, as one: their times added (a floor and what it leaves out). */
function plus(a: Measurement, b: Measurement): Measurement {
  return {
    wallMs: a.wallMs + b.wallMs,
    cpuMs: a.cpuMs + b.cpuMs,
    peakRssMb: Math.max(a.peakRssMb, b.peakRssMb),
    count: a.count,
  };
}

/** Peak RSS growth of a measured section in bytes per counted item, when known. */
function growthPerItem(m: Measurement): number | undefined {
  if (m.rssBeforeMb === undefined || m.rssBeforeMb < 0 || m.peakRssMb < 0 || m.count <= 0) {
    return undefined;
  }
  return ((m.peakRssMb - m.rssBeforeMb) * 1024 * 1024) / m.count;
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
): Promise<Measurement> {
  const file = scenarios.find((s) => s.workload === name)?.file ?? "workload.ts";
  const output = await new Deno.Command(deno, {
    args: ["run", "-A", `${root}bench/${file}`, name, mode, host, apiKey],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`workload ${name}/${mode} failed`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

/**
 * The instructions one workload process executes (Deno's start-up and module loading included),
 * counted by `valgrind --tool=cachegrind`: unlike its time, the count moves by about 1% between
 * runs of the same code (0.2% for (a)), whatever else the machine is doing.
 */
async function instructions(
  name: string,
  mode: string,
  host: string,
  apiKey: string,
): Promise<number> {
  const file = scenarios.find((s) => s.workload === name)?.file ?? "workload.ts";
  const output = await new Deno.Command("valgrind", {
    args: [
      "--tool=cachegrind",
      "--cache-sim=no",
      // V8 writes and patches machine code: without this, valgrind would run stale copies.
      "--smc-check=all-non-file",
      "--cachegrind-out-file=/dev/null",
      deno,
      "run",
      "-A",
      `${root}bench/${file}`,
      name,
      mode,
      host,
      apiKey,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const report = new TextDecoder().decode(output.stderr);
  const count = /I\s+refs:\s+([\d,]+)/.exec(report)?.[1];
  if (!output.success || count === undefined) {
    throw new Error(`workload ${name}/${mode} under valgrind failed:\n${report.slice(-2000)}`);
  }
  return Number(count.replaceAll(",", ""));
}

/** Wall time of a command, and its CPU time (user + system) when `/usr/bin/time` is there. */
async function timeCommand(
  program: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ wallMs: number; cpuMs: number }> {
  const timed = hasTime ? ["/usr/bin/time", ["-f", "%U %S", program, ...args]] as const : null;
  const started = performance.now();
  const output = await new Deno.Command(timed ? timed[0] : program, {
    args: timed ? [...timed[1]] : args,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const wallMs = performance.now() - started;
  if (!output.success) throw new Error(`${program} ${args.join(" ")} failed`);
  const stderr = new TextDecoder().decode(output.stderr);
  if (REGISTRY_FETCH.test(stderr)) registryFetches.add(args.join(" "));
  const last = stderr.trim().split("\n").at(-1) ?? "";
  const [user, system] = last.split(" ").map(Number);
  const cpuMs = timed && Number.isFinite(user) && Number.isFinite(system)
    ? (user! + system!) * 1000
    : NaN;
  return { wallMs, cpuMs };
}

const hasTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);

// Deno prints "Download https://registry.npmjs.org/…" when a start-up fetches npm metadata. With a
// cache whose packages were installed without their metadata (`deno check` or `deno run` filled
// it; see the README), Deno 2.9 fetches it on every start and never keeps it: each timed start
// then includes a registry round trip that is not the CLI's.
// (At a line's start, or after the "m" that ends its colour code.)
const REGISTRY_FETCH = /(?:^|m)Download https?:\/\//m;
/** The timed commands whose Deno fetched npm metadata (see {@linkcode REGISTRY_FETCH}). */
const registryFetches = new Set<string>();

/** The bench server of the running scenarios, reused while their server options are the same. */
let current: { key: string; server: Awaited<ReturnType<typeof startServer>> } | undefined;

async function serverFor(options: Record<string, unknown>) {
  const key = JSON.stringify(options);
  if (current?.key === key) return current.server;
  await current?.server.stop();
  current = undefined;
  current = { key, server: await startServer(options) };
  return current.server;
}

const rows: Row[] = [];
try {
  for (const scenario of scenarios) {
    if (only && !scenario.name.includes(only)) continue;
    console.error(`\n== ${scenario.name}`);
    const server = await serverFor(scenario.server);
    const repeats = quick ? 1 : scenario.repeats;
    const floorWorkload = scenario.floorOf ?? scenario.workload;
    // Every row measures its floor in turn with its own client runs, also a row that borrows
    // another workload's floor: a floor taken minutes earlier let one slow stretch of the machine
    // move a ratio by a third (metricsColumns: 2.23x against a floor from the row before, 1.7x
    // against its own).
    const ownFloor = !scenario.clientOnly;
    // The server's own CSV generation rate: the first download of an export is generated.
    const generation = scenario.workload === "full-metrics" && ownFloor
      ? await workload(floorWorkload, "floor", server.host, server.apiKey)
      : undefined;
    // One warm-up run of each side so that module caches are equally warm.
    if (!quick) {
      await workload(scenario.workload, "client", server.host, server.apiKey);
      if (ownFloor) await workload(floorWorkload, "floor", server.host, server.apiKey);
    }
    const clients: Measurement[] = [];
    const floors: Measurement[] = [];
    const jsonFloors: Measurement[] = [];
    const betweens: Measurement[] = [];
    // Client and floor runs alternate, so that a busy moment of the machine hits both.
    for (let i = 0; i < repeats; i++) {
      clients.push(await workload(scenario.workload, "client", server.host, server.apiKey));
      if (ownFloor) floors.push(await workload(floorWorkload, "floor", server.host, server.apiKey));
      if (scenario.jsonFloor) {
        jsonFloors.push(
          await workload(scenario.workload, "floor-json", server.host, server.apiKey),
        );
      }
      if (scenario.between) {
        betweens.push(
          await workload(scenario.workload, scenario.between.mode, server.host, server.apiKey),
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
      extra: {},
      ...(scenario.rssLimitMb === undefined ? {} : { rssLimitMb: scenario.rssLimitMb }),
    };
    const plainFloor = floors.length > 0 ? medianOf(floors) : undefined;
    const jsonFloor = jsonFloors.length > 0 ? medianOf(jsonFloors) : undefined;
    const addToFloor = scenario.between?.addToFloor === true && betweens.length === floors.length;
    // The floor plus the `between` mode, run by run (it was measured in the same turns).
    const floorsPlus = addToFloor ? floors.map((f, i) => plus(f, betweens[i]!)) : [];
    const floor = addToFloor
      ? medianOf(floorsPlus)
      : scenario.compareJsonFloor
      ? jsonFloor
      : plainFloor;
    if (floor) {
      row.floor = floor;
      row.ratio = client[scenario.compare] / floor[scenario.compare];
    }
    if (addToFloor && plainFloor) {
      row.extra!.ratioToLineCountFloor = Number(
        (client[scenario.compare] / plainFloor[scenario.compare]).toFixed(2),
      );
    }
    const pairedFloors = addToFloor ? floorsPlus : scenario.compareJsonFloor ? jsonFloors : floors;
    if (floor && clients.length >= 3 && pairedFloors.length === clients.length) {
      // Each client run against the floor run next to it: how far the ratio moves within this
      // row's own runs (the ratio above is of the two medians).
      const ratios = clients.map((c, i) => c[scenario.compare] / pairedFloors[i]![scenario.compare])
        .sort((a, b) => a - b);
      row.extra!.pairedRatios = `${ratios[0]!.toFixed(2)}-${ratios.at(-1)!.toFixed(2)}, median ${
        upperMedian(ratios).toFixed(2)
      }`;
      row.extra!.ratioInterval95 = ratioInterval(
        clients.map((c) => c[scenario.compare]),
        pairedFloors.map((f) => f[scenario.compare]),
      );
    }
    if (scenario.between && betweens.length > 0) {
      const between = medianOf(betweens)[scenario.compare];
      row.extra![`${scenario.between.note}Ms`] = Math.round(between);
      if (plainFloor) {
        row.extra![`${scenario.between.note}Ratio`] = Number(
          (between / plainFloor[scenario.compare]).toFixed(2),
        );
      }
    }
    if (scenario.compareJsonFloor && plainFloor) {
      row.extra!.rawFloorMs = Math.round(plainFloor[scenario.compare]);
      row.extra!.ratioToRawFloor = Number(
        (client[scenario.compare] / plainFloor[scenario.compare]).toFixed(2),
      );
    }
    if (POINT_WORKLOADS.has(scenario.workload)) {
      const points = client.count;
      const clientRate = points / (client.wallMs / 1000);
      row.extra!.clientPointsPerSecond = Math.round(clientRate);
      if (generation && plainFloor) {
        const generated = points / (generation.wallMs / 1000);
        const served = points / (plainFloor.wallMs / 1000);
        row.extra!.serverGenerationPointsPerSecond = Math.round(generated);
        row.extra!.serverServedPointsPerSecond = Math.round(served);
        // Must be >= 2 for the benchmark to measure the client rather than the server.
        row.extra!.servedToClientSpeed = Number((served / clientRate).toFixed(2));
      }
    }
    if (scenario.rssBytesPerPoint !== undefined) {
      row.rssBytesPerPoint = scenario.rssBytesPerPoint;
      const growth = growthPerItem(client);
      if (growth !== undefined) row.extra!.rssGrowthBytesPerPoint = Math.round(growth);
    }
    if (countInstructions && ownFloor) {
      const floorMode = scenario.compareJsonFloor ? "floor-json" : "floor";
      const clientCount = await instructions(
        scenario.workload,
        "client",
        server.host,
        server.apiKey,
      );
      const floorCount = await instructions(floorWorkload, floorMode, server.host, server.apiKey);
      row.extra!.clientInstructionsM = Math.round(clientCount / 1e6);
      row.extra!.floorInstructionsM = Math.round(floorCount / 1e6);
      row.extra!.instructionRatio = Number((clientCount / floorCount).toFixed(3));
    }
    if (pythonSdk && scenario.python) {
      const runs: Measurement[] = [];
      for (let i = 0; i < Math.min(repeats, 3); i++) {
        runs.push(await pythonSdk.workload(scenario.python, server.host, server.apiKey));
      }
      row.python = medianOf(runs);
      const growth = growthPerItem(row.python);
      if (growth !== undefined) row.extra!.pythonRssGrowthBytesPerPoint = Math.round(growth);
    }
    rows.push(row);
    console.error(JSON.stringify(row));
  }
} finally {
  await current?.server.stop();
  current = undefined;
}

/**
 * The single binary (`deno task binary`) and an empty program built with the same flags, in a
 * temporary directory; `undefined` (with a warning) when they cannot be built, e.g. on a machine
 * that cannot fetch Bun from npm.
 */
async function buildBinaries(): Promise<{ dir: string; cli: string; empty: string } | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "swanlab-ts-bench-binary-" });
  const cli = `${dir}/swanlab-ts`;
  const empty = `${dir}/empty`;
  const build = async (program: string, args: string[]) =>
    (await new Deno.Command(program, { args, cwd: root, stdout: "null", stderr: "piped" }).output())
      .success;
  if (
    await build(deno, ["task", "binary", "--output", cli]) &&
    await build(BUN[0]!, [
      ...BUN.slice(1),
      "build",
      ...BUN_COMPILE_FLAGS,
      "bench/_empty.ts",
      "--outfile",
      empty,
    ])
  ) {
    return { dir, cli, empty };
  }
  console.error("warning: the single binary could not be built; its rows are left out");
  await Deno.remove(dir, { recursive: true });
  return undefined;
}

// (d) CLI cold start, and the module loading behind it.
if (!only || "(d)".includes(only)) {
  console.error("\n== (d) CLI cold start");
  const server = await startServer({});
  try {
    const env = { SWANLAB_API_HOST: server.host, SWANLAB_API_KEY: server.apiKey, NO_COLOR: "1" };
    const repeats = quick ? 1 : 11;
    const median2 = (runs: { wallMs: number; cpuMs: number }[]): Measurement => ({
      wallMs: upperMedian(runs.map((r) => r.wallMs)),
      cpuMs: upperMedian(runs.map((r) => r.cpuMs)),
      peakRssMb: NaN,
      count: 1,
    });
    const measureAll = async (
      program: string,
      args: string[],
      extra: Record<string, string> = {},
    ): Promise<Measurement> => {
      await timeCommand(program, args, extra);
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await timeCommand(program, args, extra));
      return median2(runs);
    };
    const emptyArgs = ["run", "-A", `${root}bench/_empty.ts`];
    // Commands run in turn: the start-up of a process swings by a fifth between minutes on this
    // machine, and taking a command and its floor in the same minutes keeps that out of the
    // ratio. One untimed run of each first (caches equally warm).
    // Each command's median, and its wall time turn by turn (for the ratio's interval).
    const measureInTurns = async (
      commands: (readonly [program: string, args: string[]])[],
      extra: Record<string, string>,
    ): Promise<{ median: Measurement; wallMs: number[] }[]> => {
      for (const [program, args] of commands) await timeCommand(program, args, extra);
      const runs: { wallMs: number; cpuMs: number }[][] = commands.map(() => []);
      for (let i = 0; i < repeats; i++) {
        for (const [k, [program, args]] of commands.entries()) {
          runs[k]!.push(await timeCommand(program, args, extra));
        }
      }
      return runs.map((turns) => ({ median: median2(turns), wallMs: turns.map((t) => t.wallMs) }));
    };
    // A row of a command against its floor, measured in the same turns.
    const commandRow = (
      name: string,
      description: string,
      client: { median: Measurement; wallMs: number[] },
      floor: { median: Measurement; wallMs: number[] },
      target: number,
    ): Row => ({
      name,
      description,
      client: client.median,
      floor: floor.median,
      ratio: client.median.wallMs / floor.median.wallMs,
      compare: "wallMs",
      target,
      extra: {
        cpuMs: Math.round(client.median.cpuMs),
        emptyCpuMs: Math.round(floor.median.cpuMs),
        ...(repeats >= 2 ? { ratioInterval95: ratioInterval(client.wallMs, floor.wallMs) } : {}),
      },
    });
    // A command under `deno run` and the empty script (the row's own floor); `between`, when
    // given, is a third command timed in the same turns (see the cases).
    const measureWithEmpty = async (
      args: string[],
      extra: Record<string, string>,
      between: string[] | null,
    ) => {
      const [client, empty, betweenRuns] = await measureInTurns(
        [[deno, args], [deno, emptyArgs], ...(between ? [[deno, between] as const] : [])],
        extra,
      );
      return { client: client!, empty: empty!, between: betweenRuns?.median };
    };
    // Each case: label, arguments, environment, the Python CLI's arguments, target, and a
    // command timed in the same turns whose time goes to the notes (`null`: none).
    const cases = [
      ["CLI cold start: --help", ["run", "-A", `${root}cli.ts`, "--help"], {}, ["--help"], 3, null],
      [
        "CLI cold start: user info",
        ["run", "-A", `${root}cli.ts`, "user", "info"],
        env,
        [
          "user",
          "info",
          "--host",
          server.host,
          "--api-key",
          server.apiKey,
        ],
        3,
        // The CLI's entry modules and the same two requests with bare fetch: the least this
        // command can take, whatever the client library does.
        ["run", "-A", `${root}bench/_user_info_floor.ts`],
      ],
      // Module loading alone: no target, a figure to compare between runs (regressions).
      [
        "module loading: src/cli (entry and parser)",
        ["run", "-A", `${root}bench/_load_cli.ts`],
        {},
        null,
        Infinity,
        null,
      ],
      [
        "module loading: mod.ts",
        ["run", "-A", `${root}bench/_load_library.ts`],
        {},
        null,
        Infinity,
        null,
      ],
    ] as const;
    for (const [label, args, extra, pythonArgs, target, betweenArgs] of cases) {
      const { client, empty, between } = await measureWithEmpty(
        [...args],
        extra,
        betweenArgs ? [...betweenArgs] : null,
      );
      const row = commandRow(
        `(d) ${label}`,
        `deno run ${args.slice(2).join(" ").replace(root, "")} vs deno run of an empty script`,
        client,
        empty,
        target,
      );
      if (between) {
        row.extra!["entryAndBareRequestsMs"] = Math.round(between.wallMs);
        row.extra!["entryAndBareRequestsRatio"] = Number(
          (between.wallMs / empty.median.wallMs).toFixed(2),
        );
      }
      if (registryFetches.has(args.join(" "))) {
        row.extra!["npmMetadataFetchedAtStart"] = "yes (see the README)";
        console.error(
          `warning: ${label}: Deno fetched npm metadata at start-up, so the time includes a ` +
            "registry round trip (`deno run -A scripts/ci.ts dependencies` caches it once)",
        );
      }
      if (pythonSdk && pythonArgs) {
        const command = pythonSdk.cli([...pythonArgs]);
        row.python = await measureAll(command.program, command.args, command.env);
      }
      rows.push(row);
      console.error(JSON.stringify(row));
    }
    const binaries = await buildBinaries();
    if (binaries !== undefined) {
      try {
        // The single binary of `deno task binary`: no target (the issue's is for `deno run`); its
        // floor is an empty program built the same way (what a Bun executable takes to start).
        const binaryCases = [
          ["single binary: --help", ["--help"], {}, ["--help"]],
          [
            "single binary: user info",
            ["user", "info"],
            env,
            ["user", "info", "--host", server.host, "--api-key", server.apiKey],
          ],
        ] as const;
        for (const [label, args, extra, pythonArgs] of binaryCases) {
          const [client, empty] = await measureInTurns(
            [[binaries.cli, [...args]], [binaries.empty, []]],
            extra,
          );
          const row = commandRow(
            `(d) ${label}`,
            `bin/swanlab-ts ${args.join(" ")} vs an empty program built the same way`,
            client!,
            empty!,
            Infinity,
          );
          if (pythonSdk) {
            const command = pythonSdk.cli([...pythonArgs]);
            row.python = await measureAll(command.program, command.args, command.env);
          }
          rows.push(row);
          console.error(JSON.stringify(row));
        }
      } finally {
        await Deno.remove(binaries.dir, { recursive: true });
      }
    }
  } finally {
    await server.stop();
  }
}
await pythonSdk?.close();

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? "–"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits });
const withPython = pythonSdk !== undefined;
const table = [
  `| workload | client | floor | ratio (target) | client peak RSS |${
    withPython ? " Python SDK | SDK / client |" : ""
  } notes |`,
  `|---|---|---|---|---|${withPython ? "---|---|" : ""}---|`,
  ...rows.map((row) => {
    const measure = row.compare as "wallMs" | "cpuMs";
    const unit = measure === "cpuMs" ? "ms CPU" : "ms";
    const bounded = Number.isFinite(row.target);
    const verdict = row.ratio === undefined || !bounded
      ? ""
      : row.ratio <= row.target
      ? " ✓"
      : " ✗";
    const target = bounded ? ` (≤ ${row.target}x)` : "";
    const growth = row.extra?.rssGrowthBytesPerPoint;
    const notes = [
      ...Object.entries(row.extra ?? {}).map(([k, v]) =>
        `${k} ${typeof v === "number" ? fmt(v, Number.isInteger(v) ? 0 : 2) : v}`
      ),
      ...(row.rssBytesPerPoint !== undefined && typeof growth === "number"
        ? [
          `peak RSS growth ≤ ${row.rssBytesPerPoint} B/point ${
            growth <= row.rssBytesPerPoint ? "✓" : "✗"
          }`,
        ]
        : []),
      ...(row.rssLimitMb !== undefined
        ? [`peak RSS < ${row.rssLimitMb} MB ${row.client.peakRssMb < row.rssLimitMb ? "✓" : "✗"}`]
        : []),
    ].join(", ");
    const python = !withPython
      ? ""
      : row.python
      ? ` ${fmt(row.python[measure])} ${unit} | ${
        fmt(row.python[measure] / row.client[measure], 1)
      }x |`
      : " – | – |";
    return `| ${row.name} | ${fmt(row.client[measure])} ${unit} | ${
      row.floor ? `${fmt(row.floor[measure])} ${unit}` : "–"
    } | ${row.ratio === undefined ? "–" : `${fmt(row.ratio, 2)}x${target}${verdict}`} | ${
      fmt(row.client.peakRssMb, 1)
    } MB |${python} ${notes} |`;
  }),
].join("\n");

const commit = await new Deno.Command("git", {
  args: ["rev-parse", "--short", "HEAD"],
  cwd: root,
  stdout: "piped",
  stderr: "null",
}).output().then((o) => new TextDecoder().decode(o.stdout).trim(), () => "");
const meta = {
  date: new Date().toISOString(),
  deno: Deno.version.deno,
  cpus: navigator.hardwareConcurrency,
  quick,
  commit,
  command: `deno task bench${quick ? " --quick" : ""}${withPython ? " --python-sdk …" : ""}${
    countInstructions ? " --instructions" : ""
  }`,
};
await writeFileAtomic(
  `${root}bench/results/latest.json`,
  JSON.stringify({ meta, rows }, null, 2) + "\n",
  { createParent: true },
);
await writeFileAtomic(
  `${root}bench/results/latest.md`,
  `Measured ${meta.date} at commit ${
    meta.commit || "?"
  } with Deno ${meta.deno} on ${meta.cpus} CPUs (\`${meta.command}\`):\n\n${table}\n`,
  { createParent: true },
);
console.log(table);
