/**
 * Checks that the package publishes cleanly, without publishing anything:
 *
 * 1. `jsr.json` and `deno.json` agree on name, version, exports and publish excludes.
 * 2. `deno publish --dry-run --allow-dirty` succeeds without warnings (so no slow types), and
 *    ships every export entry, `README.md` and `LICENSE`, and nothing from `tests/`, `bench/`,
 *    `examples/`, `scripts/`, `.ci/` or `testdata/`.
 * 3. `deno pack --dry-run` (the npm tarball) succeeds without warnings, has JavaScript and type
 *    declarations for every export entry, and the same exclusions.
 *
 * Prints each problem on stderr, then one summary line; exits 1 when there is any problem.
 *
 * Usage: `deno run -A scripts/publish_check.ts`
 *
 * @module
 */

/** Folders that must never be published. */
const EXCLUDED = ["tests/", "bench/", "examples/", "scripts/", ".ci/", "testdata/"];
/** Files every published version must carry. */
const REQUIRED = ["README.md", "LICENSE"];

const root = new URL("../", import.meta.url);
const problems: string[] = [];

const deno = await readJson("deno.json");
const jsr = await readJson("jsr.json");
compareConfigs(deno, jsr);
const exports = Object.values(deno["exports"] as Record<string, string>).map(relative);

// 1. JSR: slow types, warnings and the file list.
const publish = await denoCommand(["publish", "--dry-run", "--allow-dirty"]);
if (!publish.success) problems.push(`deno publish --dry-run failed:\n${indent(publish.output)}`);
reportWarnings("deno publish", publish.output);
const published = [...publish.output.matchAll(/^\s+file:\/\/(\S+) \(/gm)].map((m) =>
  relative(decodeURIComponent(m[1]!))
);
if (publish.success) {
  if (published.length === 0) problems.push("deno publish --dry-run listed no files");
  checkContents("deno publish", published, [...exports, ...REQUIRED]);
}

// 2. npm (deno pack): the tarball's contents.
const pack = await denoCommand(["pack", "--dry-run", "--allow-dirty"]);
if (!pack.success) problems.push(`deno pack --dry-run failed:\n${indent(pack.output)}`);
reportWarnings("deno pack", pack.output);
const contentsAt = pack.output.indexOf("Package contents:");
const packed = contentsAt < 0 ? [] : pack.output.slice(contentsAt).split("\n").slice(1)
  .map((line) => /^ {2}(\S.*)$/.exec(line)?.[1])
  .filter((path): path is string => path !== undefined);
if (pack.success) {
  if (packed.length === 0) problems.push("deno pack --dry-run listed no files");
  // Every export needs its JavaScript and its declarations (missing with slow types).
  checkContents("deno pack", packed, [
    "package.json",
    ...REQUIRED,
    ...exports.flatMap((entry) => {
      const base = entry.replace(/\.ts$/, "");
      return [`${base}.js`, `${base}.d.ts`];
    }),
  ]);
}
// Modules outside the public types get no .d.ts ("Could not generate types"): informational.
const untyped = (pack.output.match(/^Could not generate types for /gm) ?? []).length;

for (const problem of problems) console.error(`error: ${problem}`);
const name = `${deno["name"]}@${deno["version"]}`;
if (problems.length > 0) {
  console.log(`publish check: ${problems.length} problem(s) in ${name}`);
  Deno.exit(1);
}
console.log(
  `publish check: ok, ${name}: JSR ${published.length} files, no slow types; ` +
    `npm ${packed.length} files (${untyped} internal modules without .d.ts)`,
);

/** Checks that the two configuration files describe the same package. */
function compareConfigs(a: Record<string, unknown>, b: Record<string, unknown>): void {
  for (const field of ["name", "version", "exports"]) {
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) {
      problems.push(`deno.json and jsr.json disagree on "${field}"`);
    }
  }
  const excludes = (config: Record<string, unknown>): string =>
    JSON.stringify(((config["publish"] as { exclude?: string[] })?.exclude ?? []).toSorted());
  if (excludes(a) !== excludes(b)) {
    problems.push('deno.json and jsr.json disagree on "publish.exclude"');
  }
}

/** Records missing required files and files that must not be published. */
function checkContents(tool: string, files: string[], required: string[]): void {
  const present = new Set(files);
  for (const file of required) {
    if (!present.has(file)) problems.push(`${tool} does not include "${file}"`);
  }
  for (const file of files) {
    if (EXCLUDED.some((folder) => file.startsWith(folder))) {
      problems.push(`${tool} includes "${file}", which must be excluded`);
    }
  }
}

/** Records every warning line a command printed. */
function reportWarnings(tool: string, output: string): void {
  const lines = output.split("\n");
  lines.forEach((line, i) => {
    if (!/\bwarning\b/i.test(line)) return;
    // The one expected warning: the CLI loads its command modules with computed specifiers on
    // purpose (start-up time, see src/cli/lazy_import.ts); they resolve relative to the module.
    const at = lines.slice(i + 1, i + 3).join(" ");
    if (/unanalyzable-dynamic-import/.test(line) && /src\/cli\/lazy_import\.ts:/.test(at)) return;
    problems.push(`${tool}: ${line.trim()}`);
  });
}

/** Runs `deno <args>` in the repository root (`NO_COLOR`); returns its combined output. */
async function denoCommand(args: string[]): Promise<{ success: boolean; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    success: result.success,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(file, root)));
}

/** A path relative to the repository root (`./mod.ts`, `/abs/mod.ts` → `mod.ts`). */
function relative(path: string): string {
  const base = root.pathname;
  if (path.startsWith(base)) return path.slice(base.length);
  return path.replace(/^\.\//, "");
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((line) => `  ${line}`).join("\n");
}
