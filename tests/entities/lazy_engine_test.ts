import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const root = new URL("../../", import.meta.url);

/** Relative specifiers a module imports for their values (static imports and re-exports). */
function staticImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s+"(\.[^"]+)";?/gms;
  for (const match of source.matchAll(statement)) {
    const [, , typeOnly, clause, specifier] = match;
    if (typeOnly !== undefined) continue;
    // `import { type A, type B } from` brings no value either.
    const names = /^\{([\s\S]*)\}$/.exec(clause!.trim())?.[1]?.split(",").map((n) => n.trim())
      .filter((n) => n !== "");
    if (names !== undefined && names.length > 0 && names.every((n) => n.startsWith("type "))) {
      continue;
    }
    found.push(specifier!);
  }
  for (const match of source.matchAll(/^import\s+"(\.[^"]+)";/gm)) found.push(match[1]!);
  return found;
}

/** Every module `entry` reaches through static value imports (paths from the repository root). */
async function staticClosure(entry: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const stack = [new URL(entry, root)];
  while (stack.length > 0) {
    const url = stack.pop()!;
    const path = url.pathname.slice(root.pathname.length);
    if (seen.has(path)) continue;
    seen.add(path);
    const source = await readFile(url, "utf8");
    for (const specifier of staticImports(source)) stack.push(new URL(specifier, url));
  }
  return seen;
}

/** The metrics engine: loaded by the first metrics call, never by constructing entities. */
const ENGINE = [
  "src/metrics/scan_metrics.ts",
  "src/metrics/scalar_metrics.ts",
  "src/metrics/metric_columns.ts",
  "src/metrics/single_metric.ts",
  "src/metrics/_csv_bytes.ts",
  "src/metrics/_csv_text.ts",
  "src/metrics/_column_collector.ts",
  "src/metrics/_full_points.ts",
  "src/metrics/long_point_columns.ts",
  "src/core/byte_chunk_reader.ts",
  "src/entities/_column_blocks.ts",
  "src/export/metric_table.ts",
  "src/export/table_data.ts",
];

describe("what importing the client evaluates", () => {
  it("finds static imports, and not type-only ones", () => {
    const source = [
      'import { a, type B } from "./a.ts";',
      'import type { C } from "./c.ts";',
      'import { type D, type E } from "./d.ts";',
      'import {\n  f,\n  g,\n} from "./f.ts";',
      'export { h } from "./h.ts";',
      'export type { I } from "./i.ts";',
      'import "./side_effect.ts";',
      'const lazy = () => import("./lazy.ts");',
    ].join("\n");
    assert.deepEqual(staticImports(source).sort(), [
      "./a.ts",
      "./f.ts",
      "./h.ts",
      "./side_effect.ts",
    ]);
  });

  it("leaves the metrics engine to the first metrics call", async () => {
    const closure = await staticClosure("src/entities/api.ts");
    assert.ok(closure.has("src/entities/run.ts") && closure.has("src/core/transport.ts"));
    // What entities check before any request stays static.
    for (const path of ["src/metrics/metric_keys.ts", "src/metrics/range_query.ts"]) {
      assert.ok(closure.has(path), `${path} is checked before requests: it must stay static`);
    }
    for (const path of ENGINE) assert.ok(!closure.has(path), `${path} is loaded at start-up`);
    // …and every engine module is still reachable, through the entities' dynamic imports.
    const all = await staticClosure("mod.ts");
    const dynamic = new Set<string>();
    for (const path of closure) {
      const source = await readFile(new URL(path, root), "utf8");
      for (const match of source.matchAll(/import\("(\.[^"]+)"\)/g)) {
        const url = new URL(match[1]!, new URL(path, root));
        for (const reached of await staticClosure(url.pathname.slice(root.pathname.length))) {
          dynamic.add(reached);
        }
      }
    }
    for (const path of ENGINE.filter((p) => !all.has(p))) {
      assert.ok(dynamic.has(path), `${path} is not reachable from the client at all`);
    }
  });
});
