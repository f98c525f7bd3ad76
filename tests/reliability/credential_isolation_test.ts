/**
 * Credentials never leave for a host other than the API host, proven from the servers' own
 * records: presigned downloads carry nothing, a key stored for one host is never sent to another.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, CredentialsError } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";

const CREDENTIAL_HEADERS = ["cookie", "authorization", "x-swanlab-sdk-version"];

describe("credential isolation", () => {
  let a: LocalServer;
  let b: LocalServer;
  let dir: string;
  before(async () => {
    [a, b] = await Promise.all([startServer({ seed: 1 }), startServer({ seed: 2 })]);
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-iso-"));
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("sends no cookie, authorization or SDK header to object storage for CSV, log and media downloads (api.download included)", async () => {
    a.clearRequests();
    const api = new Api({ host: a.host, apiKey: a.apiKey, env: {} });
    const run = api.run(a.dataset.projects["alice/mnist-baseline"]!.runs[0]!.path);
    const full = await run.metrics(["train/loss"], { all: true });
    assert.ok(full.list[0]!.metrics.length > 0);
    const logs = await run.exportLogs({ rows: 10 });
    assert.ok(logs.ok);
    const logText = await (await api.download(logs.data!.url)).text();
    assert.ok(logText.length > 0);
    const medias = await run.medias(["samples/image"], { step: 0 });
    const url = (medias.list[0]!.metrics[0]!.items[0] as { url: string }).url;
    const png = new Uint8Array(await (await api.download(url)).arrayBuffer());
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"

    const storage = a.requests.filter((r) => r.origin === "storage");
    assert.ok(storage.length >= 1, "the CSV download reached storage");
    for (const request of storage) {
      for (const header of CREDENTIAL_HEADERS) {
        assert.equal(
          request.headers[header],
          undefined,
          `${header} reached storage on ${request.path}`,
        );
      }
    }
    // And the API origin did get the session cookie (so the check above is not vacuous).
    assert.ok(
      a.requests.some((r) => r.origin === "api" && r.headers["cookie"]?.startsWith("sid=")),
    );
  });

  it("never sends a key stored in .netrc for host A to host B", async () => {
    await writeFile(
      join(dir, ".netrc"),
      `machine ${a.host}\n\tlogin ${a.host}\n\tpassword ${a.apiKey}\n`,
    );
    b.clearRequests();
    const api = new Api({ host: b.host, env: { SWANLAB_ROOT: dir, HOME: dir }, cwd: dir });
    await assert.rejects(api.user().json(), CredentialsError);
    assert.equal(b.requests.length, 0, "host B received a request");

    // The same .netrc works for host A itself.
    const own = new Api({ host: a.host, env: { SWANLAB_ROOT: dir, HOME: dir }, cwd: dir });
    assert.equal((await own.user().json()).username, "alice");
  });

  it("never sends SWANLAB_API_KEY bound to host A to an explicit host B", async () => {
    b.clearRequests();
    const api = new Api({
      host: b.host,
      env: { SWANLAB_API_KEY: a.apiKey, SWANLAB_API_HOST: a.host, SWANLAB_ROOT: dir, HOME: dir },
      cwd: dir,
    });
    await assert.rejects(api.user().json(), CredentialsError);
    assert.equal(b.requests.length, 0);
  });
});
