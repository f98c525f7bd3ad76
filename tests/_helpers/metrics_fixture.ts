/**
 * Shared fixtures of the metrics tests: a local server with a Transport and the RunRef of one of
 * its sweep runs, and a scripted server that answers the login for House requests.
 *
 * @module
 */

import { after, before, beforeEach } from "node:test";
import {
  type DatasetRun,
  type LocalServer,
  type ServerOptions,
  startServer,
} from "../../src/server/mod.ts";
import { Transport } from "../../src/core/transport.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import { type Script, sendJson, startScriptedServer } from "./scripted_server.ts";

/** The RunRef of a run of the seeded data set, with its root ids when it is a clone. */
export function refOf(run: DatasetRun): RunRef {
  return {
    projectId: run.projectCuid,
    runId: run.cuid,
    createdAt: run.createdAtSeconds,
    name: run.name,
    ...(run.rootProId ? { rootProId: run.rootProId } : {}),
    ...(run.rootExpId ? { rootExpId: run.rootExpId } : {}),
  };
}

/** Run `index` of the seeded sweep project `vision-lab/resnet-sweep`. */
export function sweepRun(server: LocalServer, index = 0): DatasetRun {
  const run = server.dataset.projects["vision-lab/resnet-sweep"]?.runs[index];
  if (!run) throw new Error(`no sweep run ${index}`);
  return run;
}

/** What {@linkcode useMetricsServer} provides once its `before` hook has run. */
export interface MetricsFixture {
  /** The local server. */
  readonly server: LocalServer;
  /** A Transport logged in to the server as its demo user. */
  readonly transport: Transport;
  /** The sweep run the tests read. */
  readonly run: DatasetRun;
  /** The RunRef of {@linkcode MetricsFixture.run}. */
  readonly ref: RunRef;
}

/**
 * Registers the hooks of a `describe` block against the local server: before all tests, starts
 * a server with `options` and creates a Transport for it; after them, closes the server; before
 * each test, clears the recorded requests.
 *
 * @param options The server's options.
 * @param runIndex Which sweep run is the fixture's `run` (default the first).
 * @returns The fixture, filled in by the `before` hook.
 */
export function useMetricsServer(options: ServerOptions, runIndex = 0): MetricsFixture {
  let fixture: MetricsFixture | undefined;
  const ready = (): MetricsFixture => {
    if (!fixture) throw new Error("the metrics fixture is used before its before() hook ran");
    return fixture;
  };
  before(async () => {
    const server = await startServer(options);
    const transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    const run = sweepRun(server, runIndex);
    fixture = { server, transport, run, ref: refOf(run) };
  });
  after(() => fixture?.server.close());
  beforeEach(() => ready().server.clearRequests());
  return {
    get server() {
      return ready().server;
    },
    get transport() {
      return ready().transport;
    },
    get run() {
      return ready().run;
    },
    get ref() {
      return ready().ref;
    },
  };
}

/**
 * Runs `body` against a scripted server that answers the API-key login with a session valid for
 * 30 days and every other request with `script`, and closes the server afterwards.
 *
 * @param script Answers the requests other than the login.
 * @param body The test, given a Transport logged in to the server and a RunRef of made-up ids
 * (a scripted server answers whatever ids it is sent).
 */
export async function withScriptedHouse(
  script: Script,
  body: (transport: Transport, ref: RunRef) => Promise<void>,
): Promise<void> {
  const scripted = await startScriptedServer((request, response, raw) => {
    if (request.path === "/api/login/api_key") {
      return sendJson(response, 200, {
        sid: "s",
        expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        userInfo: { username: "u", name: "U" },
      });
    }
    return script(request, response, raw);
  });
  try {
    const transport = await Transport.create({ host: scripted.origin, apiKey: "k", env: {} });
    await body(transport, { projectId: "p", runId: "r", createdAt: 1722470400, name: "" });
  } finally {
    await scripted.close();
  }
}
