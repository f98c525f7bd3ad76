/**
 * The whole quality gate, as CI and `deno task ci` run it: dependencies (`deno install`), format,
 * lint, types, generated-code freshness, doc lint, the README's examples, every test under Deno
 * and under Bun, the packed package under Node 20, the JSR publish dry run and a single-binary
 * smoke test. Each step runs even when an earlier one failed, so one run shows every problem; the
 * last line is `total: N passed, N failed` (checks and tests).
 *
 * @module
 */

import { npmImports } from "./_npm_imports.ts";

interface Step {
  name: string;
  command: string[];
  /** Parses test counts out of the step's JUnit report. */
  junit?: string;
  /** Parses test counts out of the step's last `N passed, N failed` line. */
  counts?: boolean;
  env?: Record<string, string>;
}

const junitPath = await Deno.makeTempFile({ suffix: ".xml" });
const deno = Deno.execPath();

/**
 * `--reload=npm:a,npm:b,…`: the npm packages `deno.json` imports, whose registry metadata
 * `deno install` then fetches again and keeps (a fraction of a second; their tarballs stay).
 */
async function reloadImportedPackages(): Promise<string> {
  const imports = await npmImports(new URL("../", import.meta.url));
  const names = new Set(imports.map(({ name }) => `npm:${name}`));
  return `--reload=${[...names].sort().join(",")}`;
}

const steps: Step[] = [
  // First, and with the imported packages' metadata fetched again: a cache that `deno check` or
  // `deno run` filled lacks it (a later plain `deno install` does not add it), and Deno 2.9 then
  // fetches it from the registry at every start of every process the tests spawn, never
  // keeping it.
  { name: "dependencies", command: [deno, "install", await reloadImportedPackages()] },
  { name: "format", command: [deno, "fmt", "--check"] },
  { name: "lint", command: [deno, "lint"] },
  { name: "generated code is fresh", command: [deno, "task", "--quiet", "gen:check"] },
  { name: "type check", command: [deno, "task", "--quiet", "check"] },
  { name: "doc lint", command: [deno, "task", "--quiet", "doc-lint"] },
  { name: "README snippets run", command: [deno, "run", "-A", "scripts/readme_check.ts"] },
  {
    name: "tests (deno)",
    command: [deno, "test", "-A", "--parallel", `--junit-path=${junitPath}`, "tests/"],
    junit: junitPath,
  },
  {
    name: "JSR publish dry run and npm pack",
    command: [deno, "run", "-A", "scripts/publish_check.ts"],
  },
  { name: "tests (bun)", command: [deno, "run", "-A", "scripts/test_bun.ts"], counts: true },
  {
    name: "Node 20: packed package against the local server",
    command: [deno, "run", "-A", "scripts/test_node.ts"],
    counts: true,
  },
  {
    name: "single binary (bun build --compile)",
    command: [deno, "run", "-A", "scripts/compile_smoke.ts"],
    counts: true,
  },
];

const only = Deno.args;
let passed = 0;
let failed = 0;
const failures: string[] = [];

for (const step of steps) {
  if (only.length > 0 && !only.some((name) => step.name.includes(name))) continue;
  console.log(`\n==> ${step.name}: ${step.command.slice(1).join(" ")}`);
  const started = performance.now();
  const [program, ...args] = step.command;
  const child = new Deno.Command(program!, {
    args,
    stdout: step.counts ? "piped" : "inherit",
    stderr: "inherit",
    env: { NO_COLOR: "1", ...step.env },
  }).spawn();
  let output = "";
  if (step.counts) {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      await Deno.stdout.write(new TextEncoder().encode(chunk));
    }
  }
  const status = await child.status;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (step.junit) {
    const counts = await junitCounts(step.junit);
    passed += counts.passed;
    failed += counts.failed;
    console.log(
      `<== ${step.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds} s)`,
    );
    if (!status.success && counts.failed === 0) {
      failed++;
      failures.push(`${step.name} (exit ${status.code})`);
    } else if (counts.failed > 0) {
      failures.push(`${step.name} (${counts.failed} failed)`);
    }
  } else if (step.counts) {
    const line = [...output.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
    const counts = { passed: Number(line?.[1] ?? 0), failed: Number(line?.[2] ?? 0) };
    if (!status.success && counts.failed === 0) counts.failed = 1;
    passed += counts.passed;
    failed += counts.failed;
    if (counts.failed > 0) failures.push(`${step.name} (${counts.failed} failed)`);
    console.log(
      `<== ${step.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds} s)`,
    );
  } else if (status.success) {
    passed++;
    console.log(`<== ${step.name}: ok (${seconds} s)`);
  } else {
    failed++;
    failures.push(step.name);
    console.log(`<== ${step.name}: FAILED (exit ${status.code}, ${seconds} s)`);
  }
}

await Deno.remove(junitPath).catch(() => {});
if (failures.length > 0) console.log(`\nFailed: ${failures.join(", ")}`);
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);

async function junitCounts(path: string): Promise<{ passed: number; failed: number }> {
  let xml: string;
  try {
    xml = await Deno.readTextFile(path);
  } catch {
    return { passed: 0, failed: 0 };
  }
  // Count leaf test cases: Deno writes one <testcase> per test and per node:test `it` step.
  const cases = xml.match(/<testcase\b[^>]*?(\/>|>[\s\S]*?<\/testcase>)/g) ?? [];
  let failedCases = 0;
  let skipped = 0;
  for (const testCase of cases) {
    if (/<failure\b|<error\b/.test(testCase)) failedCases++;
    else if (/<skipped\b/.test(testCase)) skipped++;
  }
  return { passed: cases.length - failedCases - skipped, failed: failedCases };
}
