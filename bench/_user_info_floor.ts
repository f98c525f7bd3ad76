/**
 * The least `swanlab-ts user info` can take with the CLI's parser, for the (d) bench: the CLI's
 * modules loaded and the arguments parsed by the same Optique tree, then the same two requests
 * (login, profile) with bare `fetch`, printed as the command's JSON envelope. What the real
 * command takes beyond this is the client library and the output.
 *
 * Usage: `SWANLAB_API_HOST=… SWANLAB_API_KEY=… deno run -A bench/_user_info_floor.ts`
 *
 * @module
 */

// The CLI's entry module first, as `cli.ts` loads it (it sets up Optique's modules).
import "../src/cli/main.ts";
import { parse } from "@optique/core/parser";
import { userCommand } from "../src/cli/commands/user.ts";
import { bareLogin, bareRequest } from "./_bare_fetch.ts";

const parsed = parse(userCommand(), ["user", "info"]);
if (!parsed.success) throw new Error("the user group did not accept `user info`");
const host = Deno.env.get("SWANLAB_API_HOST") ?? "";
const sid = await bareLogin(host, Deno.env.get("SWANLAB_API_KEY") ?? "");
const profile = await (await bareRequest(host, sid, "/user/profile")).json();
console.log(JSON.stringify({ ok: true, errmsg: "", data: profile }, null, 2));
