import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, mirror, PermissionDeniedError, ValidationError } from "../../mod.ts";
import { startServer } from "../../src/server/mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { MirrorDataError } from "../../src/server/mod.ts";
import { MIRROR_FORMAT, MIRROR_VERSION } from "../../src/mirror/mirror_format.ts";
import { duckdb } from "../export/_readers.ts";
import { envelope, runCli, serverEnv } from "../cli/_helpers.ts";

const NOW = () => new Date("2026-01-01T00:00:00.000Z");

/** Every file of a directory (relative path → bytes as hex-free string), sorted. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child);
      else out.set(child, (await readFile(join(dir, child))).toString("base64"));
    }
  };
  await walk("");
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

async function mtimes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const file of (await tree(dir)).keys()) out.set(file, (await stat(join(dir, file))).mtimeMs);
  return out;
}

function withoutUrl<T>(value: T): T {
  const copy = structuredClone(value) as Record<string, unknown>;
  delete copy.url;
  return copy as T;
}

describe("mirror", () => {
  let source: LocalServer;
  let tmp: string;
  let clean: string;
  const opts = (out: string) => ({
    out,
    apiKey: source.apiKey,
    host: source.host,
    now: NOW,
  });

  before(async () => {
    source = await startServer({ runs: 3, steps: 120, logLines: 30 });
    tmp = await mkdtemp(join(tmpdir(), "mirror_test_"));
    clean = join(tmp, "clean");
    const report = await mirror("vision-lab", opts(clean));
    assert.equal(report.committed, true);
    assert.equal(report.runs.total, 5);
    assert.equal(report.runs.fetched, 5);
  });
  after(async () => {
    await source.close();
    await rm(tmp, { recursive: true });
  });

  it("serves the mirror with the same answers as the source (round trip)", async () => {
    const served = await startServer({ data: clean });
    try {
      assert.throws(() => served.dataset.seed, /no seeded data set/);
      const a = new Api({ apiKey: source.apiKey, host: source.host });
      const b = new Api({ apiKey: served.apiKey, host: served.host });
      assert.deepEqual(await b.user().json(), await a.user().json());
      // Self-hosted facts as the source gave them, except that nobody is root on a mirror.
      assert.deepEqual(await b.selfHosted().json(), {
        ...await a.selfHosted().json(),
        root: false,
      });
      assert.deepEqual(
        await b.workspace("vision-lab").json(),
        await a.workspace("vision-lab").json(),
      );
      for (const path of ["vision-lab/resnet-sweep", "vision-lab/diffusion"]) {
        assert.deepEqual(
          withoutUrl(await b.project(path).json()),
          withoutUrl(await a.project(path).json()),
        );
        const runs = await a.project(path).runs().toArray();
        assert.deepEqual(
          (await b.project(path).runs().toArray()).map((r) => r.path),
          runs.map((r) => r.path),
        );
        for (const run of runs) {
          const ra = a.run(run.path);
          const rb = b.run(run.path);
          assert.deepEqual(withoutUrl(await rb.json()), withoutUrl(await ra.json()));
          assert.deepEqual(
            await rb.columns({ all: true }).json(),
            await ra.columns({ all: true }).json(),
          );
          assert.deepEqual(await rb.summary(), await ra.summary());
          const keys = ["train/loss", "val/acc", "__swanlab__.cpu"];
          // Sampled metrics: the mirror samples its stored points with the same LTTB as the
          // source, so the samples are equal.
          assert.deepEqual(
            await rb.metrics(keys, { sample: 40 }),
            await ra.metrics(keys, { sample: 40 }),
          );
          assert.deepEqual(
            await rb.metrics(keys, { all: true }),
            await ra.metrics(keys, { all: true }),
          );
          const range = { rangeQuery: { type: "step" as const, start: 10, end: 50 } };
          assert.deepEqual(await rb.metrics(keys, range), await ra.metrics(keys, range));
          for (const level of ["DEBUG", "WARN"] as const) {
            assert.deepEqual(await rb.logs({ level }), await ra.logs({ level }));
          }
          const ma = await ra.medias(["samples/image"], { all: true });
          const mb = await rb.medias(["samples/image"], { all: true });
          assert.equal(mb.list.length, ma.list.length);
          for (let i = 0; i < ma.list.length; i++) {
            const sa = ma.list[i]!.metrics;
            const sb = mb.list[i]!.metrics;
            assert.deepEqual(sb.map((s) => s.index), sa.map((s) => s.index));
            for (let j = 0; j < sa.length; j++) {
              for (let k = 0; k < sa[j]!.items.length; k++) {
                const { url: ua, ...restA } = sa[j]!.items[k]!;
                const { url: ub, ...restB } = sb[j]!.items[k]!;
                assert.deepEqual(restB, restA);
                assert.ok(String(ub).startsWith(served.storageOrigin));
                const bytesA = new Uint8Array(await (await fetch(String(ua))).arrayBuffer());
                const bytesB = new Uint8Array(await (await fetch(String(ub))).arrayBuffer());
                assert.deepEqual(bytesB, bytesA);
              }
            }
          }
        }
      }
      // Writes answer a clear read-only error.
      const first = (await b.project("vision-lab/resnet-sweep").runs().toArray())[0]!;
      await assert.rejects(
        () => b.run(first.path).delete({ commit: true }),
        (e: unknown) => e instanceof PermissionDeniedError && /Read-only server/.test(e.message),
      );
    } finally {
      await served.close();
    }
  });

  it("serves a clone whose root run is not in the mirror", async () => {
    const dir = join(tmp, "alice");
    await mirror("alice/mnist-baseline", opts(dir));
    const served = await startServer({ data: dir });
    try {
      const clone = source.dataset.clone.run;
      const a = new Api({ apiKey: source.apiKey, host: source.host }).run(clone.path);
      const b = new Api({ apiKey: served.apiKey, host: served.host }).run(clone.path);
      assert.deepEqual(
        await b.metrics(["train/loss"], { all: true }),
        await a.metrics(["train/loss"], { all: true }),
      );
      assert.deepEqual(await b.logs(), await a.logs());
    } finally {
      await served.close();
    }
  });

  it("a second run with nothing changed sends only list and metadata requests and rewrites nothing", async () => {
    const before = await mtimes(clean);
    source.clearRequests();
    const report = await mirror("vision-lab", opts(clean));
    assert.equal(report.runs.fetched, 0);
    assert.equal(report.filesWritten, 0);
    assert.equal(report.committed, false);
    assert.ok(report.plan.every((s) => s.reason === "unchanged"));
    const data = source.requests.filter((r) =>
      r.origin === "storage" ||
      /\/house\/metrics\/(scalar\/export|log|f_media|media|scalar)$/.test(r.path) ||
      /presigned/.test(r.path)
    );
    assert.deepEqual(data.map((r) => r.path), []);
    assert.deepEqual(await mtimes(clean), before);
  });

  it("reads the summaries, and each run's record, columns and keys, several at a time", async () => {
    // A fetch that counts the requests of each kind waiting for their answer at the same time
    // (the server answers after 20 ms, so requests sent together overlap).
    const counting = () => {
      const open = new Map<string, number>();
      const most = new Map<string, number>();
      const kind = (path: string) =>
        path.endsWith("/summaries")
          ? "summaries"
          : /\/runs\/[^/]+$|\/column$|\/keys$/.test(path)
          ? "run metadata"
          : /\/user\/profile$|\/self_hosted\/info$|\/groups$/.test(path)
          ? "account"
          : /\/media\//.test(path)
          ? "media file"
          : "other";
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        const k = kind(new URL(url).pathname);
        open.set(k, (open.get(k) ?? 0) + 1);
        most.set(k, Math.max(most.get(k) ?? 0, open.get(k)!));
        try {
          return await globalThis.fetch(input, init);
        } finally {
          open.set(k, open.get(k)! - 1);
        }
      };
      return { fetch, most };
    };
    source.setFaults({ latencyMs: 20 });
    try {
      // Nothing changed: the sync reads the summaries of the project's three runs together...
      const again = counting();
      const report = await mirror("vision-lab/resnet-sweep", {
        ...opts(join(tmp, "overlap")),
        fetch: again.fetch,
        media: false,
      });
      assert.equal(report.runs.fetched, 3);
      const resync = counting();
      await mirror("vision-lab/resnet-sweep", {
        ...opts(join(tmp, "overlap")),
        fetch: resync.fetch,
        media: false,
      });
      assert.equal(resync.most.get("summaries"), 3);
      // The user, the self-hosted information and the workspaces are read together too.
      assert.equal(resync.most.get("account"), 3);
      // ...and no more than the client's concurrency allows.
      const one = counting();
      await mirror("vision-lab/resnet-sweep", {
        ...opts(join(tmp, "overlap")),
        fetch: one.fetch,
        media: false,
        concurrency: 1,
      });
      assert.equal(one.most.get("summaries"), 1);
      // A run fetched alone: its record, columns, and scalar and media keys (5 requests) together
      // (the keys' requests are located by the listing's record), and four media files at once.
      const single = counting();
      await mirror("vision-lab/resnet-sweep", {
        ...opts(join(tmp, "overlap-run")),
        fetch: single.fetch,
        parallelRuns: 1,
        runs: 1,
      });
      assert.equal(single.most.get("run metadata"), 5);
      assert.equal(single.most.get("media file"), 4);
    } finally {
      source.setFaults({});
    }
  });

  for (const [phase, at] of [["metadata", 3], ["points", 2], ["media", 2]] as const) {
    it(`resumes after an interruption (${phase} ${at}) and ends byte-identical`, async () => {
      const dir = join(tmp, `resume-${phase}`);
      const controller = new AbortController();
      await assert.rejects(() =>
        mirror("vision-lab", {
          ...opts(dir),
          parallelRuns: 1,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === phase && p.done >= at) controller.abort();
          },
        })
      );
      await assert.rejects(() => stat(join(dir, "manifest.json")));
      const report = await mirror("vision-lab", opts(dir));
      assert.equal(report.committed, true);
      assert.deepEqual([...(await tree(dir)).keys()], [...(await tree(clean)).keys()]);
      assert.deepEqual(await tree(dir), await tree(clean));
    });
  }

  it("with faults on, completes identical to a clean mirror or fails clearly", async () => {
    const dir = join(tmp, "faults");
    source.setFaults({
      errorRate: 0.1,
      rateLimitRate: 0.05,
      resetRate: 0.05,
      truncateRate: 0.2,
      seed: 7,
    });
    try {
      let failed: unknown;
      try {
        await mirror("vision-lab", { ...opts(dir), maxRetries: 6, initialRetryDelayMs: 5 });
      } catch (error) {
        failed = error;
      }
      // The faults are seeded: this sequence completes (retries and resumed downloads absorb
      // them); a failure would have to be an error and leave no manifest.
      if (failed === undefined) assert.deepEqual(await tree(dir), await tree(clean));
      else {
        assert.ok(failed instanceof Error && failed.message.length > 0);
        await assert.rejects(() => stat(join(dir, "manifest.json")));
      }
    } finally {
      source.setFaults({});
    }
  });

  it("narrows the selection with filter, since, runs and a run scope; media follow --no-media", async () => {
    const sweep = source.dataset.projects["vision-lab/resnet-sweep"]!.runs;
    const project = "vision-lab/resnet-sweep";
    assert.equal(sweep.filter((r, i) => i === 0 || r.pin).length, 2);
    const finished = await mirror(project, {
      ...opts(join(tmp, "sel-filter")),
      filter: { filters: [{ key: "name", type: "STABLE", op: "EQ", value: [sweep[0]!.name] }] },
    });
    assert.deepEqual(
      finished.plan.map((s) => s.cuid).sort(),
      // Pinned runs are always listed (the server keeps them whatever the filters).
      sweep.filter((r, i) => i === 0 || r.pin).map((r) => r.cuid).sort(),
    );
    const since = await mirror(project, {
      ...opts(join(tmp, "sel-since")),
      since: sweep[1]!.createdAt,
      media: false,
    });
    assert.deepEqual(since.plan.map((s) => s.cuid).sort(), [sweep[1]!.cuid, sweep[2]!.cuid].sort());
    assert.equal(since.mediaFiles, 0);
    // Turning media on fetches the runs again, for their media.
    const withMedia = await mirror(project, {
      ...opts(join(tmp, "sel-since")),
      since: sweep[1]!.createdAt,
    });
    assert.deepEqual(withMedia.plan.map((s) => s.reason), ["media", "media"]);
    assert.ok(withMedia.mediaFiles > 0);
    const first = await mirror(project, { ...opts(join(tmp, "sel-runs")), runs: 1 });
    assert.equal(first.runs.total, 1);
    // The first runs of the listing, whatever the window the records are read in.
    const listed = await new Api({ apiKey: source.apiKey, host: source.host, env: {} })
      .project(project).runs().toArray();
    for (const concurrency of [1, 2, 4]) {
      const two = await mirror(project, {
        ...opts(join(tmp, "sel-two")),
        runs: 2,
        concurrency,
        dryRun: true,
      });
      assert.deepEqual(
        two.plan.map((s) => s.cuid),
        await Promise.all(listed.slice(0, 2).map((r) => r.runId)),
      );
    }
    const one = await mirror(sweep[2]!.path, opts(join(tmp, "sel-run")));
    assert.deepEqual(one.plan.map((s) => s.cuid), [sweep[2]!.cuid]);
    await assert.rejects(() => mirror(project, opts(join(tmp, "sel-run"))), /holds a mirror of/);
    await assert.rejects(() => mirror("a/b/c/d", opts(join(tmp, "x"))), ValidationError);
    await assert.rejects(
      () => mirror(project, { ...opts(join(tmp, "x")), since: "soon" }),
      ValidationError,
    );
    await assert.rejects(
      () => mirror(project, { ...opts(join(tmp, "x")), runs: 0 }),
      ValidationError,
    );
  });

  it("DuckDB reads the Hive-partitioned points as one table", async () => {
    const manifest = JSON.parse(await readFile(join(clean, "manifest.json"), "utf8"));
    assert.equal(manifest.format, MIRROR_FORMAT);
    assert.equal(manifest.version, MIRROR_VERSION);
    const glob = join(clean, "points", "**", "*.parquet").replaceAll("\\", "/");
    const [count] = await duckdb(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT run)::INTEGER AS runs FROM read_parquet('${glob}', hive_partitioning = true)`,
    );
    assert.equal(count!.n, manifest.counts.points);
    assert.equal(count!.runs, 5);
    const run = source.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    const rows = await duckdb(
      `SELECT step::INTEGER AS step, value FROM read_parquet('${glob}', hive_partitioning = true)
       WHERE run = '${run.cuid}' AND key = 'val/acc' ORDER BY step`,
    );
    const api = new Api({ apiKey: source.apiKey, host: source.host });
    const full = await api.run(run.path).metrics(["val/acc"], { all: true });
    const points = full.list[0]!.metrics as { step: number; value: number }[];
    assert.deepEqual(rows.map((r) => [r.step, r.value]), points.map((p) => [p.step, p.value]));
  });

  it("refuses bad output directories and bad mirrors, overwriting nothing", async () => {
    const file = join(tmp, "a-file");
    await writeFile(file, "keep");
    await assert.rejects(() => mirror("vision-lab", opts(file)), ValidationError);
    assert.equal(await readFile(file, "utf8"), "keep");
    await assert.rejects(
      () => mirror("vision-lab", opts(join(tmp, "missing", "x"))),
      ValidationError,
    );

    const other = join(tmp, "other-host");
    await mirror("vision-lab/diffusion", opts(other));
    const path = join(other, "manifest.json");
    const manifest = JSON.parse(await readFile(path, "utf8"));
    await writeFile(
      path,
      JSON.stringify({
        ...manifest,
        source: { ...manifest.source, host: "https://api.example.org" },
      }),
    );
    const before = await tree(other);
    await assert.rejects(() => mirror("vision-lab/diffusion", opts(other)), /api\.example\.org/);
    await writeFile(path, JSON.stringify({ ...manifest, version: 99 }));
    await assert.rejects(() => mirror("vision-lab/diffusion", opts(other)), /version 99/);
    await assert.rejects(
      () => startServer({ data: other }),
      (e: unknown) => e instanceof MirrorDataError && /version 99/.test(e.message),
    );
    await writeFile(path, JSON.stringify(manifest));
    const part = [...before.keys()].find((f) => f.endsWith(".parquet"))!;
    const bytes = await readFile(join(other, part));
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await writeFile(join(other, part), bytes);
    await assert.rejects(
      () => startServer({ data: other }),
      (e: unknown) => e instanceof MirrorDataError && e.message.includes(part),
    );
  });

  it("checks logs at start, reads them on first use, and refuses a log changed since", async () => {
    const dir = join(tmp, "logs-check");
    await mirror("vision-lab/diffusion", opts(dir));
    const logsFile = [...(await tree(dir)).keys()].find((f) => /\/logs-[0-9a-f]+\.jsonl$/.test(f))!;
    const path = join(dir, logsFile);
    const intact = await readFile(path);
    const damaged = new Uint8Array(intact);
    damaged[10] = damaged[10]! ^ 0x01;

    // Damaged before the start: the start fails naming the file.
    await writeFile(path, damaged);
    await assert.rejects(
      () => startServer({ data: dir }),
      (e: unknown) =>
        e instanceof MirrorDataError && e.message.includes(logsFile) &&
        /corrupted/.test(e.message),
    );

    // Intact at the start, damaged before the first request for it: that request fails naming
    // the file, instead of serving other lines than the mirror's.
    await writeFile(path, intact);
    const served = await startServer({ data: dir });
    try {
      const api = new Api({ apiKey: served.apiKey, host: served.host, maxRetries: 0 });
      const runs = await api.runsGet("vision-lab/diffusion", { all: true }).toArray();
      await writeFile(path, damaged);
      const failures: string[] = [];
      let lines = 0;
      for (const run of runs) {
        try {
          for await (const _ of run.scanLogs()) lines++;
        } catch (error) {
          failures.push(String(error));
        }
      }
      // Only the damaged run's log fails, naming its file; the others are served.
      assert.equal(failures.length, 1);
      assert.match(failures[0]!, /corrupted/);
      assert.ok(failures[0]!.includes(logsFile));
      assert.ok(lines > 0);
    } finally {
      await served.close();
    }
  });

  it("CLI: mirror with a dry run, then for real, then serve --data", async () => {
    const dir = join(tmp, "cli");
    const env = serverEnv(source);
    const dry = await runCli(["mirror", "vision-lab/diffusion", "--out", dir, "--dry-run"], {
      env,
    });
    assert.equal(dry.code, 0, dry.stderr);
    const plan = envelope(dry).data as { dryRun: boolean; plan: { action: string }[] };
    assert.equal(plan.dryRun, true);
    assert.ok(plan.plan.every((s) => s.action === "fetch"));
    await assert.rejects(() => stat(dir));
    const zero = await runCli(
      ["mirror", "vision-lab/diffusion", "--out", dir, "--parallel-runs", "0"],
      { env },
    );
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--parallel-runs/);
    await assert.rejects(() => stat(dir));
    const real = await runCli(
      ["mirror", "vision-lab/diffusion", "--out", dir, "--no-media", "--parallel-runs", "3"],
      { env },
    );
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stderr, /Mirrored vision-lab\/diffusion .* 2 runs \(2 fetched/);
    const bad = await runCli(["mirror", "vision-lab/diffusion", "--out", join(tmp, "a-file")], {
      env,
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /it is a file/);
    const served = await runCli(["serve", "--data", dir, "--json"], {
      env,
      waitForSignal: () => Promise.resolve("SIGINT"),
    });
    assert.equal(served.code, 0, served.stderr);
    const info = JSON.parse(served.stdout.split("\n")[0]!);
    assert.match(info.env.SWANLAB_API_KEY, /^[A-Za-z0-9]{21}$/);
  });
});
