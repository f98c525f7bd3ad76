import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PointRow, writtenByHyparquet } from "./_points_files.ts";
import { Api, mirror } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";

/**
 * A mirror written by hand from docs/MIRROR_FORMAT.md (not by src/mirror): irregular steps,
 * per-key timestamps, a point without timestamp, NaN and infinities.
 */
async function handMadeMirror(dir: string): Promise<void> {
  const files: Record<string, Uint8Array> = {};
  const ref = (file: string, bytes: Uint8Array) => {
    files[file] = bytes;
    return {
      file,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.byteLength,
    };
  };
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const rows: PointRow[] = [
    ["loss", 0, 2.5, 1000],
    ["acc", 5, 0.5, 1500],
    ["loss", 3, Number.NaN, 1300],
    ["loss", 7, Infinity, null],
    ["acc", 9, -Infinity, 1900],
  ];
  const points = writtenByHyparquet(rows);
  const pointsRef = ref("points/workspace=w/project=p/run=crun1/part-1.parquet", points);
  const logs = ref(
    "runs/w/p/crun1/logs-1.jsonl",
    new TextEncoder().encode(
      [
        { level: "INFO", message: "hello", tag: "", timestamp: "2024-08-01T00:00:00.000Z" },
        { level: "ERROR", message: "boom", tag: "stderr", timestamp: "2024-08-01T00:00:01.000Z" },
      ].map((l) => JSON.stringify(l)).join("\n") + "\n",
    ),
  );
  const record = {
    cuid: "crun1",
    slug: "abc12345",
    name: "hand-made",
    description: "",
    state: "FINISHED",
    type: "CHAPTER",
    labels: [],
    show: true,
    cluster: "",
    job: "",
    user: { name: "U", username: "u" },
    profile: { config: { lr: 0.1 }, metadata: {}, requirements: "", conda: "" },
    createdAt: "2024-08-01T00:00:00.000Z",
    updatedAt: "2024-08-01T00:01:00.000Z",
    finishedAt: "2024-08-01T00:01:00.000Z",
    project_id: "cproj1",
  };
  const run = ref(
    "runs/w/p/crun1/run-1.json",
    json({
      record,
      project: "w/p",
      columns: [],
      scalarKeys: ["loss", "acc"],
      mediaKeys: [],
      summary: {},
      points: { ...pointsRef, rows: rows.length },
      logs: { ...logs, lines: 2 },
      media: [],
    }),
  );
  const user = ref(
    "meta/user-1.json",
    json({
      user: { username: "u", name: "U" },
      workspaces: [{ username: "w", name: "W", role: "OWNER", workspace_type: "TEAM" }],
      selfHosted: null,
    }),
  );
  const project = ref(
    "meta/projects/w/p-1.json",
    json({ project_id: "cproj1", name: "p", path: "w/p", visibility: "PRIVATE", count: {} }),
  );
  files["manifest.json"] = json({
    format: "swanlab-mirror",
    version: 1,
    source: { host: "https://api.example.org", username: "u" },
    scope: "w",
    syncedAt: "2026-01-01T00:00:00.000Z",
    counts: { projects: 1, runs: 1, points: 5, logLines: 2, mediaFiles: 0, mediaBytes: 0 },
    user,
    projects: [{ path: "w/p", document: project }],
    runs: [{
      cuid: "crun1",
      path: "w/p/abc12345",
      state: "FINISHED",
      updatedAt: record.updatedAt,
      summarySha256: "",
      media: true,
      document: run,
      points: 5,
      logLines: 2,
    }],
  });
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(join(dir, file, ".."), { recursive: true });
    await writeFile(join(dir, file), bytes);
  }
}

describe("serving a mirror written from the format document", () => {
  let dir: string;
  let server: LocalServer;
  let api: Api;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mirror_source_test_"));
    await handMadeMirror(dir);
    server = await startServer({ data: dir });
    api = new Api({ host: server.host, apiKey: server.apiKey });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true });
  });

  it("serves irregular steps with their own timestamps at full resolution", async () => {
    const run = api.run("w/p/abc12345");
    assert.equal((await run.json()).name, "hand-made");
    const full = await run.metrics(["loss", "acc"], { all: true });
    const byKey = Object.fromEntries(full.list.map((l) => [l.key, l.metrics]));
    assert.deepEqual(byKey.loss, [
      { step: 0, value: 2.5, timestamp: 1000 },
      { step: 3, value: NaN, timestamp: 1300 },
      { step: 7, value: Infinity },
    ]);
    assert.deepEqual(byKey.acc, [
      { step: 5, value: 0.5, timestamp: 1500 },
      { step: 9, value: -Infinity, timestamp: 1900 },
    ]);
  });

  it("samples, summarizes and serves logs from the stored data", async () => {
    const run = api.run("w/p/abc12345");
    const sampled = await run.metrics(["loss"], { sample: 10 });
    assert.deepEqual(sampled.list[0]!.metrics.map((p) => (p as { index: number }).index), [
      0,
      3,
      7,
    ]);
    const summary = await run.summary(["loss"]);
    assert.equal(summary.loss?.step, 7);
    const logs = await run.logs({ level: "WARN" });
    assert.deepEqual(logs.logs.map((l) => l.message), ["boom"]);
    assert.equal(logs.count, 1);
    await assert.rejects(() => api.selfHosted().json(), /not available/);
  });
});

describe("serving a clone whose root run is not in the mirror", () => {
  let source: LocalServer;
  let served: LocalServer;
  let dir: string;
  before(async () => {
    source = await startServer({ runs: 2, steps: 60, logLines: 10 });
    dir = await mkdtemp(join(tmpdir(), "mirror_source_clone_test_"));
    // The clone is in alice's workspace, its root in vision-lab's: a mirror of "alice" holds the
    // clone without its root.
    await mirror("alice", { out: join(dir, "m"), host: source.host, apiKey: source.apiKey });
    served = await startServer({ data: join(dir, "m") });
  });
  after(async () => {
    await served.close();
    await source.close();
    await rm(dir, { recursive: true });
  });

  it("answers key listings, availability, metrics and media through the root's ids as the source does", async () => {
    const path = source.dataset.clone.run.path;
    const a = new Api({ host: source.host, apiKey: source.apiKey }).run(path);
    const b = new Api({ host: served.host, apiKey: served.apiKey }).run(path);
    // Key listings and availability address the root run and project directly (the SDK does
    // the same): the root's project, not in the mirror, must still be readable by its id.
    for (
      const options of [{}, { metricClass: "SYSTEM" as const }, { metricType: "MEDIA" as const }]
    ) {
      const keys = await a.series(options).json();
      assert.ok(keys.keys.length > 0);
      assert.deepEqual(await b.series(options).json(), keys);
    }
    assert.deepEqual(
      await b.series().availability(["train/loss", "nope"]),
      await a.series().availability(["train/loss", "nope"]),
    );
    assert.deepEqual(
      await b.metrics(["train/loss", "val/acc"], { sample: 7 }),
      await a.metrics(["train/loss", "val/acc"], { sample: 7 }),
    );
    assert.deepEqual(await b.summary(), await a.summary());
    const step = source.dataset.mediaSteps[0]!;
    const ma = await a.medias(["samples/image"], { step });
    const mb = await b.medias(["samples/image"], { step });
    assert.deepEqual(
      mb.list.map((l) => l.metrics.map((s) => s.items.length)),
      ma.list.map((l) => l.metrics.map((s) => s.items.length)),
    );
    assert.ok(ma.list[0]!.metrics.length > 0);
  });
});
