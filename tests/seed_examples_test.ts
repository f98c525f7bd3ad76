/**
 * A TypeScript counterpart of every code example of the Python `swanlab.Api` documentation
 * (../shared/reference/seed-swanlab-api.md), run against the local server.
 *
 * Names of the examples map to the seeded data set: `my-team` → `vision-lab`,
 * `my-team/my-project` → `vision-lab/resnet-sweep`, run `abc123` → the slug of its first run,
 * `loss`/`acc` → `train/loss`/`train/acc`, `generated_image` → `samples/image`.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Api,
  type ApiResponse,
  type FullPointJson,
  NotFoundError,
  type RangeQuery,
  type RunFilter,
  type SampledPointJson,
} from "../mod.ts";
import type { DatasetRun, LocalServer } from "../src/server/mod.ts";
import { startTestServer } from "./entities/_setup.ts";

const TEAM = "vision-lab";
const PROJECT = "vision-lab/resnet-sweep";
const LOSS = "train/loss";
const ACC = "train/acc";
const IMAGE = "samples/image";
const STEPS = 600;

const stepsOf = (points: readonly (SampledPointJson | FullPointJson)[]): number[] =>
  points.map((p) => ("step" in p ? p.step : p.index) as number);

describe("seed documentation examples", () => {
  let server: LocalServer;
  let api: Api;
  let first: DatasetRun;
  let RUN: string;
  let home: string;
  before(async () => {
    server = await startTestServer({ runs: 8, steps: STEPS, logLines: 120 });
    // `swanlab.Api()` with credentials from the environment of the test: explicit options.
    api = new Api({ apiKey: server.apiKey, host: server.host, env: {} });
    first = server.dataset.projects[PROJECT]!.runs[0]!;
    RUN = first.path;
    home = await mkdtemp(join(tmpdir(), "swanlab-ts-seed-"));
    // Projects the search examples can find.
    await api.createProject({ username: TEAM, name: "classifier-v1", visibility: "PUBLIC" });
    await api.createProject({ username: TEAM, name: "image-segmentation" });
  });
  after(async () => {
    await server.close();
    await rm(home, { recursive: true, force: true });
  });

  describe("Quick Start", () => {
    it("Api() reads .netrc credentials automatically", async () => {
      const root = join(home, "root");
      await mkdir(root, { recursive: true });
      await writeFile(
        join(root, ".netrc"),
        `machine ${server.host}\n\tlogin ${server.host}\n\tpassword ${server.apiKey}\n`,
        { mode: 0o600 },
      );
      const fromNetrc = new Api({ env: { SWANLAB_ROOT: root, HOME: home }, cwd: home });
      assert.equal(await fromNetrc.username, "alice");
    });

    it("Api({ apiKey, host }) uses explicit credentials (also for self-hosted servers)", async () => {
      const explicit = new Api({ apiKey: server.apiKey, host: server.host, env: {} });
      assert.equal(await explicit.username, "alice");
      assert.equal(await explicit.project(PROJECT).url, `${server.host}/@${PROJECT}`);
    });

    it("metrics, medias and logs of a run", async () => {
      const run = api.run(RUN);
      const scalars = await run.metrics([LOSS, ACC], { sample: 500 });
      assert.deepEqual(scalars.list.map((s) => s.key), [LOSS, ACC]);
      for (const s of scalars.list) assert.ok(s.metrics.length > 0 && s.metrics.length <= 500);
      const media = await run.medias([IMAGE], { step: 0 });
      assert.equal(media.list[0]!.key, IMAGE);
      assert.equal(media.list[0]!.metrics[0]!.items.length, server.dataset.imagesPerStep);
      const logs = await run.logs({ offset: 0, level: "INFO" });
      assert.ok((logs.count ?? 0) > 0);
      assert.ok(logs.logs.length > 0);
    });
  });

  describe("Workspace", () => {
    it("ws.json()", async () => {
      const ws = api.workspace(TEAM);
      const data = await ws.json();
      assert.deepEqual([data.name, data.username, data.workspace_type], [
        "Vision Lab",
        TEAM,
        "TEAM",
      ]);
    });

    it("for ws in api.workspaces(...)", async () => {
      const names: string[] = [];
      for await (const ws of api.workspaces("bob")) names.push(await ws.name);
      assert.deepEqual(names.sort(), ["Bob Li", "Vision Lab"]);
    });

    it("ws.projects(sort, search).json()", async () => {
      const ws = api.workspace(TEAM);
      const projects = ws.projects({ sort: "create", search: "v1" });
      const json = await projects.json();
      assert.equal(json.total, 1);
      assert.equal(json.list[0]!.path, `${TEAM}/classifier-v1`);
    });

    it("ws.createProject(name, visibility)", async () => {
      const ws = api.workspace(TEAM);
      const project = await ws.createProject({ name: "my_project", visibility: "PUBLIC" });
      assert.equal(project.path, `${TEAM}/my_project`);
      assert.equal((await api.project(`${TEAM}/my_project`).json()).visibility, "PUBLIC");
    });
  });

  describe("Project", () => {
    it("api.project(path).json()", async () => {
      const project = api.project(PROJECT);
      const json = await project.json();
      assert.equal(json.path, PROJECT);
      assert.equal(json.project_id, server.dataset.projects[PROJECT]!.cuid);
    });

    it("for p in api.projects(path, sort, search)", async () => {
      const found: string[] = [];
      for await (const p of api.projects(TEAM, { sort: "name", search: "image" })) {
        found.push(`${await p.name} ${p.path}`);
      }
      assert.deepEqual(found, [`image-segmentation ${TEAM}/image-segmentation`]);
    });

    it("project.runs(filters).json(): finished runs", async () => {
      const project = api.project(PROJECT);
      const runs = project.runs({
        filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
      });
      const json = await runs.json();
      assert.ok(json.total > 0);
      const pinned = server.dataset.pinned.cuid;
      for (const run of json.list) assert.ok(run.state === "FINISHED" || run.run_id === pinned);
    });

    it("project.runsGet(page, size).json()", async () => {
      const project = api.project(PROJECT);
      const runs = project.runsGet({ page: 1, size: 100 });
      const json = await runs.json();
      assert.deepEqual([json.page, json.size, json.total, json.pages], [1, 100, 8, 1]);
      assert.equal(json.list.length, 8);
    });

    it("api.createProject(username, name, visibility, description)", async () => {
      const project = await api.createProject({
        username: TEAM,
        name: "new-project",
        visibility: "PRIVATE",
        description: "Project description",
      });
      const json = await project.json();
      assert.equal(json.description, "Project description");
      assert.equal(json.visibility, "PRIVATE");
    });

    it("project.delete({ commit: false }) deletes nothing", async () => {
      const project = api.project(`${TEAM}/new-project`);
      const plan = await project.delete({ commit: false });
      assert.equal(plan.committed, false);
      assert.equal(plan.items[0]!.name, "new-project");
      assert.equal((await api.project(`${TEAM}/new-project`).json()).name, "new-project");
    });

    it("project.deleteRuns(ids, { commit: true })", async () => {
      const runs = server.dataset.projects[PROJECT]!.runs;
      const [one, two] = [runs[6]!, runs[7]!];
      const project = api.project(PROJECT);
      const plan = await project.deleteRuns([one.slug, two.slug], { commit: true });
      assert.equal(plan.committed, true);
      assert.deepEqual(plan.items.map((i) => i.id), [one.cuid, two.cuid]);
      await assert.rejects(api.run(one.path).json(), NotFoundError);
      await assert.rejects(api.run(two.path).json(), NotFoundError);
    });
  });

  describe("Experiment (Run)", () => {
    it("1. api.run(path).json()", async () => {
      const run = api.run(RUN);
      const data = await run.json();
      assert.equal(data.run_id, first.cuid);
      assert.equal(data.name, first.name);
    });

    it("2. api.runs(path, filters): finished AND name contains", async () => {
      const filters: RunFilter[] = [
        { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] },
        { key: "name", type: "STABLE", op: "CONTAIN", value: ["sweep-0"] },
      ];
      const names: string[] = [];
      for await (const run of api.runs(PROJECT, { filters })) names.push(await run.name);
      const pinned = server.dataset.pinned.name;
      const expected = server.dataset.projects[PROJECT]!.runs
        .filter((r) => (r.state === "FINISHED" || r.name === pinned) && r.name.includes("sweep-0"))
        .map((r) => r.name);
      assert.deepEqual(names.sort(), expected.sort());
    });

    it("3. api.runsGet(path, page, size, all)", async () => {
      const seen: string[] = [];
      for await (const run of api.runsGet(PROJECT, { page: 1, size: 100, all: true })) {
        seen.push(`${await run.name} ${await run.state}`);
      }
      assert.equal(seen.length, 6);
      assert.ok(seen.includes(`${first.name} ${first.state}`));
    });

    it("4. RangeQuery values and a dict range", async () => {
      const run = api.run(RUN);
      const byStep: RangeQuery = { type: "step", start: 100, end: 500 };
      const lastFifty: RangeQuery = { tail: 50 };
      const t0 = first.createdAtSeconds * 1000;
      const byTime: RangeQuery = { type: "timestamp", start: t0 + 10_000, end: t0 + 20_000 };
      const lastFive: RangeQuery = { last: 300_000 };
      const a = await run.metrics([LOSS], { rangeQuery: byStep });
      assert.deepEqual(stepsOf(a.list[0]!.metrics), Array.from({ length: 401 }, (_, i) => 100 + i));
      const b = await run.metrics([LOSS], { rangeQuery: lastFifty });
      assert.deepEqual(stepsOf(b.list[0]!.metrics), Array.from({ length: 50 }, (_, i) => 550 + i));
      const c = await run.metrics([LOSS], { rangeQuery: byTime });
      assert.ok(c.list[0]!.metrics.length > 0);
      for (const p of c.list[0]!.metrics as FullPointJson[]) {
        assert.ok(p.timestamp! >= t0 + 10_000 && p.timestamp! <= t0 + 20_000);
      }
      const d = await run.metrics([LOSS], { rangeQuery: lastFive });
      assert.deepEqual(d.list[0]!.metrics, [], "the seeded runs are older than five minutes");
      const e = await run.metrics([LOSS], { rangeQuery: { type: "step", start: 100, end: 500 } });
      assert.deepEqual(stepsOf(e.list[0]!.metrics), stepsOf(a.list[0]!.metrics));
    });

    it("4. run.metrics(): sampled, sample, all and ranges", async () => {
      const run = api.run(RUN);
      const sampled = await run.metrics([LOSS, ACC]);
      assert.equal(sampled.list.length, 2);
      assert.equal(sampled.list[0]!.metrics.length, STEPS, "fewer points than the 1500 cap");
      const small = await run.metrics([LOSS], { sample: 500 });
      assert.ok(small.list[0]!.metrics.length <= 500);
      const all = await run.metrics([LOSS], { all: true });
      assert.equal(all.list[0]!.metrics.length, STEPS);
      const steps = await run.metrics([LOSS], {
        rangeQuery: { type: "step", start: 100, end: 500 },
      });
      assert.equal(steps.list[0]!.metrics.length, 401);
      // Timestamp bounds in seconds (10 digits) are padded to milliseconds.
      const seconds = first.createdAtSeconds;
      const time = await run.metrics([LOSS], {
        rangeQuery: { type: "timestamp", start: seconds, end: seconds + 30 },
      });
      assert.ok(time.list[0]!.metrics.length > 0);
      for (const p of time.list[0]!.metrics as FullPointJson[]) {
        assert.ok(p.timestamp! <= (seconds + 30) * 1000);
      }
      const recent = await run.metrics([LOSS], { rangeQuery: { last: 300_000 } });
      assert.deepEqual(recent.list[0]!.metrics, []);
      const head = await run.metrics([LOSS], { rangeQuery: { start: 0, end: 500, head: 50 } });
      assert.deepEqual(stepsOf(head.list[0]!.metrics), Array.from({ length: 50 }, (_, i) => i));
      const tail = await run.metrics([LOSS], { rangeQuery: { tail: 30 } });
      assert.deepEqual(
        stepsOf(tail.list[0]!.metrics),
        Array.from({ length: 30 }, (_, i) => 570 + i),
      );
    });

    it("5. run.summary(keys)", async () => {
      const summary = await api.run(RUN).summary([LOSS, ACC]);
      assert.deepEqual(Object.keys(summary).sort(), [ACC, LOSS]);
      assert.equal(summary[LOSS]!.step, STEPS - 1);
    });

    it("6. run.medias(keys, step) and run.medias(keys, all)", async () => {
      const run = api.run(RUN);
      const step = server.dataset.mediaSteps[1]!;
      const atStep = await run.medias([IMAGE], { step });
      assert.equal(atStep.list[0]!.step, step);
      assert.deepEqual(atStep.list[0]!.steps, [...server.dataset.mediaSteps]);
      const all = await run.medias([IMAGE], { all: true });
      assert.deepEqual(all.list[0]!.metrics.map((m) => m.index), [...server.dataset.mediaSteps]);
      for (const m of all.list[0]!.metrics) {
        for (const item of m.items) assert.ok(item.url?.startsWith(server.storageOrigin));
      }
    });

    it("7. run.logs(offset, level)", async () => {
      const logs = await api.run(RUN).logs({ offset: 0, level: "INFO" });
      assert.equal(logs.run_id, first.cuid);
      assert.equal(logs.key, "LOG");
      assert.ok(logs.logs.every((l) => typeof l.message === "string"));
    });

    it("8. run.exportLogs(start, rows)", async () => {
      const result: ApiResponse<{ url: string }> = await api.run(RUN).exportLogs({
        start: 0,
        rows: 500,
      });
      assert.equal(result.ok, true);
      const text = await (await fetch(result.data!.url)).text();
      assert.ok(text.split("\n").filter(Boolean).length > 0);
    });

    it("9. run.columns(all), run.columns(search), run.column(key, columnType)", async () => {
      const run = api.run(RUN);
      const all: string[] = [];
      for await (const col of run.columns({ all: true })) all.push(await col.name);
      assert.equal(all.length, 9);
      const losses: string[] = [];
      for await (const col of run.columns({ search: "loss" })) losses.push(await col.name);
      assert.deepEqual(losses.sort(), ["train/loss", "val/loss"]);
      const col = run.column("loss", { columnType: "FLOAT" });
      assert.match(await col.name, /loss$/);
    });

    it("10. run.delete({ commit: false }) deletes nothing", async () => {
      const plan = await api.run(RUN).delete({ commit: false });
      assert.deepEqual(plan.items[0], { id: first.cuid, name: first.name, path: first.path });
      assert.equal((await api.run(RUN).json()).run_id, first.cuid);
    });
  });

  describe("Column", () => {
    it("api.column(path, key, columnType)", async () => {
      const col = api.column(RUN, LOSS, { columnType: "FLOAT" });
      assert.equal(await col.key, LOSS);
      assert.equal(await col.columnType, "FLOAT");
    });

    it("api.columns(path, page, size, all, columnType)", async () => {
      const names: string[] = [];
      for await (
        const col of api.columns(RUN, { page: 1, size: 100, all: true, columnType: "FLOAT" })
      ) {
        names.push(await col.name);
      }
      assert.deepEqual(names.sort(), [...server.dataset.scalarKeys].sort());
    });

    it("api.columns(path, search)", async () => {
      const names: string[] = [];
      for await (const col of api.columns(RUN, { search: "loss" })) names.push(await col.name);
      assert.deepEqual(names.sort(), ["train/loss", "val/loss"]);
    });

    it("api.columns(path, all, columnType)", async () => {
      const cols = await api.columns(RUN, { all: true, columnType: "FLOAT" }).toArray();
      assert.equal(cols.length, server.dataset.scalarKeys.length);
    });

    it("api.columns(path).total", async () => {
      const cols = api.columns(RUN);
      assert.equal(await cols.total, server.dataset.scalarKeys.length + 1);
    });

    it("col.metric(sample)", async () => {
      const col = api.column(RUN, "train/acc");
      const data = await col.metric({ sample: 500 });
      assert.equal(data.key, ACC);
      assert.equal(data.metric_type, "SCALAR");
      assert.ok(data.metrics.length > 0 && data.metrics.length <= 500);
    });

    it("col.exportCsv()", async () => {
      const col = api.column(RUN, LOSS);
      const result = await col.exportCsv();
      assert.equal(result.ok, true);
      const csv = await (await fetch(result.data!.url)).text();
      const rows = csv.trim().split("\n");
      assert.equal(rows.length, STEPS + 1);
    });
  });

  describe("User", () => {
    it("api.user().json()", async () => {
      const user = api.user();
      const data = await user.json();
      assert.equal(data.username, "alice");
      assert.equal(data.email, "alice@example.org");
    });
  });

  describe("Self-hosted", () => {
    it("sh.json()", async () => {
      const sh = api.selfHosted();
      const data = await sh.json();
      assert.deepEqual([data.enabled, data.plan, data.seats], [true, "commercial", 50]);
    });

    it("sh.createUser() and sh.getUsers(page, size, all)", async () => {
      const sh = api.selfHosted();
      const created = await sh.createUser({ username: "newuser", password: "pass123" });
      assert.equal(created.ok, true);
      const users: string[] = [];
      for await (const user of sh.getUsers({ page: 1, size: 100, all: true })) {
        users.push(user.username);
      }
      assert.ok(users.includes("newuser"));
    });

    it("sh.getProjects(filters) and sh.getProjects(group, sort)", async () => {
      const sh = api.selfHosted();
      const byAdmin = await sh.getProjects({
        page: 1,
        size: 100,
        all: true,
        search: "image",
        state: "FINISHED",
        creator: "admin",
      }).toArray();
      assert.deepEqual(byAdmin, [], "no project was created by a user named admin");
      const team: string[] = [];
      for await (const proj of sh.getProjects({ group: TEAM, sort: "create" })) {
        team.push(String(proj.path));
      }
      assert.ok(team.includes(PROJECT));
      assert.ok(team.every((path) => path.startsWith(`${TEAM}/`)));
    });

    it("sh.getGroups(all, type, sort)", async () => {
      const groups: string[] = [];
      for await (
        const group of api.selfHosted().getGroups({ all: true, type: "TEAM", sort: "name" })
      ) {
        groups.push(group.username);
      }
      assert.deepEqual(groups, [TEAM]);
    });

    it("sh.getUsageSummary()", async () => {
      const result = await api.selfHosted().getUsageSummary();
      assert.equal(result.ok, true);
      assert.equal(result.errmsg, "");
      assert.ok((result.data?.users ?? 0) >= 3);
    });
  });

  describe("ApiResponse", () => {
    it("json() serializes { ok, errmsg, data }", async () => {
      const ok = await api.run(RUN).exportLogs({ rows: 10 });
      assert.deepEqual(Object.keys(ok.json()), ["ok", "errmsg", "data"]);
      assert.equal(ok.json().ok, true);
      const failed = await api.selfHosted().createUser({ username: "newuser", password: "x" });
      assert.deepEqual(
        [failed.json().ok, failed.json().data, failed.errmsg.length > 0],
        [false, null, true],
      );
    });
  });
});
