import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, login, obj, type TestClient } from "./_helpers.ts";

function exportColumn(run: DatasetRun, key: string, name?: string): Record<string, unknown> {
  return {
    ...(name ? { experimentName: name } : {}),
    experimentId: run.cuid,
    key,
    createdAt: run.createdAtSeconds,
  };
}

async function presign(client: TestClient, cosKey: string): Promise<string> {
  const res = await client.post("/files/presigned/get", { paths: [cosKey] });
  assert.equal(res.status, 200);
  return String(arr(obj(res.body).urls)[0]);
}

describe("scalar CSV export and presigned downloads", () => {
  let server: LocalServer;
  let alice: TestClient;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 3, steps: 100, presignTtlMs: 60_000 });
    alice = await login(server);
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
  });
  after(async () => {
    await server.close();
  });

  it("writes the wide layout: header, one row per step, empty cells where a key has no point", async () => {
    const res = await alice.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [
        exportColumn(run, "train/loss", "exp-1"),
        exportColumn(run, "val/loss", "exp-1"),
        exportColumn(run, "nope"),
      ],
    });
    assert.equal(res.status, 200);
    const cosKey = String(obj(res.body).cosKey);
    assert.match(cosKey, /\.csv$/);
    const url = await presign(alice, cosKey);
    assert.ok(url.startsWith(server.storageOrigin + "/"));
    assert.notEqual(server.storageOrigin, server.host);
    const download = await fetch(url);
    assert.equal(download.status, 200);
    const lines = (await download.text()).split("\n");
    assert.equal(lines.at(-1), "");
    lines.pop();
    assert.equal(
      lines[0],
      `step,exp-1-train/loss_step,exp-1-train/loss_timestamp,exp-1-val/loss_step,exp-1-val/loss_timestamp,` +
        `${run.cuid}-nope_step,${run.cuid}-nope_timestamp`,
    );
    assert.equal(lines.length, 1 + 100);
    const rows = lines.slice(1).map((l) => l.split(","));
    assert.deepEqual(rows.map((r) => Number(r[0])), Array.from({ length: 100 }, (_, i) => i));
    for (const r of rows) assert.equal(r.length, 7);
    assert.ok(rows[0]![3] !== "" && rows[1]![3] === "" && rows[1]![4] === "");
    assert.equal(rows[10]![3] !== "", true);
    assert.equal(rows[0]![5], "");
    assert.equal(rows[0]![2], rows[0]![4]);
    assert.match(rows[0]![2]!, /^\d{13}$/);
  });

  it("matches the sampled series point for point (values, NaN, timestamps)", async () => {
    const big = await startServer({ runs: 1, steps: 1200 });
    try {
      const client = await login(big);
      const r = big.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
      const sampled = await client.post("/house/metrics/scalar", {
        projectId: r.projectCuid,
        xType: "step",
        range: [0, 0],
        columns: [{ experimentId: r.cuid, key: "train/loss", createdAt: r.createdAtSeconds }],
        num: 1500,
      });
      const points = arr(obj(arr(sampled.body)[0]).metrics).map((p) => obj(p));
      const exp = await client.post("/house/metrics/scalar/export", {
        projectId: r.projectCuid,
        columns: [exportColumn(r, "train/loss", "e")],
      });
      const csv = await (await fetch(await presign(client, String(obj(exp.body).cosKey)))).text();
      const rows = csv.trim().split("\n").slice(1).map((l) => l.split(","));
      assert.equal(rows.length, points.length);
      rows.forEach((row, i) => {
        const p = points[i]!;
        assert.equal(Number(row[0]), p.index);
        assert.equal(Number(row[2]), p.timestamp);
        if (typeof p.data === "string") assert.equal(row[1], p.data);
        else assert.equal(Number(row[1]), p.data);
      });
      assert.ok(rows.some((row) => row[1] === "NaN") && rows.some((row) => row[1] === "INF"));
    } finally {
      await big.close();
    }
  });

  it("rejects forged, tampered and unsigned URLs with 403", async () => {
    const res = await alice.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [exportColumn(run, "lr", "e")],
    });
    const url = new URL(await presign(alice, String(obj(res.body).cosKey)));
    const forged = new URL(url);
    const sig = forged.searchParams.get("X-Signature")!;
    forged.searchParams.set("X-Signature", (sig[0] === "a" ? "b" : "a") + sig.slice(1));
    const extended = new URL(url);
    extended.searchParams.set("X-Expires", String(Number(url.searchParams.get("X-Expires")) + 1));
    const other = new URL(url);
    other.pathname = other.pathname.replace(/\.csv$/, "x.csv");
    for (const u of [forged, extended, other, new URL(url.origin + url.pathname)]) {
      const r = await fetch(u);
      assert.equal(r.status, 403, u.href);
      await r.body?.cancel();
    }
    const ok = await fetch(url);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });

  it("rejects expired URLs with 403", async () => {
    const short = await startServer({ runs: 1, steps: 10, presignTtlMs: 30 });
    try {
      const client = await login(short);
      const r = short.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
      const res = await client.post("/house/metrics/scalar/export", {
        projectId: r.projectCuid,
        columns: [exportColumn(r, "lr", "e")],
      });
      const url = await presign(client, String(obj(res.body).cosKey));
      await new Promise((done) => setTimeout(done, 60));
      const expired = await fetch(url);
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /expired/);
    } finally {
      await short.close();
    }
  });

  it("records the headers storage received, proving no credential reached it", async () => {
    server.clearRequests();
    const res = await alice.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [exportColumn(run, "lr", "e")],
    });
    const url = await presign(alice, String(obj(res.body).cosKey));
    const r = await fetch(url, { headers: { "x-probe": "1" } });
    await r.text();
    const storage = server.requests.filter((q) => q.origin === "storage");
    assert.equal(storage.length, 1);
    assert.equal(storage[0]!.headers["x-probe"], "1");
    assert.equal("cookie" in storage[0]!.headers, false);
    assert.equal("authorization" in storage[0]!.headers, false);
    assert.match(storage[0]!.query, /X-Signature=/);
    const api = server.requests.filter((q) => q.origin === "api");
    assert.equal(api.length, 2);
    assert.equal(api[0]!.headers.cookie, `sid=${alice.sid}`);
    assert.equal(obj(api[0]!.body).projectId, run.projectCuid);
  });

  it("validates export and presign bodies (400) and unknown files (404)", async () => {
    const bad = await alice.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [{ experimentId: run.cuid, key: "lr" }],
    });
    assert.equal(bad.status, 400);
    assert.equal((await alice.post("/files/presigned/get", { path: ["x"] })).status, 400);
    assert.equal(
      (await alice.post("/files/presigned/get", { paths: ["exports/none.csv"] })).status,
      404,
    );
  });
});

describe("export cache (exportCacheBytes)", () => {
  let server: LocalServer;
  let alice: TestClient;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 2, steps: 2_000, exportCacheBytes: 1 << 20 });
    alice = await login(server);
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
  });
  after(() => server.close());

  const download = async (key: string, name?: string) => {
    const res = await alice.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [exportColumn(run, key, name)],
    });
    const response = await fetch(await presign(alice, String(obj(res.body).cosKey)));
    return { length: response.headers.get("content-length"), text: await response.text() };
  };

  it("serves a repeated identical export from memory with the same bytes", async () => {
    const first = await download("train/loss", "a");
    assert.equal(first.length, null, "the first export is generated and streamed");
    const second = await download("train/loss", "a");
    assert.equal(second.text, first.text);
    assert.equal(second.length, String(new TextEncoder().encode(first.text).length));
  });

  it("does not serve a different export from the cache", async () => {
    const loss = await download("train/loss", "a");
    const renamed = await download("train/loss", "b");
    assert.notEqual(renamed.text, loss.text);
    assert.ok(renamed.text.startsWith("step,b-train/loss_step"));
  });

  it("is off by default: exports always stream", async () => {
    const plain = await startServer({ runs: 1, steps: 100 });
    try {
      const client = await login(plain);
      const only = plain.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
      for (let i = 0; i < 2; i++) {
        const res = await client.post("/house/metrics/scalar/export", {
          projectId: only.projectCuid,
          columns: [exportColumn(only, "lr")],
        });
        const response = await fetch(await presign(client, String(obj(res.body).cosKey)));
        assert.equal(response.headers.get("content-length"), null);
        await response.body?.cancel();
      }
    } finally {
      await plain.close();
    }
  });
});
