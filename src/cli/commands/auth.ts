/**
 * `swanlab-ts login` and `swanlab-ts logout`: store or remove the API key in the SwanLab
 * `.netrc` (the same file and format as the Python `swanlab login`, mode 0600).
 *
 * @module
 */

import { flag, message, type Parser, withDefault } from "@optique/core";
import { loadLibrary, UsageError } from "../context.ts";
import { type Invocation, leaf, withCommon, withOutput } from "../options.ts";
import { promptHidden } from "../prompt.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

const KEY_PAGE = "/space/~/settings#development";

function webHostOf(host: string | undefined): string {
  if (host === undefined) return "https://swanlab.cn";
  const trimmed = host.trim().replace(/\/+$/, "");
  const withScheme = trimmed.includes("://") ? trimmed : `https://${trimmed}`;
  try {
    const url = new URL(withScheme);
    if (url.hostname === "api.swanlab.cn" || url.hostname === "swanlab.cn") {
      return "https://swanlab.cn";
    }
    return `${url.protocol}//${url.host}`;
  } catch {
    return withScheme;
  }
}

/**
 * The `login` and `logout` commands.
 *
 * @returns The two command parsers.
 *
 * @example Build login and logout
 * ```ts ignore
 * import { authCommands } from "./auth.ts";
 *
 * const [login, logout] = authCommands();
 * ```
 */
export function authCommands(): [
  Parser<"sync", Invocation, unknown>,
  Parser<"sync", Invocation, unknown>,
] {
  const login = leaf(
    "login",
    withCommon({
      local: withDefault(
        flag("--local", {
          description:
            message`Write ./.swanlab/.netrc (this directory) instead of ~/.swanlab/.netrc.`,
        }),
        false,
      ),
    }),
    async (ctx, o) => {
      try {
        const lib = await loadLibrary();
        let apiKey = await ctx.apiKey();
        if (apiKey === undefined) {
          if (!ctx.io.isTTY.stdin) {
            throw new UsageError(
              "No API key: pass --api-key-stdin (reads one line of standard input) or run on a terminal",
            );
          }
          await ctx.note(`Find your API key at ${webHostOf(o.host)}${KEY_PAGE}`);
          apiKey = await promptHidden({
            question: "API key (hidden): ",
            writer: ctx.io.stderr,
            reader: ctx.input,
            stdin: ctx.io.stdin,
            isTTY: true,
          });
          if (apiKey === "") throw new UsageError("No API key entered");
        }
        const info = await lib.login({
          apiKey,
          ...(o.host === undefined ? {} : { host: o.host }),
          save: o.local ? "local" : true,
          env: ctx.io.env,
          cwd: ctx.io.cwd,
        });
        // The CLI's job is the .netrc; forget the key in this process (tests, the demo).
        await lib.logout({ removeNetrc: false });
        await ctx.note(
          `Logged in as ${info.username} on ${info.apiHost}; key saved to ${
            info.netrcPath ?? ".netrc"
          }`,
        );
        return await ctx.emit({
          ok: true,
          errmsg: "",
          data: {
            username: info.username,
            name: info.name,
            api_host: info.apiHost,
            web_host: info.webHost,
            netrc: info.netrcPath ?? null,
          },
        });
      } catch (error) {
        return await ctx.fail(error);
      }
    },
    {
      brief: GROUP_BRIEFS.login,
      description:
        "Verify an API key against the server and save it to <SWANLAB_ROOT or ~/.swanlab>/.netrc\n" +
        "(mode 0600, the format the Python SDK reads), or ./.swanlab/.netrc with --local.\n" +
        "The key is read from a hidden prompt on a terminal, or with --api-key-stdin from the\n" +
        "first line of standard input.",
      examples: [
        "swanlab-ts login                                   # prompts for the key",
        "swanlab-ts login --host https://swanlab.example.com",
        'printf "%s\\n" "$SWANLAB_KEY" | swanlab-ts login --api-key-stdin --local',
      ],
    },
  );

  const logout = leaf(
    "logout",
    withOutput({
      local: withDefault(
        flag("--local", { description: message`Remove ./.swanlab/.netrc instead.` }),
        false,
      ),
    }),
    async (ctx, o) => {
      try {
        const lib = await loadLibrary();
        const info = await lib.logout({
          removeNetrc: o.local ? "local" : true,
          env: ctx.io.env,
          cwd: ctx.io.cwd,
        });
        await ctx.note(
          info.removedNetrc
            ? `Logged out: removed ${info.removedNetrc}`
            : "Not logged in: no .netrc found",
        );
        return await ctx.emit({ ok: true, errmsg: "", data: { netrc: info.removedNetrc } });
      } catch (error) {
        return await ctx.fail(error);
      }
    },
    {
      brief: GROUP_BRIEFS.logout,
      examples: ["swanlab-ts logout", "swanlab-ts logout --local"],
    },
  );

  return [login, logout];
}
