/**
 * Starts the local server in its own process for benchmarks and cross-runtime checks: prints one
 * JSON line `{ host, apiKey }` on stdout, then serves until stdin closes or a signal arrives.
 *
 * Usage: `deno run -A bench/_server.ts '{"runs": 10000}'`
 *
 * @module
 */

import { startServer } from "../src/server/mod.ts";

const options = JSON.parse(Deno.args[0] ?? "{}");
const server = await startServer(options);
console.log(JSON.stringify({ host: server.host, apiKey: server.apiKey }));

const stop = async () => {
  await server.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
// Serve until the parent closes our stdin.
for await (const _ of Deno.stdin.readable) {
  // discard
}
await stop();
