/**
 * First contact with a server, checked step by step (`swanlab-ts doctor`): where the credentials
 * come from (never the key itself), the proxy, DNS, TCP and TLS reachability, the login, the clock
 * skew against the server's `Date` header, latency, then one read-only call per query endpoint the
 * key may use, each response validated against the spec. Every drifted field is listed.
 *
 * The network modules (`node:dns`, `node:net`, `node:tls`) and the validator are loaded only
 * when a diagnosis runs.
 *
 * @module
 */

import type { components } from "../../generated/schema.ts";
import type { ClientOptions } from "./client_options.ts";
import { type CredentialSource, readEnv, resolveCredentials } from "./credentials.ts";
import { ApiError } from "./errors.ts";
import { resolveHosts } from "./hosts.ts";
import { plainHttpHint } from "./network_reason.ts";
import { createProxyFetch, displayProxy, proxyFor } from "./proxy.ts";
import type { Drift } from "./drift.ts";
import { terminalText } from "./terminal_text.ts";
import { processEnv } from "./runtime.ts";
import { Transport } from "./transport.ts";
import { VERSION } from "./version.ts";

/** How one step went: `skip` means it did not apply (e.g. TLS on an http host). */
export type StepStatus = "ok" | "warn" | "fail" | "skip";

/**
 * One step of a diagnosis.
 *
 * @example
 * ```ts
 * import type { DiagnosisStep } from "./diagnose.ts";
 *
 * const step: DiagnosisStep = { name: "tcp", status: "ok", detail: "127.0.0.1:8000", ms: 1 };
 * ```
 */
export interface DiagnosisStep {
  /** `credentials`, `proxy`, `dns`, `tcp`, `tls`, `login`, `clock`, `latency`, or an operationId. */
  name: string;
  /** The outcome. */
  status: StepStatus;
  /** What was found, or what went wrong (secrets redacted, control characters escaped). */
  detail: string;
  /** How long it took, in milliseconds. */
  ms?: number;
}

/**
 * The report of {@linkcode diagnose}: attach its JSON to a bug report.
 *
 * @example
 * ```ts ignore
 * const report = await diagnose({ host: "https://swanlab.example.com" });
 * if (!report.ok) console.log(report.steps.filter((s) => s.status === "fail"));
 * ```
 */
export interface Diagnosis {
  /** Whether no step failed and no response drifted. */
  ok: boolean;
  /** The API host checked. */
  host: string;
  /** Where the API key was found; `null` when none was. */
  credentialSource: CredentialSource | null;
  /** The proxy used for the API host (credentials hidden); `null` for a direct connection. */
  proxy: string | null;
  /** The swanlab-ts version. */
  version: string;
  /** The JavaScript runtime, e.g. `deno 2.1.0`. */
  runtime: string;
  /** The steps, in order. */
  steps: DiagnosisStep[];
  /**
   * Every drifted field of every response, once per operation and field: the findings of the
   * strict check and of the always-on policy, as the client's `onDrift` receives them.
   */
  drifts: Drift[];
}

/**
 * Options of {@linkcode diagnose}: the client options that locate the server and the key.
 *
 * @example
 * ```ts
 * import type { DiagnoseOptions } from "./diagnose.ts";
 *
 * const options: DiagnoseOptions = { host: "http://127.0.0.1:8000", timeoutMs: 5000 };
 * ```
 */
export type DiagnoseOptions =
  & Pick<ClientOptions, "host" | "apiKey" | "env" | "cwd" | "fetch">
  & {
    /**
     * Timeout of each network step and call, in milliseconds.
     * @default 10000
     */
    timeoutMs?: number;
  };

const SKEW_WARN_S = 60;
const SKEW_FAIL_S = 300;
const SLOW_MS = 2000;

type Run = components["schemas"]["Run"];

/**
 * Checks a server step by step and validates one response of every query endpoint the key may
 * use. Never throws for a failing server: failures are steps of the report.
 *
 * @param options Host, key and environment, as for a client.
 * @returns The report; `ok` is false when a step failed or a response drifted.
 *
 * @example Check the local server
 * ```ts ignore
 * import { diagnose } from "./diagnose.ts";
 *
 * const report = await diagnose({ host: "http://127.0.0.1:8000", apiKey: "KEY" });
 * console.log(report.ok, report.steps.map((s) => `${s.name}: ${s.status}`));
 * ```
 */
export async function diagnose(options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const env = options.env ?? processEnv();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const steps: DiagnosisStep[] = [];
  const drifts: Drift[] = [];
  const add = (step: DiagnosisStep) => steps.push({ ...step, detail: terminalText(step.detail) });

  // 1. Credentials and host (the key itself is never shown).
  let source: CredentialSource | null = null;
  let host: string;
  try {
    const credentials = await resolveCredentials({
      apiKey: options.apiKey,
      host: options.host,
      env,
      cwd: options.cwd,
    });
    source = credentials.source;
    host = credentials.apiHost;
    add({ name: "credentials", status: "ok", detail: `API key from ${describeSource(source)}` });
  } catch (error) {
    try {
      host = resolveHosts(options.host ?? readEnv(env, "SWANLAB_API_HOST")).apiHost;
    } catch (hostError) {
      add({ name: "credentials", status: "fail", detail: message(hostError) });
      return report(options.host ?? "", null, null, steps, drifts);
    }
    add({ name: "credentials", status: "fail", detail: message(error) });
  }
  const url = new URL(host);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const hostname = url.hostname.replace(/^\[|\]$/g, "");

  // 2. Proxy.
  const proxy = options.fetch === undefined ? proxyFor(host, env) : undefined;
  add({
    name: "proxy",
    status: "ok",
    detail: proxy ? `${displayProxy(proxy.url)} (from ${proxy.variable})` : "none (direct)",
  });

  // 3-5. DNS, TCP, TLS.
  const network = await networkSteps(hostname, port, url.protocol, proxy?.url, timeoutMs);
  for (const step of network) add(step);
  const reachable = !network.some((s) => s.status === "fail" && s.name !== "dns") &&
    !network.some((s) => s.name === "dns" && s.status === "fail" && proxy === undefined);

  // 6. Clock skew, from the `Date` header of a request without credentials.
  if (reachable) {
    add(await clockStep(host, options.fetch ?? createProxyFetch(env), timeoutMs));
  }

  // 7. Login, latency and the query endpoints.
  if (reachable && source !== null) {
    let transport: Transport | undefined;
    try {
      transport = await Transport.create({
        ...options,
        env,
        host,
        timeoutMs,
        maxRetries: 1,
        // The drift policy in strict mode: every finding comes to onDrift (essential ones too,
        // before their call fails), the same records a client's onDrift receives.
        validateResponses: "warn",
        onDrift: (drift) =>
          drifts.push({
            ...drift,
            field: terminalText(drift.field),
            expected: terminalText(drift.expected),
            got: terminalText(drift.got),
          }),
      });
    } catch (error) {
      add({ name: "login", status: "fail", detail: message(error) });
    }
    if (transport) await apiSteps(transport, add, drifts);
  } else {
    add({
      name: "login",
      status: "skip",
      detail: reachable ? "no API key for this host" : `${host} cannot be reached`,
    });
  }
  return report(host, source, proxy ? displayProxy(proxy.url) : null, steps, drifts);
}

function report(
  host: string,
  source: CredentialSource | null,
  proxy: string | null,
  steps: DiagnosisStep[],
  drifts: Drift[],
): Diagnosis {
  return {
    ok: steps.every((s) => s.status !== "fail") && drifts.length === 0,
    host,
    credentialSource: source,
    proxy,
    version: VERSION,
    runtime: runtimeName(),
    steps,
    drifts,
  };
}

function describeSource(source: CredentialSource): string {
  return {
    options: "the command line / client options",
    login: "the in-process login() session",
    env: "SWANLAB_API_KEY",
    netrc: "the SwanLab .netrc",
  }[source];
}

function runtimeName(): string {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    Bun?: { version?: string };
    process?: { versions?: { node?: string } };
  };
  if (g.Deno?.version?.deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun?.version) return `bun ${g.Bun.version}`;
  return `node ${g.process?.versions?.node ?? "unknown"}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function networkSteps(
  hostname: string,
  port: number,
  protocol: string,
  proxyUrl: string | undefined,
  timeoutMs: number,
): Promise<DiagnosisStep[]> {
  const steps: DiagnosisStep[] = [];
  const { isIP } = await import("node:net");
  // DNS.
  if (isIP(hostname) !== 0) {
    steps.push({ name: "dns", status: "skip", detail: `${hostname} is an IP address` });
  } else {
    try {
      const { lookup } = await import("node:dns/promises");
      const { value, ms } = await timed(() =>
        withTimeout(lookup(hostname, { all: true }), timeoutMs, `DNS lookup of ${hostname}`)
      );
      steps.push({
        name: "dns",
        status: "ok",
        detail: `${hostname} -> ${value.map((a) => a.address).join(", ")}`,
        ms,
      });
    } catch (error) {
      steps.push({
        // Through a proxy, the proxy resolves the name: a local failure is only a warning.
        name: "dns",
        status: proxyUrl === undefined ? "fail" : "warn",
        detail: `Cannot resolve ${hostname}: ${message(error)}`,
      });
      if (proxyUrl === undefined) {
        steps.push({ name: "tcp", status: "skip", detail: "no address" });
        return steps;
      }
    }
  }
  // TCP, to the proxy when there is one.
  const target = proxyUrl === undefined ? { host: hostname, port } : (() => {
    const p = new URL(proxyUrl);
    return {
      host: p.hostname.replace(/^\[|\]$/g, ""),
      port: Number(p.port || (p.protocol === "https:" ? 443 : 80)),
    };
  })();
  const label = `${target.host}:${target.port}${proxyUrl === undefined ? "" : " (proxy)"}`;
  try {
    const { ms } = await timed(() => connect(target.host, target.port, timeoutMs));
    steps.push({ name: "tcp", status: "ok", detail: `connected to ${label}`, ms });
  } catch (error) {
    steps.push({
      name: "tcp",
      status: "fail",
      detail: `Cannot connect to ${label}: ${message(error)}`,
    });
    return steps;
  }
  // TLS.
  if (protocol !== "https:") {
    steps.push({ name: "tls", status: "skip", detail: "http host: no TLS" });
  } else if (proxyUrl !== undefined) {
    steps.push({ name: "tls", status: "skip", detail: "not checked through a proxy" });
  } else {
    try {
      const { value, ms } = await timed(() => handshake(hostname, port, timeoutMs));
      steps.push({
        name: "tls",
        status: value.authorized ? "ok" : "fail",
        detail: value.detail,
        ms,
      });
    } catch (error) {
      const reason = message(error);
      const hint = plainHttpHint(`https://${hostname}:${port}`, reason);
      steps.push({
        name: "tls",
        status: "fail",
        detail: `TLS handshake failed: ${reason}${hint === undefined ? "" : `. ${hint}`}`,
      });
    }
  }
  return steps;
}

async function connect(host: string, port: number, timeoutMs: number): Promise<void> {
  const net = await import("node:net");
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end();
      socket.destroy();
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

async function handshake(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ authorized: boolean; detail: string }> {
  const tls = await import("node:tls");
  const { isIP } = await import("node:net");
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      const until = cert?.valid_to ? `, certificate valid until ${cert.valid_to}` : "";
      const authorized = socket.authorized;
      const detail = authorized
        ? `${socket.getProtocol() ?? "TLS"}${until}`
        : `certificate not trusted: ${String(socket.authorizationError)}`;
      socket.end();
      socket.destroy();
      resolve({ authorized, detail });
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

async function clockStep(
  host: string,
  fetch: typeof globalThis.fetch,
  timeoutMs: number,
): Promise<DiagnosisStep> {
  try {
    const before = Date.now();
    // No credentials: any answer (even 404) carries the server's `Date`.
    const response = await fetch(`${host}/api`, {
      credentials: "omit",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const after = Date.now();
    await response.body?.cancel();
    const date = response.headers.get("date");
    const serverMs = date === null ? NaN : Date.parse(date);
    if (Number.isNaN(serverMs)) {
      return { name: "clock", status: "warn", detail: "the server sent no Date header" };
    }
    // `Date` has a resolution of one second: the skew is known to about ±1 s.
    const skew = Math.round((serverMs + 500 - (before + after) / 2) / 1000);
    const status = Math.abs(skew) > SKEW_FAIL_S
      ? "fail"
      : Math.abs(skew) > SKEW_WARN_S
      ? "warn"
      : "ok";
    const sign = skew > 0 ? "+" : "";
    return {
      name: "clock",
      status,
      detail: `server clock ${sign}${skew} s from this machine's`,
      ms: after - before,
    };
  } catch (error) {
    return {
      name: "clock",
      status: "fail",
      detail: `Cannot read the server's Date: ${message(error)}`,
    };
  }
}

type Add = (step: DiagnosisStep) => void;

async function apiSteps(transport: Transport, add: Add, drifts: Drift[]): Promise<void> {
  // Login.
  let username: string;
  try {
    const { value, ms } = await timed(() => transport.session());
    username = value.username;
    add({ name: "login", status: "ok", detail: `logged in as ${username || "(no username)"}`, ms });
  } catch (error) {
    add({ name: "login", status: "fail", detail: message(error) });
    return;
  }
  // Latency: three small reads.
  const times: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      times.push((await timed(() => transport.call((api) => api.GET("/user/profile")))).ms);
    }
    const median = [...times].sort((a, b) => a - b)[1]!;
    add({
      name: "latency",
      status: median > SLOW_MS ? "warn" : "ok",
      detail: `median ${median} ms over 3 calls (min ${Math.min(...times)} ms)`,
      ms: median,
    });
  } catch (error) {
    add({ name: "latency", status: "fail", detail: message(error) });
  }

  // One call per query endpoint; each result feeds the next (a workspace, a project, a run).
  const probe = async <T>(
    operation: string,
    call: () => Promise<T>,
    describe: (value: T) => string,
    optional = false,
  ): Promise<T | undefined> => {
    const before = drifts.length;
    try {
      const { value, ms } = await timed(call);
      const drifted = drifts.slice(before).filter((d) => d.operation === operation).length;
      add({
        name: operation,
        status: drifted > 0 ? "fail" : "ok",
        detail: drifted > 0 ? `${drifted} drifted field(s); ${describe(value)}` : describe(value),
        ms,
      });
      return value;
    } catch (error) {
      const denied = error instanceof ApiError && [403, 404].includes(error.status);
      add({
        name: operation,
        status: optional && denied ? "skip" : "fail",
        detail: optional && denied ? `not available to this key (${error.status})` : message(error),
      });
      return undefined;
    }
  };
  const skip = (operation: string, why: string) =>
    add({ name: operation, status: "skip", detail: why });
  const t = transport;
  const size = (value: unknown) =>
    Array.isArray(value) ? `${value.length} item(s)` : isRecord(value) ? "an object" : typeof value;

  await probe("getUserProfile", () => t.call((api) => api.GET("/user/profile")), size);
  const workspaces = await probe(
    "listWorkspaces",
    () => t.call((api) => api.GET("/user/{username}/groups", { params: { path: { username } } })),
    size,
  );
  await probe(
    "getWorkspace",
    () => t.call((api) => api.GET("/group/{username}", { params: { path: { username } } })),
    size,
  );
  // The first workspace with a project, then its first project with a run.
  const names = [
    username,
    ...(Array.isArray(workspaces) ? workspaces : [])
      .map((w) => (isRecord(w) ? w["username"] : undefined))
      .filter((n): n is string => typeof n === "string" && n !== username),
  ];
  let owner: string | undefined;
  let project: string | undefined;
  const listProjects = (name: string) =>
    t.call((api) =>
      api.GET("/project/{username}", {
        params: { path: { username: name }, query: { page: 1, size: 10, detail: "True" } },
      })
    );
  for (const [i, name] of names.entries()) {
    // The personal workspace's listing is the step; other workspaces are only looked into.
    const page = i === 0
      ? await probe(
        "listProjects",
        () => listProjects(name),
        (v) => `${isRecord(v) ? v["total"] : "?"} project(s) in ${name}`,
      )
      : await listProjects(name).catch(() => undefined);
    const first = isRecord(page) && Array.isArray(page["list"]) ? page["list"][0] : undefined;
    if (isRecord(first) && typeof first["name"] === "string") {
      owner = name;
      project = first["name"];
      break;
    }
  }
  if (owner === undefined || project === undefined) {
    for (const op of RUN_OPERATIONS) skip(op, "no project found to query");
  } else {
    await projectSteps({ t, probe, skip, add }, owner, project, size);
  }

  // Self-hosted administration: only where the server has it and the key may use it.
  const info = await probe(
    "getSelfHostedInfo",
    () => t.call((api) => api.GET("/self_hosted/info")),
    size,
    true,
  );
  const page = { params: { query: { page: 1, size: 10 } } } as const;
  if (info === undefined) {
    for (const op of ADMIN_OPERATIONS) skip(op, "not a self-hosted server, or not available");
  } else {
    await probe(
      "listSelfHostedUsers",
      () => t.call((api) => api.GET("/self_hosted/users", page)),
      size,
      true,
    );
    await probe(
      "listSelfHostedProjects",
      () => t.call((api) => api.GET("/self_hosted/projects", page)),
      size,
      true,
    );
    await probe(
      "listSelfHostedGroups",
      () => t.call((api) => api.GET("/self_hosted/groups", page)),
      size,
      true,
    );
    await probe(
      "getSelfHostedSummary",
      () => t.call((api) => api.GET("/self_hosted/summary")),
      size,
      true,
    );
  }
}

type Probe = <T>(
  operation: string,
  call: () => Promise<T>,
  describe: (value: T) => string,
  optional?: boolean,
) => Promise<T | undefined>;

const RUN_OPERATIONS = [
  "getProject",
  "listRuns",
  "filterRuns",
  "getRun",
  "listColumns",
  "listScalarKeys",
  "listMediaKeys",
  "getScalarAvailability",
  "getMediaAvailability",
  "getScalarMetrics",
  "getScalarStats",
  "exportScalarCsv",
  "presignFiles",
  "getMediaAtStep",
  "getMediaAllSteps",
  "presignResources",
  "getLogs",
  "exportLogs",
  "getSummaries",
] as const;

const ADMIN_OPERATIONS = [
  "listSelfHostedUsers",
  "listSelfHostedProjects",
  "listSelfHostedGroups",
  "getSelfHostedSummary",
] as const;

interface Steps {
  t: Transport;
  probe: Probe;
  skip: (operation: string, why: string) => void;
  add: Add;
}

async function projectSteps(
  steps: Steps,
  username: string,
  project: string,
  size: (value: unknown) => string,
): Promise<void> {
  const { t, probe, skip } = steps;
  const path = { username, project };
  const info = await probe(
    "getProject",
    () => t.call((api) => api.GET("/project/{username}/{project}", { params: { path } })),
    () => `${username}/${project}`,
  );
  const runs = await probe(
    "listRuns",
    () =>
      t.call((api) =>
        api.GET("/project/{username}/{project}/runs", {
          params: { path, query: { page: 1, size: 10 } },
        })
      ),
    (v) => `${isRecord(v) ? v["total"] : "?"} run(s)`,
  );
  await probe(
    "filterRuns",
    () =>
      t.call((api) =>
        api.POST("/project/{username}/{project}/runs/shows", {
          params: { path },
          body: { filters: [], groups: [], sorts: [] },
        })
      ),
    size,
  );
  const firstRun = isRecord(runs) && Array.isArray(runs["list"]) ? runs["list"][0] : undefined;
  const cuid = isRecord(firstRun) && typeof firstRun["cuid"] === "string"
    ? firstRun["cuid"]
    : undefined;
  const rest = RUN_OPERATIONS.slice(3);
  if (cuid === undefined) {
    for (const op of rest) skip(op, "no run found to query");
    return;
  }
  const run = await probe(
    "getRun",
    () =>
      t.call((api) =>
        api.GET("/project/{username}/{project}/runs/{run}", {
          params: { path: { ...path, run: cuid } },
        })
      ),
    () => `run ${cuid}`,
  ) as Run | undefined;
  await probe(
    "listColumns",
    () =>
      t.call((api) =>
        api.GET("/experiment/{cuid}/column", {
          params: { path: { cuid }, query: { page: 1, size: 10 } },
        })
      ),
    size,
  );
  const projectId = (isRecord(run) && typeof run["project_id"] === "string" && run["project_id"]) ||
    (isRecord(info) && typeof info["cuid"] === "string" ? info["cuid"] : undefined);
  const createdAtText = isRecord(run) ? run["createdAt"] : undefined;
  const createdAt = typeof createdAtText === "string"
    ? Math.floor(Date.parse(createdAtText) / 1000)
    : NaN;
  if (projectId === undefined || !Number.isFinite(createdAt)) {
    for (const op of rest.slice(1)) {
      skip(op, "the run has no project cuid or creation time to query with");
    }
    return;
  }
  const experiment = { projectId, experimentId: cuid, createdAt };
  const keysBody = { experiments: [experiment], limit: 2000, cursor: "" };
  const scalarKeys = await probe(
    "listScalarKeys",
    () => t.call((api) => api.POST("/house/metrics/scalar/keys", { body: keysBody })),
    (v) => `${isRecord(v) && Array.isArray(v["keys"]) ? v["keys"].length : "?"} key(s)`,
  );
  const mediaKeys = await probe(
    "listMediaKeys",
    () => t.call((api) => api.POST("/house/metrics/media/keys", { body: keysBody })),
    (v) => `${isRecord(v) && Array.isArray(v["keys"]) ? v["keys"].length : "?"} key(s)`,
  );
  const firstKey = (v: unknown) => {
    const keys = isRecord(v) && Array.isArray(v["keys"]) ? v["keys"] : [];
    return keys.find((k): k is string => typeof k === "string" && k !== "");
  };
  const scalarKey = firstKey(scalarKeys);
  const mediaKey = firstKey(mediaKeys);
  await probe(
    "getScalarAvailability",
    () =>
      t.call((api) =>
        api.POST("/house/metrics/scalar/availability", {
          body: { keys: scalarKey ? [scalarKey] : [], experiments: [experiment] },
        })
      ),
    size,
  );
  await probe(
    "getMediaAvailability",
    () =>
      t.call((api) =>
        api.POST("/house/metrics/media/availability", {
          body: { keys: mediaKey ? [mediaKey] : [], experiments: [experiment] },
        })
      ),
    size,
  );
  if (scalarKey === undefined) {
    for (const op of ["getScalarMetrics", "getScalarStats", "exportScalarCsv", "presignFiles"]) {
      skip(op, "the run has no scalar metric");
    }
  } else {
    const column = { experimentId: cuid, key: scalarKey, createdAt };
    const body = { projectId, xType: "step" as const, range: [0, 0], columns: [column], num: 10 };
    await probe(
      "getScalarMetrics",
      () => t.call((api) => api.POST("/house/metrics/scalar", { body })),
      size,
    );
    await probe(
      "getScalarStats",
      () => t.call((api) => api.POST("/house/metrics/scalar/value", { body })),
      size,
    );
    const exported = await probe(
      "exportScalarCsv",
      () =>
        t.call((api) =>
          api.POST("/house/metrics/scalar/export", {
            body: {
              projectId,
              columns: [{ ...column, experimentName: isRecord(run) ? String(run["name"]) : cuid }],
            },
          })
        ),
      () => "export started",
    );
    const cosKey = isRecord(exported) && typeof exported["cosKey"] === "string"
      ? exported["cosKey"]
      : undefined;
    if (cosKey === undefined) skip("presignFiles", "no export to presign");
    else {
      await presignAndDownload(
        steps,
        "presignFiles",
        () => t.call((api) => api.POST("/files/presigned/get", { body: { paths: [cosKey] } })),
      );
    }
  }
  if (mediaKey === undefined) {
    for (const op of ["getMediaAtStep", "getMediaAllSteps", "presignResources"]) {
      skip(op, "the run has no media metric");
    }
  } else {
    const body = { projectId, columns: [{ experimentId: cuid, key: mediaKey, createdAt }] };
    const all = await probe(
      "getMediaAllSteps",
      () => t.call((api) => api.POST("/house/metrics/f_media", { body })),
      size,
    );
    const firstItem = firstMediaItem(all);
    await probe(
      "getMediaAtStep",
      () =>
        t.call((api) =>
          api.POST("/house/metrics/media", {
            body: { ...body, ...(firstItem ? { step: firstItem.index } : {}) },
          })
        ),
      size,
    );
    if (firstItem === undefined) skip("presignResources", "no media file to presign");
    else {
      await presignAndDownload(
        steps,
        "presignResources",
        () =>
          t.call((api) =>
            api.POST("/resources/presigned/get", {
              body: { prefix: `${projectId}/${cuid}`, paths: [firstItem.path] },
            })
          ),
      );
    }
  }
  await probe(
    "getLogs",
    () =>
      t.call((api) =>
        api.GET("/house/metrics/log", {
          params: {
            query: {
              projectId,
              experimentId: cuid,
              size: 1000,
              epoch: 0,
              level: "INFO",
              createdAt,
            },
          },
        })
      ),
    (v) => `${isRecord(v) && Array.isArray(v["logs"]) ? v["logs"].length : "?"} line(s)`,
  );
  await probe(
    "exportLogs",
    () =>
      t.call((api) =>
        api.POST("/house/metrics/log/export", {
          body: { projectId, experimentId: cuid, start: 0, rows: 10, createdAt },
        })
      ),
    () => "export started",
  );
  await probe(
    "getSummaries",
    () =>
      t.call((api) =>
        api.POST("/house/metrics/summaries", { body: { experiments: [experiment] } })
      ),
    size,
  );
}

// Presigns, then downloads the first URL without credentials (proves storage is reachable).
async function presignAndDownload(
  { t, probe, add }: Steps,
  operation: string,
  call: () => Promise<unknown>,
): Promise<void> {
  const presigned = await probe(operation, call, (v) => {
    const urls = isRecord(v) && Array.isArray(v["urls"]) ? v["urls"] : [];
    return `${urls.length} URL(s)`;
  });
  const first = isRecord(presigned) && Array.isArray(presigned["urls"])
    ? presigned["urls"][0]
    : undefined;
  if (typeof first !== "string") return;
  const name = `download (${operation})`;
  try {
    const { value, ms } = await timed(() => t.download(first, { maxRetries: 1 }));
    await value.body?.cancel();
    add({ name, status: "ok", detail: `storage answered ${value.status}`, ms });
  } catch (error) {
    add({ name, status: "fail", detail: message(error) });
  }
}

function firstMediaItem(value: unknown): { index: number; path: string } | undefined {
  for (const s of Array.isArray(value) ? value : []) {
    if (!isRecord(s) || !Array.isArray(s["metrics"])) continue;
    for (const item of s["metrics"]) {
      if (!isRecord(item) || typeof item["index"] !== "number" || !Array.isArray(item["data"])) {
        continue;
      }
      const path = item["data"].find((p): p is string => typeof p === "string" && p !== "");
      if (path !== undefined) return { index: item["index"], path };
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
