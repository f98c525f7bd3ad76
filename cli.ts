/**
 * The `swanlab-ts` command line: query SwanLab workspaces, projects, runs, metrics, media and
 * logs from a terminal or a script. A drop-in for the Python `swanlab api …` commands (the same
 * JSON envelope when piped), plus charts, downloads, `login`, a local `serve`r and a `demo`.
 *
 * Runs on Deno, Bun and Node. This entry only reads the arguments, runs {@linkcode run} and sets
 * the exit code; `run` and the process I/O are exported for embedding and tests.
 *
 * @example Run it
 * ```sh
 * deno run -A jsr:@swanlab-ts/api/cli demo
 * deno run -A jsr:@swanlab-ts/api/cli run metrics alice/mnist-baseline/abc12345 --keys loss --plot
 * ```
 *
 * @example Embed it
 * ```ts ignore
 * import { processIo, run } from "@swanlab-ts/api/cli";
 *
 * const code = await run(["user", "info", "--json"], processIo());
 * ```
 *
 * @module
 */

import { isMainModule, processArgs, processIo, setExitCode } from "./src/cli/io.ts";
import { run } from "./src/cli/main.ts";

export { isMainModule, processArgs, processIo, setExitCode } from "./src/cli/io.ts";
export type { CliIo, CliReader, CliTty, CliWriter } from "./src/cli/io.ts";
export { run } from "./src/cli/main.ts";

if (isMainModule(import.meta)) setExitCode(await run(processArgs(), processIo()));
