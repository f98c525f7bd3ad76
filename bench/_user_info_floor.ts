/**
 * The least `swanlab-ts user info` can take, for the (d) bench: the CLI's entry modules loaded
 * as `cli.ts` loads them, then the same two requests (login, profile) made with bare `fetch`,
 * printed as the command's JSON envelope. What the real command takes beyond this is the command
 * context, the client library (the user entity and the transport) and its output.
 *
 * Usage: `SWANLAB_API_HOST=… SWANLAB_API_KEY=… deno run -A bench/_user_info_floor.ts`
 *
 * @module
 */

import "../src/cli/io.ts";
import "../src/cli/main.ts";
import { bareLogin, bareRequest } from "./_bare_fetch.ts";

const host = Deno.env.get("SWANLAB_API_HOST") ?? "";
const sid = await bareLogin(host, Deno.env.get("SWANLAB_API_KEY") ?? "");
const profile = await (await bareRequest(host, sid, "/user/profile")).json();
console.log(JSON.stringify({ ok: true, errmsg: "", data: profile }, null, 2));
