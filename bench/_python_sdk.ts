/**
 * The official Python SDK for `deno task bench --python-sdk DIR` (not in CI): writes the same
 * import overlay as `scripts/python_sdk_compat.ts` for the SDK source tree `DIR` into a
 * temporary directory and runs `bench/python_workload.py` and the SDK's `swanlab api` CLI with
 * it. Nothing is installed and nothing is written into `DIR`; the SDK's own dependencies
 * (`requests`, `pydantic`, `click`, …) must be importable by the chosen Python.
 *
 * @module
 */

import type { Measurement } from "./_measure.ts";
import { stubFiles } from "../scripts/python_sdk_compat.ts";

/** A prepared SDK: runs workloads and CLI commands. */
export interface PythonSdk {
  /** Runs one workload of `bench/python_workload.py` in a fresh process. */
  workload(name: string, host: string, apiKey: string): Promise<Measurement>;
  /** The command line of the SDK's CLI (`swanlab api <args>`) as a program and arguments. */
  cli(args: string[]): { program: string; args: string[]; env: Record<string, string> };
  /** Removes the temporary directory. */
  close(): Promise<void>;
}

/**
 * Prepares the overlay and checks that the SDK imports.
 *
 * @param sdk The SDK source tree (the directory that holds `swanlab/`).
 * @param python The Python executable.
 * @returns The prepared SDK.
 * @throws {Error} When the SDK cannot be imported (a missing dependency, a wrong directory).
 */
export async function preparePythonSdk(sdk: string, python: string): Promise<PythonSdk> {
  const tmp = await Deno.makeTempDir({ prefix: "swanlab-bench-py-" });
  const overlay = `${tmp}/overlay`;
  for (const [path, text] of Object.entries(stubFiles(sdk))) {
    await Deno.mkdir(`${overlay}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${overlay}/${path}`, text);
  }
  const script = `${tmp}/python_workload.py`;
  await Deno.copyFile(new URL("./python_workload.py", import.meta.url), script);
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    PYTHONPATH: overlay,
    PYTHONDONTWRITEBYTECODE: "1",
    HOME: tmp,
    SWANLAB_ROOT: tmp,
    NO_COLOR: "1",
  };
  const probe = await new Deno.Command(python, {
    args: ["-c", "import swanlab.api, swanlab.cli.api"],
    env,
    clearEnv: true,
    cwd: tmp,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!probe.success) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(
      `Cannot import the Python SDK from ${sdk}: ${new TextDecoder().decode(probe.stderr).trim()}`,
    );
  }
  return {
    async workload(name, host, apiKey) {
      const output = await new Deno.Command(python, {
        args: [script, name, host, apiKey],
        env,
        clearEnv: true,
        cwd: tmp,
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (!output.success) throw new Error(`python workload ${name} failed`);
      const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
      return JSON.parse(lines.at(-1)!) as Measurement;
    },
    cli(args) {
      const code =
        "import sys\nfrom swanlab.cli.api import api_cli\napi_cli(sys.argv[1:], prog_name='swanlab api')";
      return { program: python, args: ["-c", code, ...args], env };
    },
    async close() {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    },
  };
}
