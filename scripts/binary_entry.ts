/**
 * The entry of the single binary (`deno task binary`, `deno task compile`): the CLI with every
 * lazily loaded module registered through a literal `import()`, so that bundlers include them.
 * (`cli.ts` loads them with computed specifiers, which `deno run` does not read at start-up but
 * a bundler cannot follow; see `src/cli/lazy_import.ts`.)
 *
 * @module
 */

// Not `cli.ts`: bundled, its "am I the main module?" check would see the bundle's entry and
// run the CLI before the modules below are registered.
import { processArgs, processIo, setExitCode } from "../src/cli/io.ts";
import { registerModules } from "../src/cli/lazy_import.ts";
import { run } from "../src/cli/main.ts";

registerModules({
  "mod.ts": () => import("../mod.ts"),
  "src/core/drift.ts": () => import("../src/core/drift.ts"),
  "src/core/errors.ts": () => import("../src/core/errors.ts"),
  "src/entities/api.ts": () => import("../src/entities/api.ts"),
  "src/entities/user.ts": () => import("../src/entities/user.ts"),
  "src/cli/parse_command_line.ts": () => import("../src/cli/parse_command_line.ts"),
  "src/cli/root_help.ts": () => import("../src/cli/root_help.ts"),
  "src/cli/commands/auth.ts": () => import("../src/cli/commands/auth.ts"),
  "src/cli/commands/demo.ts": () => import("../src/cli/commands/demo.ts"),
  "src/cli/commands/doctor.ts": () => import("../src/cli/commands/doctor.ts"),
  "src/cli/commands/mcp.ts": () => import("../src/cli/commands/mcp.ts"),
  "src/cli/commands/mirror.ts": () => import("../src/cli/commands/mirror.ts"),
  "src/cli/commands/project.ts": () => import("../src/cli/commands/project.ts"),
  "src/cli/commands/run.ts": () => import("../src/cli/commands/run.ts"),
  "src/cli/commands/self_hosted.ts": () => import("../src/cli/commands/self_hosted.ts"),
  "src/cli/commands/serve.ts": () => import("../src/cli/commands/serve.ts"),
  "src/cli/commands/user.ts": () => import("../src/cli/commands/user.ts"),
  "src/cli/commands/workspace.ts": () => import("../src/cli/commands/workspace.ts"),
  "src/mcp/create_mcp_server.ts": () => import("../src/mcp/create_mcp_server.ts"),
  "src/mcp/line_stdio_transport.ts": () => import("../src/mcp/line_stdio_transport.ts"),
  "src/mcp/serve_mcp_http.ts": () => import("../src/mcp/serve_mcp_http.ts"),
  "src/server/mod.ts": () => import("../src/server/mod.ts"),
});

setExitCode(await run(processArgs(), processIo()));
