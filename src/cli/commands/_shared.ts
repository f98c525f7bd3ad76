/**
 * Helpers shared by the command groups: paged listings with a progress bar, key lists, JSON
 * input files, the `delete` command of projects and runs.
 *
 * @module
 */

import { flag, message, type Parser, withDefault } from "@optique/core";
import type { Api, DeletePlan } from "../../../mod.ts";
import { type CommandContext, UsageError } from "../context.ts";
import type { TableView } from "../output.ts";
import { type Invocation, leaf, type LeafDoc, withCommon } from "../options.ts";
import { mapLimited } from "../../core/map_limited.ts";
import { errorMessage } from "../error_message.ts";

/**
 * A paged list from the library: iterable, with `page`, `size`, `all`, `total`, `pages`.
 *
 * @example A list from the library
 * ```ts
 * import type { PagedList } from "./_shared.ts";
 * import type { Project } from "../../../mod.ts";
 *
 * function describe(list: PagedList<Project>): string {
 *   return `page ${list.page}, size ${list.size}`;
 * }
 * ```
 */
export interface PagedList<T> extends AsyncIterable<T> {
  /** The first page requested. */
  readonly page: number;
  /** The page size. */
  readonly size: number;
  /** Whether every page is fetched. */
  readonly all: boolean;
  /** The server's total. */
  readonly total: Promise<number>;
  /** The server's page count. */
  readonly pages: Promise<number>;
}

/**
 * The Python SDK's page-info dict.
 *
 * @example An empty page
 * ```ts
 * import type { PageInfoJson } from "./_shared.ts";
 *
 * const info: PageInfoJson<unknown> = { page: 1, size: 20, total: 0, pages: 0, list: [] };
 * ```
 */
export interface PageInfoJson<J> {
  /** The first page requested. */
  page: number;
  /** The page size. */
  size: number;
  /** The server's total. */
  total: number;
  /** The server's page count. */
  pages: number;
  /** The items. */
  list: J[];
}

/**
 * Collects a paged list into the Python page-info dict `{ page, size, total, pages, list }`,
 * showing a progress bar on a terminal when several pages are fetched.
 *
 * @param ctx The command context.
 * @param list The list.
 * @param serialize Turns an item into its JSON (several at a time).
 * @param label The progress label.
 * @returns The page-info dict.
 *
 * @example Every page of projects
 * ```ts ignore
 * const data = await pageInfo(ctx, api.projects("alice", { all: true }), (p) => p.json(), "Projects");
 * ```
 */
export async function pageInfo<T, J>(
  ctx: CommandContext,
  list: PagedList<T>,
  serialize: (item: T) => Promise<J>,
  label: string,
): Promise<PageInfoJson<J>> {
  const total = await list.total;
  const pages = await list.pages;
  const expected = list.all ? Math.max(0, total - (list.page - 1) * list.size) : undefined;
  const bar = list.all && pages > list.page
    ? ctx.progress(label, { total: expected ?? total, unit: "items" })
    : undefined;
  const items: T[] = [];
  bar?.tick();
  try {
    for await (const item of list) {
      items.push(item);
      bar?.update(items.length);
    }
  } finally {
    bar?.done({ clear: true });
  }
  return {
    page: list.page,
    size: list.size,
    total,
    pages,
    list: await mapLimited(items, 8, serialize),
  };
}

/**
 * The first page of a listing: `--page_num`, default 1. With `--all` a page number is almost
 * always a mistake (it skips the pages before it, as in the Python CLI), so it is warned about
 * on stderr.
 *
 * @param ctx The command context.
 * @param o The parsed `--page_num` (undefined when not given) and `--all`.
 * @returns The page to start at.
 *
 * @example Page options of a list command
 * ```ts ignore
 * const page = await firstPage(ctx, { pageNum: 3, all: true }); // 3, with a warning
 * ```
 */
export async function firstPage(
  ctx: CommandContext,
  o: { pageNum: number | undefined; all: boolean },
): Promise<number> {
  if (o.all && o.pageNum !== undefined) {
    await ctx.warn(
      `--all with --page_num ${o.pageNum} reads from page ${o.pageNum} to the last page; ` +
        "leave --page_num out to read every page",
    );
  }
  return o.pageNum ?? 1;
}

/**
 * Parses `--keys a,b`: split on commas, trimmed, empties dropped, duplicates kept in order.
 * A value with no key in it (`""`, `" , "`) is a usage error in every command: commands where
 * `--keys` is optional read every key when it is left out, never when it is empty.
 *
 * @param value The option value.
 * @param option The option name for the error.
 * @param optional The option may be left out (the error then says so).
 * @returns The keys.
 * @throws {UsageError} When no key is left.
 *
 * @example Split a --keys value
 * ```ts
 * import { parseKeys } from "./_shared.ts";
 *
 * parseKeys(" loss, acc ,,"); // ["loss", "acc"]
 * ```
 */
export function parseKeys(value: string, option = "--keys", optional = false): string[] {
  const keys = value.split(",").map((key) => key.trim()).filter((key) => key !== "");
  if (keys.length === 0) {
    throw new UsageError(
      `Invalid value for ${option}: no valid keys provided; expected comma-separated keys, e.g. 'loss,acc'${
        optional ? ` (leave ${option} out for every key)` : ""
      }`,
    );
  }
  return keys;
}

/**
 * Reads `--filter_query`: a path to a JSON file, or inline JSON; it must be a JSON array.
 *
 * @param value The option value.
 * @param cwd The directory relative paths resolve against.
 * @returns The filters.
 * @throws {UsageError} When it is empty, unreadable, not JSON or not an array.
 *
 * @example Inline JSON filters
 * ```ts ignore
 * const filters = await parseFilterQuery('[{"key":"state","type":"STABLE","op":"EQ","value":["FINISHED"]}]', ".");
 * ```
 */
export async function parseFilterQuery(value: string, cwd: string): Promise<unknown[]> {
  const raw = value.trim();
  if (raw === "") throw new UsageError("Invalid value for -f/--filter_query: it must not be empty");
  const [{ readFile, stat }, { isAbsolute, join }] = await Promise.all([
    import("node:fs/promises"),
    import("node:path"),
  ]);
  const path = isAbsolute(raw) ? raw : join(cwd, raw);
  let isFile = false;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    isFile = false;
  }
  let data: unknown;
  if (isFile) {
    try {
      data = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      throw new UsageError(
        `Invalid value for -f/--filter_query: cannot read or parse filter file "${raw}": ${
          errorMessage(error)
        }`,
      );
    }
  } else {
    try {
      data = JSON.parse(raw);
    } catch (error) {
      throw new UsageError(
        `Invalid value for -f/--filter_query: neither a file nor valid JSON: ${
          errorMessage(error)
        }`,
      );
    }
  }
  if (!Array.isArray(data)) {
    const kind = data === null ? "null" : typeof data === "object" ? "object" : typeof data;
    throw new UsageError(`Invalid value for -f/--filter_query: must be a JSON array, got ${kind}`);
  }
  return data;
}

/**
 * What the library's `ApiResponse` looks like to the CLI.
 *
 * @example A successful response
 * ```ts
 * import type { ResponseLike } from "./_shared.ts";
 *
 * const response: ResponseLike = {
 *   ok: true,
 *   errmsg: "",
 *   json: () => ({ ok: true, errmsg: "", data: { url: "https://example.org/x.log" } }),
 * };
 * ```
 */
export interface ResponseLike {
  /** Whether the call succeeded. */
  readonly ok: boolean;
  /** The error message. */
  readonly errmsg: string;
  /** The error behind a failure. */
  readonly error?: unknown;
  /** The envelope. */
  json(): { ok: boolean; errmsg: string; data: unknown };
}

/**
 * Prints a library `ApiResponse` as its envelope; a validation failure exits 2 like any usage
 * error.
 *
 * @param ctx The command context.
 * @param response The response.
 * @param view The table view of the data.
 * @returns The exit code.
 *
 * @example Print an ApiResponse
 * ```ts ignore
 * return await emitResponse(ctx, await run.exportLogs({ rows: 100 }));
 * ```
 */
export async function emitResponse(
  ctx: CommandContext,
  response: ResponseLike,
  view?: (data: unknown) => TableView,
): Promise<number> {
  if (
    !response.ok && response.error instanceof Error && response.error.name === "ValidationError"
  ) {
    return await ctx.fail(response.error);
  }
  return await ctx.emit(response.json(), view);
}

/**
 * The table view of a delete plan.
 *
 * @param plan `{ committed, items }`.
 * @returns The rows.
 *
 * @example Rows of a dry run
 * ```ts
 * import { planView } from "./_shared.ts";
 *
 * planView({ committed: false, items: [{ id: "c1", name: "p", path: "a/p" }] }).rows.length; // 1
 * ```
 */
export function planView(plan: DeletePlan): TableView {
  return {
    rows: plan.items.map((item) => ({ ...item, deleted: plan.committed })),
    columns: ["path", "name", "id", "deleted"],
  };
}

/** Prints a delete plan and, on stderr, what was deleted or the dry-run notice. */
async function emitPlan(
  ctx: CommandContext,
  plan: DeletePlan,
  what: "project" | "run",
): Promise<number> {
  const code = await ctx.emit({ ok: true, errmsg: "", data: plan }, planView);
  if (plan.committed) {
    await ctx.note(`Deleted ${what} ${plan.items.map((i) => i.path).join(", ")}`);
  } else {
    await ctx.note(
      `Dry run: nothing was deleted. ${what[0]!.toUpperCase() + what.slice(1)} to be deleted: ${
        plan.items.map((i) => `${i.path} (${i.name})`).join(", ")
      }. ` +
        "Pass --commit to delete.",
    );
  }
  return code;
}

/**
 * Declares the `delete` command of the `project` and `run` groups: a dry run that prints the
 * plan `{ committed: false, items }` unless `--commit` is given.
 *
 * @param what `project` or `run`, for the notices.
 * @param path The path argument.
 * @param remove Deletes the item at `path`, or with `commit` false only plans to.
 * @param doc Help text.
 * @returns The leaf parser.
 *
 * @example The run group's delete command
 * ```ts ignore
 * const remove = deleteLeaf("run", runPath(), (api, path, commit) =>
 *   api.run(path).delete({ commit }), { brief: "Delete a run (dry run unless --commit)." });
 * ```
 */
export function deleteLeaf(
  what: "project" | "run",
  path: Parser<"sync", string, unknown>,
  remove: (api: Api, path: string, commit: boolean) => Promise<DeletePlan>,
  doc: LeafDoc,
): Parser<"sync", Invocation, unknown> {
  return leaf(
    "delete",
    withCommon({
      path,
      commit: withDefault(
        flag("--commit", {
          description: message`Really delete (without it, only print what would be deleted).`,
        }),
        false,
      ),
    }),
    async (ctx, { path, commit }) => {
      let plan;
      try {
        plan = await remove(await ctx.api(), path, commit);
      } catch (error) {
        return await ctx.fail(error);
      }
      return await emitPlan(ctx, plan, what);
    },
    doc,
  );
}
