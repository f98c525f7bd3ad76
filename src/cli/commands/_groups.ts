/**
 * The top-level commands, their one-line help and how to load each one. The parser of a group
 * is built only when that group is used, which keeps start-up fast.
 *
 * @module
 */

import type { Parser } from "@optique/core";
import { importModule } from "../lazy_import.ts";
import type { Invocation } from "../options.ts";

/** The modules of the command groups, by file name. */
interface CommandModules {
  "auth.ts": typeof import("./auth.ts");
  "demo.ts": typeof import("./demo.ts");
  "doctor.ts": typeof import("./doctor.ts");
  "mcp.ts": typeof import("./mcp.ts");
  "mirror.ts": typeof import("./mirror.ts");
  "project.ts": typeof import("./project.ts");
  "run.ts": typeof import("./run.ts");
  "self_hosted.ts": typeof import("./self_hosted.ts");
  "serve.ts": typeof import("./serve.ts");
  "user.ts": typeof import("./user.ts");
  "workspace.ts": typeof import("./workspace.ts");
}

/**
 * Loads a command group's module with a computed specifier (`importModule`): `deno run` then
 * reads only the group that runs, not every group's module graph, at start-up.
 */
function command<F extends keyof CommandModules>(file: F): Promise<CommandModules[F]> {
  return importModule<CommandModules[F]>(`src/cli/commands/${file}`);
}

/**
 * One-line help of each top-level command.
 *
 * @example The run group's help
 * ```ts
 * import { GROUP_BRIEFS } from "./_groups.ts";
 *
 * console.log(GROUP_BRIEFS.run);
 * ```
 */
export const GROUP_BRIEFS = {
  user: "The logged-in user.",
  workspace: "Workspaces: personal spaces and teams.",
  project: "Projects: info, list, create, delete; tables and exports of all runs.",
  run: "Runs (experiments): info, list, filter, metrics, media, logs, download, delete.",
  "self-hosted": "Self-hosted instance administration (root only).",
  login: "Verify an API key and save it to the SwanLab .netrc.",
  logout: "Remove the saved API key (.netrc).",
  serve: "Run a local SwanLab-compatible server with demo data.",
  mirror: "Back up a workspace, project or run to a local directory (incremental).",
  demo: "A guided tour of the API against a local demo server.",
  doctor: "Check the connection to a server and validate its answers against the API spec.",
  mcp: "MCP server for agents: read-only tools over stdio or HTTP.",
} as const;

/**
 * A top-level command.
 *
 * @example Find a group's names
 * ```ts
 * import { GROUPS, type GroupSpec } from "./_groups.ts";
 *
 * const run: GroupSpec | undefined = GROUPS.find((g) => g.name === "run");
 * console.log(run?.aliases); // ["experiment"]
 * ```
 */
export interface GroupSpec {
  /** Its name. */
  readonly name: keyof typeof GROUP_BRIEFS;
  /** Other accepted names. */
  readonly aliases: readonly string[];
  /** Builds its parser. */
  readonly load: () => Promise<Parser<"sync", Invocation, unknown>>;
}

/**
 * Every top-level command, in help order.
 *
 * @example Every top-level name
 * ```ts
 * import { GROUPS } from "./_groups.ts";
 *
 * console.log(GROUPS.map((g) => g.name).join(" "));
 * ```
 */
export const GROUPS: readonly GroupSpec[] = [
  { name: "user", aliases: [], load: async () => (await command("user.ts")).userCommand() },
  {
    name: "workspace",
    aliases: [],
    load: async () => (await command("workspace.ts")).workspaceCommand(),
  },
  {
    name: "project",
    aliases: [],
    load: async () => (await command("project.ts")).projectCommand(),
  },
  {
    name: "run",
    aliases: ["experiment"],
    load: async () => (await command("run.ts")).runCommand(),
  },
  {
    name: "self-hosted",
    aliases: ["self_hosted", "selfhosted"],
    load: async () => (await command("self_hosted.ts")).selfHostedCommand(),
  },
  { name: "login", aliases: [], load: async () => (await command("auth.ts")).authCommands()[0] },
  { name: "logout", aliases: [], load: async () => (await command("auth.ts")).authCommands()[1] },
  { name: "serve", aliases: [], load: async () => (await command("serve.ts")).serveCommand() },
  {
    name: "mirror",
    aliases: [],
    load: async () => (await command("mirror.ts")).mirrorCommand(),
  },
  { name: "demo", aliases: [], load: async () => (await command("demo.ts")).demoCommand() },
  {
    name: "doctor",
    aliases: [],
    load: async () => (await command("doctor.ts")).doctorCommand(),
  },
  { name: "mcp", aliases: [], load: async () => (await command("mcp.ts")).mcpCommand() },
];

/**
 * The top-level command a name refers to (by name or alias).
 *
 * @param name A command-line word.
 * @returns The command, or `undefined`.
 *
 * @example Look up a command by alias
 * ```ts
 * import { findGroup } from "./_groups.ts";
 *
 * findGroup("self_hosted")?.name; // "self-hosted"
 * ```
 */
export function findGroup(name: string | undefined): GroupSpec | undefined {
  if (name === undefined) return undefined;
  return GROUPS.find((group) => group.name === name || group.aliases.includes(name));
}
