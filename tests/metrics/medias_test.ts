import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sendJson } from "../_helpers/scripted_server.ts";
import { refOf, useMetricsServer, withScriptedHouse } from "../_helpers/metrics_fixture.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";
import { NotFoundError, ValidationError } from "../../src/core/errors.ts";
import {
  downloadMedia,
  fetchMedias,
  type MediaItemJson,
  validateMediaStep,
} from "../../src/metrics/medias.ts";

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
  const fx = useMetricsServer({ runs: 2, steps: 1000, logLines: 10 }, 1);

  const calls = (path: string) => fx.server.requests.filter((r) => r.path === path);

  it("reads step 0 by default with one media request and one presign request", async () => {
    const json = await fetchMedias(fx.transport, fx.ref, [KEY, "nope", KEY]);
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.metrics);
    assert.deepEqual(json.keys, [KEY, "nope", KEY]);
    assert.equal(json.metricType, "MEDIA");
    assert.equal(json.projectId, fx.run.projectCuid);
    assert.equal(json.experimentId, fx.run.cuid);
    const steps = [...fx.server.dataset.mediaSteps];
    assert.equal(json.list.length, 2);
    const [image, nope] = json.list;
    assert.deepEqual(Object.keys(image!), ["key", "metrics", "step", "steps"]);
    assert.equal(image!.step, 0);
    assert.deepEqual(image!.steps, steps);
    assert.equal(image!.metrics.length, 1);
    assert.equal(image!.metrics[0]!.index, 0);
    const items = image!.metrics[0]!.items;
    assert.equal(items.length, fx.server.dataset.imagesPerStep);
    for (const item of items) {
      assert.deepEqual(Object.keys(item), ["url", "caption"]);
      assert.ok(
        item.url!.startsWith(`${fx.server.storageOrigin}/${fx.run.projectCuid}/${fx.run.cuid}/`),
      );
    }
    assert.deepEqual(nope, { key: "nope", metrics: [], step: 0, steps });
    const [media] = calls("/api/house/metrics/media");
    assert.deepEqual(media!.body, {
      projectId: fx.run.projectCuid,
      columns: [
        { experimentId: fx.run.cuid, key: KEY, createdAt: fx.run.createdAtSeconds },
        { experimentId: fx.run.cuid, key: "nope", createdAt: fx.run.createdAtSeconds },
      ],
      step: 0,
    });
    const presign = calls("/api/resources/presigned/get");
    assert.equal(presign.length, 1);
    assert.equal(
      (presign[0]!.body as { prefix: string }).prefix,
      `${fx.run.projectCuid}/${fx.run.cuid}`,
    );
  });

  it("omits the step for null and reports the step the server chose", async () => {
    const json = await fetchMedias(fx.transport, fx.ref, [KEY], { step: null });
    assert.equal("step" in (calls("/api/house/metrics/media")[0]!.body as object), false);
    const last = fx.server.dataset.mediaSteps.at(-1)!;
    assert.equal(json.list[0]!.step, last);
    assert.equal(json.list[0]!.metrics[0]!.index, last);
  });

  it("reads every step with all, presigning every path in one request", async () => {
    const json = await fetchMedias(fx.transport, fx.ref, [KEY, "nope"], { all: true, step: 5 });
    assert.deepEqual(json.list[1], { key: "nope", metrics: [] });
    const image = json.list[0]!;
    assert.deepEqual(Object.keys(image), ["key", "metrics"]);
    assert.deepEqual(image.metrics.map((m) => m.index), [...fx.server.dataset.mediaSteps]);
    for (const step of image.metrics) {
      assert.equal(step.items.length, fx.server.dataset.imagesPerStep);
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
      fx.server.dataset.mediaSteps.length * fx.server.dataset.imagesPerStep,
    );
  });

  it("gives URLs that download PNG bytes without credentials", async () => {
    const json = await fetchMedias(fx.transport, fx.ref, [KEY], { step: 249 });
    const items: MediaItemJson[] = json.list[0]!.metrics[0]!.items;
    fx.server.clearRequests();
    for (const item of items) {
      const response = await downloadMedia(fx.transport, item.url!);
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
    }
    const downloads = fx.server.requests.filter((r) => r.origin === "storage");
    assert.equal(downloads.length, items.length);
    for (const download of downloads) {
      for (const header of ["cookie", "authorization", "x-swanlab-sdk-version"]) {
        assert.equal(download.headers[header], undefined, header);
      }
    }
  });

  it("presigns a clone's media with its own ids and sends root ids in the colrefs", async () => {
    const { run: clone } = fx.server.dataset.clone;
    const json = await fetchMedias(fx.transport, refOf(clone), [KEY]);
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
    const bytes = new Uint8Array(await (await downloadMedia(fx.transport, url)).arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
  });

  it("rejects invalid keys and steps before any request", async () => {
    await assert.rejects(fetchMedias(fx.transport, fx.ref, []), ValidationError);
    await assert.rejects(fetchMedias(fx.transport, fx.ref, [KEY], { step: -1 }), ValidationError);
    await assert.rejects(fetchMedias(fx.transport, fx.ref, [KEY], { step: 2.5 }), ValidationError);
    assert.throws(() => validateMediaStep("1"), ValidationError);
    await assert.rejects(downloadMedia(fx.transport, "ftp://x/y"), ValidationError);
    assert.equal(fx.server.requests.length, 0);
  });

  it("throws the server's error instead of returning empty media", async () => {
    await assert.rejects(
      fetchMedias(fx.transport, { ...fx.ref, runId: "cmissing000000000000000000" }, [KEY]),
      NotFoundError,
    );
  });
});

describe("fetchMedias with a scripted server", () => {
  it("lets the presigned url win over a url in the metadata and tolerates short and null answers", async () => {
    await withScriptedHouse((request, response) => {
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
    }, async (transport, ref) => {
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
    });
  });
});
