/**
 * `swanlab-ts self-hosted info|create-user|list-users|list-projects|list-workspaces|summary`:
 * administration of a self-hosted SwanLab (root users only).
 *
 * @module
 */

import {
  flag,
  integer,
  message,
  option,
  optional,
  or,
  type Parser,
  string,
  withDefault,
} from "@optique/core";
import { type CommandContext, UsageError } from "../context.ts";
import type { TableView } from "../output.ts";
import { allFlag, group, type Invocation, leaf, pageNumOption, withCommon } from "../options.ts";
import { selfHostedInfo } from "../plain_commands.ts";
import { promptHidden } from "../prompt.ts";
import { emitResponse, firstPage } from "./_shared.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

function pageOptions() {
  return {
    pageNum: pageNumOption(),
    pageSize: withDefault(
      option("--page_size", "--page-size", "-s", integer({ min: 1, metavar: "SIZE" }), {
        description: message`Page size.`,
      }),
      20,
    ),
    all: allFlag(),
  };
}

async function collect(items: AsyncIterable<unknown>): Promise<{ list: unknown[] }> {
  const list: unknown[] = [];
  for await (const item of items) list.push(item);
  return { list };
}

const listView = (data: { list: unknown[] }): TableView => ({
  rows: data.list.map((item) =>
    typeof item === "object" && item !== null ? item as Record<string, unknown> : { value: item }
  ),
});

async function readPassword(
  ctx: CommandContext,
  o: { password: string | undefined; passwordStdin: boolean },
): Promise<string> {
  if (o.password !== undefined && o.passwordStdin) {
    throw new UsageError("--password and --password-stdin cannot be combined");
  }
  if (o.password !== undefined) {
    await ctx.warn(
      "--password exposes the password in shell history and process lists; prefer --password-stdin or the prompt",
    );
    return o.password;
  }
  if (o.passwordStdin) {
    const line = await ctx.input.readLine();
    if (line === undefined || line === "") {
      throw new UsageError("--password-stdin: standard input has no password line");
    }
    return line;
  }
  if (!ctx.io.isTTY.stdin) {
    throw new UsageError(
      "Missing password: pass --password-stdin (reads one line of standard input) or run on a terminal",
    );
  }
  return await promptHidden({
    question: "Password: ",
    writer: ctx.io.stderr,
    reader: ctx.input,
    stdin: ctx.io.stdin,
    isTTY: true,
  });
}

/**
 * The `self-hosted` command group.
 *
 * @returns The group parser.
 *
 * @example Build the self-hosted group
 * ```ts ignore
 * import { selfHostedCommand } from "./self_hosted.ts";
 *
 * const parser = selfHostedCommand();
 * ```
 */
export function selfHostedCommand(): Parser<"sync", Invocation, unknown> {
  const info = leaf(
    "info",
    withCommon({}),
    selfHostedInfo,
    {
      brief: "Show the self-hosted instance (enabled, expired, root, plan, seats).",
      examples: ["swanlab-ts self-hosted info --host http://swanlab.internal:8000"],
    },
  );

  const createUser = leaf(
    "create-user",
    withCommon({
      username: option("-u", "--username", string({ metavar: "USERNAME" }), {
        description: message`Username to create.`,
      }),
      passwordStdin: withDefault(
        flag("--password-stdin", "--password_stdin", {
          description: message`Read the password from a line of standard input.`,
        }),
        false,
      ),
      password: optional(option("-p", "--password", string({ metavar: "PASSWORD" }), {
        description: message`Password (discouraged: visible in shell history).`,
      })),
    }),
    async (ctx, o) => {
      let response;
      try {
        // The API key line (if any) comes first on standard input, then the password.
        await ctx.apiKey();
        const password = await readPassword(ctx, o);
        const sh = (await ctx.api()).selfHosted();
        response = await sh.createUser({ username: o.username, password });
      } catch (error) {
        return await ctx.fail(error);
      }
      return await emitResponse(ctx, response);
    },
    {
      brief: "Create a user (root only).",
      description: "Create a user on the self-hosted instance (root only). The password is read\n" +
        "from a hidden prompt on a terminal, or with --password-stdin from standard input.",
      examples: [
        "swanlab-ts self-hosted create-user -u bob          # prompts for the password",
        "printf '%s\\n' \"$PASS\" | swanlab-ts self-hosted create-user -u bob --password-stdin",
      ],
      aliases: ["create_user"],
    },
  );

  const listUsers = leaf(
    "list-users",
    withCommon({ ...pageOptions() }),
    (ctx, o) =>
      ctx.call(async () => {
        const sh = (await ctx.api()).selfHosted();
        return await collect(
          sh.getUsers({ page: await firstPage(ctx, o), size: o.pageSize, all: o.all }),
        );
      }, listView),
    {
      brief: "List users (root only).",
      description: 'List the users of the instance (root only). Output: {"list": [...]}.',
      examples: ["swanlab-ts self-hosted list-users --all"],
      aliases: ["list_users"],
    },
  );

  const listProjects = leaf(
    "list-projects",
    withCommon({
      ...pageOptions(),
      search: optional(option("--search", string({ metavar: "TEXT" }), {
        description: message`Search keyword.`,
      })),
      creator: optional(option("--creator", string({ metavar: "USERNAME" }), {
        description: message`Filter by creator username.`,
      })),
      workspace: optional(option("--workspace", string({ metavar: "USERNAME" }), {
        description: message`Filter by workspace username.`,
      })),
    }),
    (ctx, o) =>
      ctx.call(async () => {
        const sh = (await ctx.api()).selfHosted();
        return await collect(sh.getProjects({
          page: await firstPage(ctx, o),
          size: o.pageSize,
          all: o.all,
          ...(o.search === undefined ? {} : { search: o.search }),
          ...(o.creator === undefined ? {} : { creator: o.creator }),
          ...(o.workspace === undefined ? {} : { group: o.workspace }),
        }));
      }, listView),
    {
      brief: "List all projects of the instance (root only).",
      description: 'List every project of the instance (root only). Output: {"list": [...]}.',
      examples: ["swanlab-ts self-hosted list-projects --workspace vision-lab --all"],
      aliases: ["list_projects"],
    },
  );

  const listWorkspaces = leaf(
    "list-workspaces",
    withCommon({
      ...pageOptions(),
      search: optional(option("--search", string({ metavar: "TEXT" }), {
        description: message`Search keyword.`,
      })),
    }),
    (ctx, o) =>
      ctx.call(async () => {
        const sh = (await ctx.api()).selfHosted();
        return await collect(sh.getGroups({
          page: await firstPage(ctx, o),
          size: o.pageSize,
          all: o.all,
          ...(o.search === undefined ? {} : { search: o.search }),
        }));
      }, listView),
    {
      brief: "List all workspaces of the instance (root only).",
      description: 'List every workspace of the instance (root only). Output: {"list": [...]}.',
      examples: ["swanlab-ts self-hosted list-workspaces --search lab"],
      aliases: ["list_workspaces"],
    },
  );

  const summary = leaf(
    "summary",
    withCommon({}),
    async (ctx) => {
      let response;
      try {
        response = await (await ctx.api()).selfHosted().getUsageSummary();
      } catch (error) {
        return await ctx.fail(error);
      }
      return await emitResponse(ctx, response);
    },
    {
      brief: "Show the usage summary of the instance (root only).",
      examples: ["swanlab-ts self-hosted summary"],
    },
  );

  return group(
    "self-hosted",
    or(info, createUser, listUsers, listProjects, listWorkspaces, summary),
    {
      brief: GROUP_BRIEFS["self-hosted"],
      examples: ["swanlab-ts self-hosted info", "swanlab-ts self-hosted list-users --all"],
      aliases: ["self_hosted", "selfhosted"],
    },
  );
}
