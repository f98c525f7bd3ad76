/**
 * `swanlab-ts serve`: the local SwanLab-compatible server (seeded demo data, optional fault
 * injection) until SIGINT or SIGTERM.
 *
 * @module
 */

import {
  flag,
  float,
  integer,
  message,
  option,
  optional,
  type Parser,
  string,
  withDefault,
} from "@optique/core";
import { loadLibrary, loadServer } from "../context.ts";
import { type Invocation, leaf, withColorOption } from "../options.ts";
import { paragraph } from "../help_page.ts";
import { GROUP_BRIEFS } from "./_groups.ts";
import { errorMessage } from "../error_message.ts";

const rate = (names: readonly [`-${string}`, ...`-${string}`[]], description: string) =>
  optional(option(...names, float({ min: 0, max: 1, metavar: "X" }), {
    description: paragraph(description),
  }));

/**
 * Lines telling how to use a running server: its host, the demo key, and environment lines.
 *
 * @param server The host, storage origin and demo API key.
 * @param mirrorUser The mirrored user, for a server of a mirror (`--data`).
 * @returns The lines.
 *
 * @example How to reach a server
 * ```ts
 * import { serveBanner } from "./serve.ts";
 *
 * serveBanner({ host: "http://127.0.0.1:8000", storageOrigin: "http://127.0.0.1:8001", apiKey: "K" });
 * ```
 */
export function serveBanner(
  server: { host: string; storageOrigin: string; apiKey: string },
  mirrorUser?: string,
): string[] {
  return [
    `API host:      ${server.host}`,
    `Storage:       ${server.storageOrigin}`,
    mirrorUser === undefined
      ? `Demo API key:  ${server.apiKey}   (user alice: root, owner of vision-lab)`
      : `API key:       ${server.apiKey}   (user ${mirrorUser}: read-only mirror)`,
    "",
    "Use it from a shell:",
    `  export SWANLAB_API_HOST=${server.host}`,
    `  export SWANLAB_API_KEY=${server.apiKey}`,
    "  swanlab-ts project list --workspace vision-lab",
    "",
    "Or from Python:",
    `  swanlab.Api(host="${server.host}", api_key="${server.apiKey}")`,
  ];
}

/**
 * The `serve` command.
 *
 * @returns The command parser.
 *
 * @example Build the serve command
 * ```ts ignore
 * import { serveCommand } from "./serve.ts";
 *
 * const parser = serveCommand();
 * ```
 */
export function serveCommand(): Parser<"sync", Invocation, unknown> {
  return leaf(
    "serve",
    withColorOption({
      port: withDefault(
        option("--port", "-p", integer({ min: 0, max: 65535, metavar: "PORT" }), {
          description: message`API port on 127.0.0.1 (0 picks a free port).`,
        }),
        0,
      ),
      seed: withDefault(
        option("--seed", integer({ metavar: "N" }), { description: message`Data set seed.` }),
        42,
      ),
      runs: withDefault(
        option("--runs", integer({ min: 1, metavar: "N" }), {
          description: message`Runs in vision-lab/resnet-sweep.`,
        }),
        24,
      ),
      steps: withDefault(
        option("--steps", integer({ min: 1, metavar: "N" }), {
          description: message`Steps per run (computed on the fly: 10^7 is fine).`,
        }),
        1000,
      ),
      extraKeys: withDefault(
        option("--extra-keys", "--extra_keys", integer({ min: 0, metavar: "N" }), {
          description: message`Extra scalar keys per run.`,
        }),
        0,
      ),
      faultRate: rate(["--fault-rate", "--fault_rate"], "Fraction of API requests answered 5xx."),
      rateLimitRate: rate(
        ["--rate-limit-rate", "--rate_limit_rate"],
        "Fraction of API requests answered 429.",
      ),
      latencyMs: optional(
        option("--latency-ms", "--latency_ms", integer({ min: 0, metavar: "MS" }), {
          description: message`Delay added to every request.`,
        }),
      ),
      resetRate: rate(["--reset-rate", "--reset_rate"], "Fraction of connections dropped."),
      truncateRate: rate(
        ["--truncate-rate", "--truncate_rate"],
        "Fraction of storage downloads cut short.",
      ),
      data: optional(option("--data", string({ metavar: "DIR" }), {
        description: message`Serve this mirror directory (from swanlab-ts mirror), read-only.`,
      })),
      json: withDefault(
        flag("--json", { description: message`Print the host and key as one JSON line instead.` }),
        false,
      ),
    }),
    async (ctx, o) => {
      const { startServer } = await loadServer();
      const faults = {
        ...(o.faultRate === undefined ? {} : { errorRate: o.faultRate }),
        ...(o.rateLimitRate === undefined ? {} : { rateLimitRate: o.rateLimitRate }),
        ...(o.latencyMs === undefined ? {} : { latencyMs: o.latencyMs }),
        ...(o.resetRate === undefined ? {} : { resetRate: o.resetRate }),
        ...(o.truncateRate === undefined ? {} : { truncateRate: o.truncateRate }),
      };
      const { isAbsolute, join } = await import("node:path");
      let server;
      try {
        server = await startServer({
          port: o.port,
          hostname: "127.0.0.1",
          seed: o.seed,
          runs: o.runs,
          steps: o.steps,
          extraKeys: o.extraKeys,
          faults,
          ...(o.data === undefined
            ? {}
            : { data: isAbsolute(o.data) ? o.data : join(ctx.io.cwd, o.data) }),
        });
      } catch (error) {
        await ctx.error(
          `Cannot start the server: ${errorMessage(error)}` +
            (o.port !== 0 ? ` (try --port 0 for a free port)` : ""),
        );
        return 1;
      }
      try {
        const { VERSION } = await loadLibrary();
        if (o.json) {
          await ctx.print(JSON.stringify({
            host: server.host,
            storage_origin: server.storageOrigin,
            api_key: server.apiKey,
            env: { SWANLAB_API_HOST: server.host, SWANLAB_API_KEY: server.apiKey },
          }));
        } else {
          await ctx.print(
            ctx.out.bold(
              o.data === undefined
                ? `SwanLab local server (swanlab-ts ${VERSION}): seed ${o.seed}, ${o.runs} runs × ${o.steps} steps`
                : `SwanLab local server (swanlab-ts ${VERSION}): mirror ${o.data} (read-only)`,
            ),
          );
          const banner = serveBanner(
            server,
            o.data === undefined ? undefined : server.users[0]?.username,
          );
          for (const line of banner) await ctx.print(line);
          if (Object.keys(faults).length > 0) {
            await ctx.print("");
            await ctx.print(`Faults: ${JSON.stringify(faults)}`);
          }
        }
        await ctx.waitUntilStopped();
      } finally {
        await server.close();
      }
      return 0;
    },
    {
      brief: GROUP_BRIEFS.serve,
      description:
        "Start the local SwanLab-compatible server (API + presigned storage on 127.0.0.1) with a\n" +
        "seeded demo data set, print its host, the demo API key and the environment lines to use\n" +
        "it, and serve until SIGINT/SIGTERM. Fault options inject 5xx, 429, latency, dropped\n" +
        "connections and truncated downloads (rates in [0, 1]).",
      examples: [
        "swanlab-ts serve --port 8000",
        "swanlab-ts serve --runs 100 --steps 1000000 --extra-keys 50",
        "swanlab-ts serve --fault-rate 0.1 --rate-limit-rate 0.05 --latency-ms 50",
        "swanlab-ts serve --data backup",
      ],
    },
  );
}
