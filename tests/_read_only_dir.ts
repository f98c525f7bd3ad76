/**
 * Runs the CLI in a child process with a directory made read-only for it: by its mode for a user
 * other than root, or, for root (whom modes do not stop), by a read-only bind mount in a user
 * namespace (`unshare -rm`). Shared by the tests of unwritable outputs.
 *
 * @module
 */

import { after, before } from "node:test";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalServer, startServer } from "../src/server/mod.ts";
import { serverEnv } from "./cli/_helpers.ts";

/** The CLI entry of this checkout. */
export const CLI: string = new URL("../cli.ts", import.meta.url).pathname;

/** Runs the CLI with `dir` read-only for it. */
export type ReadOnlyRun = (
  dir: string,
  args: string[],
  env: Record<string, string>,
) => Promise<{ code: number; stderr: string }>;

/** Runs a program to its end; its exit code and stderr. */
export async function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(command, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

/** The way this machine can run the CLI with a read-only directory, or why it cannot. */
export async function readOnlyRunner(): Promise<ReadOnlyRun | string> {
  if (Deno.build.os !== "linux") return "needs Linux";
  const deno = Deno.execPath();
  if (Deno.uid() !== 0) {
    return async (dir, args, env) => {
      await chmod(dir, 0o555);
      try {
        return await runCommand(deno, ["run", "-A", CLI, ...args], env);
      } finally {
        await chmod(dir, 0o755);
      }
    };
  }
  const probe = await runCommand("unshare", ["-rm", "true"], {}).catch(() => undefined);
  if (probe?.code !== 0) return "running as root without user namespaces (unshare -rm)";
  return (dir, args, env) =>
    runCommand("unshare", [
      "-rm",
      "sh",
      "-c",
      'mount --bind -o ro "$0" "$0" && exec "$@"',
      dir,
      deno,
      "run",
      "-A",
      CLI,
      ...args,
    ], env);
}

/** What a suite of read-only tests shares: a local server, a temporary directory, the CLI's env. */
export interface ReadOnlyFixture {
  /** The local server (2 runs per project, 50 steps). */
  readonly server: LocalServer;
  /** A temporary directory, removed after the suite. */
  readonly tmp: string;
  /** The CLI's environment: the server's host and key, no colour, the PATH. */
  readonly env: Record<string, string>;
}

/**
 * Starts the fixture before the suite and stops it after; call it inside `describe`.
 *
 * @param prefix The temporary directory's name prefix.
 * @returns The fixture, usable once the suite runs.
 */
export function readOnlyFixture(prefix: string): ReadOnlyFixture {
  const fixture = {} as { server: LocalServer; tmp: string; env: Record<string, string> };
  before(async () => {
    fixture.server = await startServer({ runs: 2, steps: 50, logLines: 5 });
    fixture.tmp = await mkdtemp(join(tmpdir(), prefix));
    fixture.env = { ...serverEnv(fixture.server), NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" };
  });
  after(async () => {
    await fixture.server.close();
    await rm(fixture.tmp, { recursive: true, force: true });
  });
  return fixture;
}
