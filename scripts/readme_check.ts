/**
 * Runs every TypeScript snippet of README.md against the local server, so that the README stays
 * true: starts `startServer()` in this process, then `deno test --doc README.md` with
 * `SWANLAB_API_HOST` and `SWANLAB_API_KEY` pointing at it. Snippets marked `ts ignore` are only
 * type-checked.
 *
 * @module
 */

import { startServer } from "../src/server/mod.ts";

const root = new URL("../", import.meta.url).pathname;
const server = await startServer();
const home = await Deno.makeTempDir({ prefix: "swanlab-ts-readme-" });
try {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--doc", "README.md"],
    cwd: root,
    env: {
      SWANLAB_API_HOST: server.host,
      SWANLAB_API_KEY: server.apiKey,
      HOME: home,
      SWANLAB_ROOT: home,
      NO_COLOR: "1",
    },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!output.success) Deno.exit(1);
} finally {
  await server.close();
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
