import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../../src/server/mod.ts";
import type { DatasetRun, LocalServer } from "../../src/server/mod.ts";
import { sendJson, startScriptedServer } from "../_helpers/scripted_server.ts";
import { Transport } from "../../src/core/transport.ts";
import { NotFoundError, ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import {
  downloadMedia,
  fetchMedias,
  type MediaItemJson,
  validateMediaStep,
} from "../../src/metrics/medias.ts";

function refOf(run: DatasetRun): RunRef {
  return {
    projectId: run.projectCuid,
    runId: run.cuid,
    createdAt: run.createdAtSeconds,
    name: run.name,
    ...(run.rootProId ? { rootProId: run.rootProId } : {}),
    ...(run.rootExpId ? { rootExpId: run.rootExpId } : {}),
  };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const KEY = "samples/image";

describe("validateMediaStep", () => {
  it("defaults to 0, keeps null and rejects anything but integers >= 0", () => {
    assert.equal(validateMediaStep(undefined), 0);
    assert.equal(validateMediaStep(null), null);
    assert.equal(validateMediaStep(7), 7);
    for (const bad of [-1, 1.5, "3", NaN]) {
      assert.throws(() => validateMediaStep(bad), ValidationError);
    }
  });
});

describe("fetchMedias against the local server", () => {
  let server: LocalServer;
  let transport: Transport;
  let run: DatasetRun;
  let ref: RunRef;
  before(async () => {
    server = await startServer({ runs: 2, steps: 1000, logLines: 10 });
    transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[1]!;
    ref = refOf(run);
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  const calls = (path: string) => server.requests.filter((r) => r.path === path);

  it("reads step 0 by default with one media request and one presign request", async () => {
    const json = await fetchMedias(transport, ref, [KEY, "nope", KEY]);
    assert.deepEqual(Object.keys(json), [
      "keys",
      "metricType",
      "projectId",
      "experimentId",
      "list",
    ]);
    assert.deepEqual(json.keys, [KEY, "nope", KEY]);
    assert.equal(json.metricType, "MEDIA");
    assert.equal(json.projectId, run.projectCuid);
    assert.equal(json.experimentId, run.cuid);
    const steps = [...server.dataset.mediaSteps];
    assert.equal(json.list.length, 2);
    const [image, nope] = json.list;
    assert.deepEqual(Object.keys(image!), ["key", "metrics", "step", "steps"]);
    assert.equal(image!.step, 0);
    assert.deepEqual(image!.steps, steps);
    assert.equal(image!.metrics.length, 1);
    assert.equal(image!.metrics[0]!.index, 0);
    const items = image!.metrics[0]!.items;
    assert.equal(items.length, server.dataset.imagesPerStep);
    for (const item of items) {
      assert.deepEqual(Object.keys(item), ["url", "caption"]);
      assert.ok(item.url!.startsWith(`${server.storageOrigin}/${run.projectCuid}/${run.cuid}/`));
    }
    assert.deepEqual(nope, { key: "nope", metrics: [], step: 0, steps });
    const [media] = calls("/api/house/metrics/media");
    assert.deepEqual(media!.body, {
      projectId: run.projectCuid,
      columns: [
        { experimentId: run.cuid, key: KEY, createdAt: run.createdAtSeconds },
        { experimentId: run.cuid, key: "nope", createdAt: run.createdAtSeconds },
      ],
      step: 0,
    });
    const presign = calls("/api/resources/presigned/get");
    assert.equal(presign.length, 1);
    assert.equal((presign[0]!.body as { prefix: string }).prefix, `${run.projectCuid}/${run.cuid}`);
  });

  it("omits the step for null and reports the step the server chose", async () => {
    const json = await fetchMedias(transport, ref, [KEY], { step: null });
    assert.equal("step" in (calls("/api/house/metrics/media")[0]!.body as object), false);
    const last = server.dataset.mediaSteps.at(-1)!;
    assert.equal(json.list[0]!.step, last);
    assert.equal(json.list[0]!.metrics[0]!.index, last);
  });

  it("reads every step with all, presigning every path in one request", async () => {
    const json = await fetchMedias(transport, ref, [KEY, "nope"], { all: true, step: 5 });
    assert.deepEqual(json.list[1], { key: "nope", metrics: [] });
    const image = json.list[0]!;
    assert.deepEqual(Object.keys(image), ["key", "metrics"]);
    assert.deepEqual(image.metrics.map((m) => m.index), [...server.dataset.mediaSteps]);
    for (const step of image.metrics) {
      assert.equal(step.items.length, server.dataset.imagesPerStep);
      for (const item of step.items) {
        assert.match(item.url!, new RegExp(`/step${step.index}-\\d\\.png\\?`));
      }
    }
    assert.equal(calls("/api/house/metrics/media").length, 0);
    assert.equal(calls("/api/house/metrics/f_media").length, 1);
    const presign = calls("/api/resources/presigned/get");
    assert.equal(presign.length, 1);
    assert.equal(
      (presign[0]!.body as { paths: string[] }).paths.length,
      server.dataset.mediaSteps.length * server.dataset.imagesPerStep,
    );
  });

  it("gives URLs that download PNG bytes without credentials", async () => {
    const json = await fetchMedias(transport, ref, [KEY], { step: 249 });
    const items: MediaItemJson[] = json.list[0]!.metrics[0]!.items;
    server.clearRequests();
    for (const item of items) {
      const response = await downloadMedia(transport, item.url!);
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
    }
    const downloads = server.requests.filter((r) => r.origin === "storage");
    assert.equal(downloads.length, items.length);
    for (const download of downloads) {
      for (const header of ["cookie", "authorization", "x-swanlab-sdk-version"]) {
        assert.equal(download.headers[header], undefined, header);
      }
    }
  });

  it("presigns a clone's media with its own ids and sends root ids in the colrefs", async () => {
    const { run: clone } = server.dataset.clone;
    const json = await fetchMedias(transport, refOf(clone), [KEY]);
    const [media] = calls("/api/house/metrics/media");
    assert.deepEqual((media!.body as { columns: unknown[] }).columns, [{
      experimentId: clone.cuid,
      key: KEY,
      createdAt: clone.createdAtSeconds,
      rootProId: clone.rootProId,
      rootExpId: clone.rootExpId,
    }]);
    const [presign] = calls("/api/resources/presigned/get");
    assert.equal(
      (presign!.body as { prefix: string }).prefix,
      `${clone.projectCuid}/${clone.cuid}`,
    );
    const url = json.list[0]!.metrics[0]!.items[0]!.url!;
    const bytes = new Uint8Array(await (await downloadMedia(transport, url)).arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
  });

  it("rejects invalid keys and steps before any request", async () => {
    await assert.rejects(fetchMedias(transport, ref, []), ValidationError);
    await assert.rejects(fetchMedias(transport, ref, [KEY], { step: -1 }), ValidationError);
    await assert.rejects(fetchMedias(transport, ref, [KEY], { step: 2.5 }), ValidationError);
    assert.throws(() => validateMediaStep("1"), ValidationError);
    await assert.rejects(downloadMedia(transport, "ftp://x/y"), ValidationError);
    assert.equal(server.requests.length, 0);
  });

  it("throws the server's error instead of returning empty media", async () => {
    await assert.rejects(
      fetchMedias(transport, { ...ref, runId: "cmissing000000000000000000" }, [KEY]),
      NotFoundError,
    );
  });
});

describe("fetchMedias with a scripted server", () => {
  it("lets the presigned url win over a url in the metadata and tolerates short and null answers", async () => {
    const scripted = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") {
        return sendJson(response, 200, {
          sid: "s",
          expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          userInfo: { username: "u", name: "U" },
        });
      }
      if (request.path === "/api/house/metrics/media") {
        return sendJson(response, 200, {
          steps: [0, 5],
          step: 5,
          metrics: [
            null,
            {
              key: "img",
              data: ["a.png", "b.png", "c.png"],
              more: [{ url: "http://evil.example/x", caption: "A" }, null, {
                caption: "C",
                url: "kept",
              }],
            },
          ],
        });
      }
      return sendJson(response, 200, {
        urls: ["https://bucket.example/a.png?sig", "https://bucket.example/b.png?sig"],
      });
    });
    try {
      const transport = await Transport.create({ host: scripted.origin, apiKey: "k", env: {} });
      const ref: RunRef = { projectId: "p", runId: "r", createdAt: 1722470400, name: "" };
      const json = await fetchMedias(transport, ref, ["img"], { step: 5 });
      assert.deepEqual(json.list, [{
        key: "img",
        metrics: [{
          index: 5,
          items: [
            { url: "https://bucket.example/a.png?sig", caption: "A" },
            { url: "https://bucket.example/b.png?sig" },
            { caption: "C", url: "kept" },
          ],
        }],
        step: 5,
        steps: [0, 5],
      }]);
    } finally {
      await scripted.close();
    }
  });
});
