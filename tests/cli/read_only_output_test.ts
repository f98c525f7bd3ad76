/**
 * Output paths in a directory that cannot be written fail before any request with a clear usage
 * error (exit 2) and leave the directory empty: a file (`--save`, `project export --out x.parquet`)
 * and a dataset directory (`project export --out DIR`). The directory is made read-only for the
 * CLI's child process (see `tests/_read_only_dir.ts`); where that is not possible the tests say so
 * and are skipped.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { readOnlyFixture, type ReadOnlyRun, readOnlyRunner } from "../_read_only_dir.ts";

const runner = await readOnlyRunner();
const skip = typeof runner === "string" ? runner : false;

describe("outputs in a directory that cannot be written", { skip }, () => {
  const fixture = readOnlyFixture("swanlab-ts-ro-output-");
  const readOnly = runner as ReadOnlyRun;

  const exportTo = (out: string) => [
    "project",
    "export",
    "vision-lab/resnet-sweep",
    "--keys",
    "lr",
    "--out",
    out,
  ];
  const cases: [string, (dir: string) => string[], RegExp][] = [
    [
      "--save of a command",
      (dir) => ["user", "info", "--save", join(dir, "user.json")],
      /error: Cannot write to ".*user\.json": the directory ".*" is not writable \(E[A-Z]+\)/,
    ],
    [
      "a Parquet file of project export",
      (dir) => exportTo(join(dir, "lr.parquet")),
      /error: Cannot write to ".*lr\.parquet": the directory ".*" is not writable/,
    ],
    [
      "a dataset directory of project export",
      (dir) => exportTo(join(dir, "curves")),
      /error: Cannot write a dataset to ".*curves": the directory ".*" is not writable/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: exit 2 before any request, nothing written`, async () => {
      const dir = join(fixture.tmp, name.replaceAll(/[^a-z]+/g, "-"));
      await mkdir(dir);
      fixture.server.clearRequests();
      const result = await readOnly(dir, args(dir), fixture.env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.deepEqual(fixture.server.requests.map((r) => r.path), []);
      assert.deepEqual(await readdir(dir), []);
    });
  }
});
