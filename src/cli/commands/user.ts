/**
 * `swanlab-ts user info`: the logged-in user.
 *
 * @module
 */

import { or, type Parser } from "@optique/core";
import { group, type Invocation, leaf, withCommon } from "../options.ts";
import { userInfo } from "../plain_commands.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

/**
 * The `user` command group.
 *
 * @returns The group parser.
 *
 * @example Build the user group
 * ```ts ignore
 * import { userCommand } from "./user.ts";
 *
 * const parser = userCommand();
 * ```
 */
export function userCommand(): Parser<"sync", Invocation, unknown> {
  const info = leaf(
    "info",
    withCommon({}),
    userInfo,
    {
      brief: "Show the logged-in user (profile, name, username).",
      description: "Show the logged-in user: username, name and public profile.\n" +
        "Same output as `swanlab api user info`.",
      examples: [
        "swanlab-ts user info",
        "swanlab-ts user info --json --save user.json",
        "swanlab-ts user info --host http://127.0.0.1:8000 --api-key-stdin < key.txt",
      ],
    },
  );
  return group("user", or(info), {
    brief: GROUP_BRIEFS["user"],
    examples: ["swanlab-ts user info"],
  });
}
