import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("media metrics", () => {
  let server: LocalServer;
  let alice: TestClient;
  let run: DatasetRun;
  let ref: Record<string, unknown>;
  before(async () => {
    server = await startServer({ runs: 3, steps: 101 });
    alice = await login(server);
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[2]!;
    ref = { experimentId: run.cuid, key: "samples/image", createdAt: run.createdAtSeconds };
  });
  after(async () => {
    await server.close();
  });

  it("lists media keys and availability", async () => {
    const exp = {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      createdAt: run.createdAtSeconds,
    };
    const keys = await alice.post("/house/metrics/media/keys", {
      experiments: [exp],
      limit: 2000,
      cursor: "",
    });
    assert.deepEqual(keys.body, { keys: ["samples/image"], hasMore: false, nextCursor: "" });
    const avail = await alice.post("/house/metrics/media/availability", {
      keys: ["samples/image", "train/loss"],
      experiments: [exp],
    });
    assert.deepEqual(avail.body, { "samples/image": [run.cuid], "train/loss": [] });
    assert.equal(
      (await alice.post("/house/metrics/media/keys", { experiments: [exp] })).status,
      400,
    );
  });

  it("POST /house/metrics/media returns steps, the chosen step and entries with captions", async () => {
    assert.deepEqual(server.dataset.mediaSteps, [0, 25, 50, 75, 100]);
    const at = await alice.post("/house/metrics/media", {
      projectId: run.projectCuid,
      columns: [ref, { ...ref, key: "nope" }],
      step: 50,
    });
    assert.equal(at.status, 200);
    const body = obj(at.body);
    assert.deepEqual(body.steps, [0, 25, 50, 75, 100]);
    assert.equal(body.step, 50);
    const [entry, missing] = arr(body.metrics);
    assert.equal(missing, null);
    assert.equal(obj(entry).key, "samples/image");
    assert.equal(arr(obj(entry).data).length, 2);
    assert.match(String(obj(arr(obj(entry).more)[0]).caption), /step 50/);
    const latest = obj(
      (await alice.post("/house/metrics/media", { projectId: run.projectCuid, columns: [ref] }))
        .body,
    );
    assert.equal(latest.step, 100);
    const nearest = obj(
      (await alice.post("/house/metrics/media", {
        projectId: run.projectCuid,
        columns: [ref],
        step: 30,
      })).body,
    );
    assert.equal(nearest.step, 25);
    const none = obj(
      (await alice.post("/house/metrics/media", {
        projectId: run.projectCuid,
        columns: [{ ...ref, key: "x" }],
      }))
        .body,
    );
    assert.deepEqual(none, { steps: [], step: null, metrics: null });
    const bad = await alice.post("/house/metrics/media", {
      projectId: run.projectCuid,
      columns: [ref],
      step: -1,
    });
    assert.equal(bad.status, 400);
  });

  it("POST /house/metrics/f_media returns every step of every key (null for absent keys)", async () => {
    const res = await alice.post("/house/metrics/f_media", {
      projectId: run.projectCuid,
      columns: [ref, { ...ref, key: "nope" }],
    });
    assert.equal(res.status, 200);
    const [series, missing] = arr(res.body);
    assert.equal(missing, null);
    const items = arr(obj(series).metrics).map((m) => obj(m));
    assert.deepEqual(items.map((m) => m.index), [0, 25, 50, 75, 100]);
    assert.equal(arr(items[0]!.data).length, 2);
    assert.equal(arr(items[0]!.more).length, 2);
    assert.equal(
      (await alice.post("/house/metrics/f_media", {
        projectId: run.projectCuid,
        columns: [ref],
        step: 1,
      })).status,
      400,
    );
  });

  it("presigns media under <projectCuid>/<runCuid> and serves real PNGs without credentials", async () => {
    const entry = obj(
      arr(
        obj(
          (await alice.post("/house/metrics/media", {
            projectId: run.projectCuid,
            columns: [ref],
            step: 0,
          })).body,
        ).metrics,
      )[0],
    );
    const paths = arr(entry.data).map(String);
    const res = await alice.post("/resources/presigned/get", {
      prefix: `${run.projectCuid}/${run.cuid}`,
      paths,
    });
    assert.equal(res.status, 200);
    const urls = arr(obj(res.body).urls).map(String);
    assert.equal(urls.length, paths.length);
    const bytes: Uint8Array[] = [];
    for (const url of urls) {
      assert.ok(url.startsWith(`${server.storageOrigin}/${run.projectCuid}/${run.cuid}/media/`));
      const png = await fetch(url);
      assert.equal(png.status, 200);
      assert.equal(png.headers.get("content-type"), "image/png");
      const b = new Uint8Array(await png.arrayBuffer());
      assert.deepEqual([...b.subarray(0, 8)], PNG_MAGIC);
      bytes.push(b);
    }
    assert.notDeepEqual(bytes[0], bytes[1]);
    const again = new Uint8Array(await (await fetch(urls[0]!)).arrayBuffer());
    assert.deepEqual(again, bytes[0]);
  });

  it("serves the same bytes for the same seed", async () => {
    const other = await startServer({ runs: 3, steps: 101 });
    try {
      const client = await login(other);
      const r = other.dataset.projects["vision-lab/resnet-sweep"]!.runs[2]!;
      assert.equal(r.cuid, run.cuid);
      const prefix = `${r.projectCuid}/${r.cuid}`;
      const path = "media/samples/image/step25-1.png";
      const u1 = String(
        arr(
          obj((await client.post("/resources/presigned/get", { prefix, paths: [path] })).body).urls,
        )[0],
      );
      const u2 = String(
        arr(
          obj((await alice.post("/resources/presigned/get", { prefix, paths: [path] })).body).urls,
        )[0],
      );
      const [b1, b2] = await Promise.all(
        [u1, u2].map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())),
      );
      assert.deepEqual(b1, b2);
    } finally {
      await other.close();
    }
  });

  it("rejects bad prefixes (400), unknown paths (404) and private runs for carol (404)", async () => {
    assert.equal(
      (await alice.post("/resources/presigned/get", { prefix: run.cuid, paths: [] })).status,
      400,
    );
    const unknown = await alice.post("/resources/presigned/get", {
      prefix: `${run.projectCuid}/${run.cuid}`,
      paths: ["media/samples/image/step1-0.png"],
    });
    assert.equal(unknown.status, 404);
    const carol = await login(server, keyOf(server, "carol"));
    const hidden = server.dataset.projects["alice/scratch"]!.runs[0]!;
    const res = await carol.post("/resources/presigned/get", {
      prefix: `${hidden.projectCuid}/${hidden.cuid}`,
      paths: ["media/samples/image/step0-0.png"],
    });
    assert.equal(res.status, 404);
  });
});
