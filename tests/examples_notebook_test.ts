/**
 * The example notebook (`examples/analyse_project.ipynb`): valid nbformat 4 for the Deno kernel,
 * and its code cells, run in order as one program (CI cannot run Jupyter), succeed against the
 * local server the notebook starts itself. The display methods the notebook relies on are tested
 * in `tests/entities/runs_table_test.ts` and `tests/entities/runs_metrics_scan_test.ts`.
 *
 * Deno only: the notebook is a Deno program.
 *
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const ROOT = new URL("../", import.meta.url);
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

interface Cell {
  cell_type: string;
  source: string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
}

describe("examples/analyse_project.ipynb", { skip: !isDeno }, () => {
  it("is an nbformat 4 notebook for the Deno kernel whose code runs", async () => {
    const notebook = JSON.parse(
      await readFile(new URL("examples/analyse_project.ipynb", ROOT), "utf8"),
    ) as { nbformat: number; metadata: { kernelspec: { name: string } }; cells: Cell[] };
    assert.equal(notebook.nbformat, 4);
    assert.equal(notebook.metadata.kernelspec.name, "deno");
    const code = notebook.cells.filter((c) => c.cell_type === "code");
    assert.ok(code.length >= 4);
    for (const cell of notebook.cells) {
      assert.ok(["code", "markdown"].includes(cell.cell_type));
      assert.ok(Array.isArray(cell.source) && cell.source.length > 0);
      if (cell.cell_type === "code") assert.deepEqual(cell.outputs, []);
    }

    const program = code.map((c) => c.source.join("")).join("\n");
    const dir = await Deno.makeTempDir({ prefix: "swanlab-ts-notebook-" });
    try {
      await Deno.writeTextFile(`${dir}/notebook.ts`, program);
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", new URL("deno.json", ROOT).pathname, `${dir}/notebook.ts`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      assert.match(stdout, /^\d+ points, \d+ bytes in .*curves\.parquet$/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
