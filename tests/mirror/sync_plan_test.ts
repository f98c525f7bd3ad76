import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { planSync, type RemoteRun } from "../../src/mirror/sync_plan.ts";
import type { ManifestRun } from "../../src/mirror/mirror_format.ts";

const remote = (over: Partial<RemoteRun> = {}): RemoteRun => ({
  cuid: "c1",
  path: "w/p/s1",
  state: "FINISHED",
  updatedAt: "2024-01-01T00:00:00.000Z",
  summarySha256: "aa",
  ...over,
});
const entry = (over: Partial<ManifestRun> = {}): ManifestRun => ({
  cuid: "c1",
  path: "w/p/s1",
  state: "FINISHED",
  updatedAt: "2024-01-01T00:00:00.000Z",
  summarySha256: "aa",
  media: true,
  document: { file: "runs/w/p/c1/run-0.json", sha256: "00", bytes: 1 },
  points: 10,
  logLines: 2,
  ...over,
});

describe("planSync", () => {
  it("keeps unchanged runs and fetches new ones", () => {
    const steps = planSync(
      [remote(), remote({ cuid: "c2", path: "w/p/s2" })],
      new Map([["c1", entry()]]),
      new Map(),
      true,
    );
    assert.deepEqual(steps.map((s) => [s.cuid, s.action, s.reason]), [
      ["c1", "keep", "unchanged"],
      ["c2", "fetch", "new"],
    ]);
    assert.equal(steps[0]!.entry?.points, 10);
  });

  it("fetches a run whose state, update time, summary or media setting moved", () => {
    const committed = new Map([["c1", entry()]]);
    const reason = (r: RemoteRun, media = true) =>
      planSync([r], committed, new Map(), media)[0]!.reason;
    assert.equal(reason(remote({ state: "RUNNING" })), "state");
    assert.equal(reason(remote({ updatedAt: "2025-01-01T00:00:00.000Z" })), "updated");
    assert.equal(reason(remote({ summarySha256: "bb" })), "points");
    assert.equal(reason(remote(), false), "media");
    assert.equal(reason(remote({ path: "w/p/renamed" })), "updated");
  });

  it("keeps a run an interrupted attempt completed, unless it moved since", () => {
    const journal = new Map([["c1", entry({ summarySha256: "bb" })]]);
    assert.deepEqual(
      planSync([remote({ summarySha256: "bb" })], new Map(), journal, true).map((s) => s.reason),
      ["resumed"],
    );
    assert.deepEqual(
      planSync([remote({ summarySha256: "cc" })], new Map(), journal, true).map((s) => s.reason),
      ["new"],
    );
  });
});
