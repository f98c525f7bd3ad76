/**
 * `mirror()`: copies what the query API can read of a workspace, project or run into a local
 * directory (format: `mirror_format.ts`, `docs/MIRROR_FORMAT.md`), incrementally and resumably.
 * It never prints or exits: it reports progress through a callback and returns a report.
 *
 * @module
 */

import { join } from "node:path";
import type { ClientOptions } from "../core/client_options.ts";
import { writeFileAtomic } from "../core/atomic_file.ts";
import { AbortError, ApiError, ResponseError, ValidationError } from "../core/errors.ts";
import { Limiter } from "../core/limiter.ts";
import { mapLimited } from "../core/map_limited.ts";
import { settleAll } from "../core/settle_all.ts";
import { Api } from "../entities/api.ts";
import type { Project, ProjectRunsOptions } from "../entities/project.ts";
import { type Run, runCore } from "../entities/run.ts";
import {
  collectGarbage,
  hasFile,
  prepareDir,
  readJournal,
  readJson,
  sha256Hex,
  writeHashed,
  writeIfMissing,
  writeJournal,
} from "./_mirror_dir.ts";
import { manifestText, readManifest } from "./manifest.ts";
import {
  type FileRef,
  type Manifest,
  type ManifestRun,
  type MediaItem,
  MIRROR_FORMAT,
  MIRROR_VERSION,
  pointsDir,
  runDir,
  type RunDocument,
  type UserDocument,
} from "./mirror_format.ts";
import { paceMetricRows } from "../metrics/scan_metrics.ts";
import { PointsEncoder } from "./points_parquet.ts";
import { HashedFileSink } from "./_hashed_file_sink.ts";
import { PARQUET_COMPRESSIONS, type ParquetCompression } from "../export/parquet_options.ts";
import { planSync, type RemoteRun, type SyncStep } from "./sync_plan.ts";

/**
 * Options of {@link mirror}: the client options plus what to copy where.
 *
 * @example Mirror a project without media
 * ```ts ignore
 * const options: MirrorOptions = { out: "backup", media: false, apiKey: "…" };
 * ```
 */
export interface MirrorOptions extends ClientOptions {
  /** A ready client to use (its options win over the client options given here). */
  api?: Api;
  /** The mirror directory (created if missing; its parent must exist). */
  out: string;
  /** Only plan: list what would be fetched, send only list and metadata requests, write nothing. */
  dryRun?: boolean;
  /** Run filters, groups and sorts, as `project.runs()` takes them. */
  filter?: ProjectRunsOptions;
  /** At most this many runs per project (the first ones of the listing). */
  runs?: number;
  /** Only runs created at or after this time (ISO date or `Date`). */
  since?: string | Date;
  /**
   * Copy media files.
   * @default true
   */
  media?: boolean;
  /**
   * Runs copied at the same time, each downloading up to four media files at once. Encoding
   * Parquet is CPU-bound: on a fast link more than 2 rarely helps and costs memory; over a slow
   * one (round trips of tens of milliseconds), more runs at once shorten the sync.
   * @default 2
   */
  parallelRuns?: number;
  /**
   * Compression of the Parquet points files. Snappy files are about a third smaller; writing
   * them costs about twice the CPU of encoding them uncompressed (pure JavaScript).
   * @default "SNAPPY"
   */
  compression?: ParquetCompression;
  /** Cancels the mirror; what is complete is kept for the next attempt. */
  signal?: AbortSignal;
  /** Receives progress per phase. */
  onProgress?: (progress: MirrorProgress) => void;
  /** The clock of `syncedAt` (tests pin it). */
  now?: () => Date;
}

/**
 * Progress of one phase.
 *
 * @example Print progress
 * ```ts
 * import type { MirrorProgress } from "./mirror.ts";
 * const show = (p: MirrorProgress) => console.error(`${p.phase} ${p.done}/${p.total}`);
 * ```
 */
export interface MirrorProgress {
  /** `metadata` (runs inspected), `points`, `logs`, `media` (runs done) or `commit`. */
  phase: "metadata" | "points" | "logs" | "media" | "commit";
  /** Items done. */
  done: number;
  /** Items in all (grows while runs are listed). */
  total: number;
}

/**
 * What a mirror did.
 *
 * @example Print the summary
 * ```ts ignore
 * const r = await mirror("vision-lab", { out: "backup" });
 * console.log(`${r.runs.total} runs, ${r.points} points, ${r.bytesWritten} bytes`);
 * ```
 */
export interface MirrorReport {
  /** The mirror directory. */
  out: string;
  /** What was mirrored. */
  scope: string;
  /** The source API host. */
  host: string;
  /** Whether this was only a plan. */
  dryRun: boolean;
  /** Runs: selected, fetched, kept as they were. */
  runs: { total: number; fetched: number; kept: number };
  /** One step per selected run. */
  plan: SyncStep[];
  /** Points in the mirror (after this sync). */
  points: number;
  /** Log lines in the mirror. */
  logLines: number;
  /** Media files in the mirror. */
  mediaFiles: number;
  /** Files written by this sync (0 when nothing changed). */
  filesWritten: number;
  /** Bytes written by this sync. */
  bytesWritten: number;
  /** Whether a new manifest was committed. */
  committed: boolean;
  /** Wall time in milliseconds. */
  durationMs: number;
}

interface ScopePath {
  workspace: string;
  project?: string;
  run?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function parseScope(target: string): ScopePath {
  if (typeof target !== "string" || target.trim() === "") {
    throw new ValidationError("target", "Cannot mirror: the target is empty");
  }
  const parts = target.split("/");
  if (parts.length > 3 || parts.some((p) => !NAME.test(p))) {
    throw new ValidationError(
      "target",
      `Cannot parse target "${target}": expected "workspace", "workspace/project" or "workspace/project/run"`,
    );
  }
  const [workspace, project, run] = parts as [string, string?, string?];
  return { workspace, ...(project ? { project } : {}), ...(run ? { run } : {}) };
}

function parseSince(since: string | Date | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = since instanceof Date ? since.getTime() : Date.parse(since);
  if (!Number.isFinite(ms)) {
    throw new ValidationError(
      "since",
      `Cannot parse since "${String(since)}": expected an ISO date`,
    );
  }
  return ms;
}

/** A run selected for the sync: what the plan compares, and the listing's run to fetch it with. */
type RemoteRunInfo = RemoteRun & { project: string; summary: Record<string, unknown>; run: Run };

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError("MIRROR", "mirror");
}

function extOf(path: string, contentType: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(path);
  if (m) return m[1]!.toLowerCase();
  const sub = /^[a-z]+\/([a-z0-9]+)/.exec(contentType)?.[1];
  return sub ?? "bin";
}

/** The object path of a presigned URL below the run's `<projectCuid>/<runCuid>/` prefix. */
function objectPath(url: string, prefix: string): string {
  const path = new URL(url).pathname.slice(1).split("/").map(decodeURIComponent).join("/");
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : path;
}

/**
 * Downloads a presigned URL through the client (no credentials; its fetch, proxy, timeout and
 * retries of failed requests), retrying a body that ends short or breaks off: a stored media
 * file is whole or the mirror fails.
 */
async function download(
  api: Api,
  url: string,
  signal: AbortSignal | undefined,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: string }> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    checkAborted(signal);
    try {
      const res = await api.download(url, signal ? { signal } : {});
      const bytes = new Uint8Array(await res.arrayBuffer());
      const declared = Number(res.headers.get("content-length") ?? NaN);
      if (Number.isFinite(declared) && bytes.byteLength !== declared) {
        last = new Error(`the body ended after ${bytes.byteLength} of ${declared} bytes`);
        continue;
      }
      return { bytes, contentType: res.headers.get("content-type") ?? "application/octet-stream" };
    } catch (error) {
      if (signal?.aborted) throw new AbortError("GET", "media download", { cause: error });
      // The client already retried what can be retried; an HTTP error (403: expired) is final.
      if (error instanceof ApiError) throw error;
      last = error;
    }
  }
  // The URL holds a signature: the message names neither.
  throw new ResponseError(
    `Cannot download a media file: ${last instanceof Error ? last.message : String(last)}`,
  );
}

/**
 * Mirrors `target` (`workspace`, `workspace/project` or `workspace/project/run`) into
 * `options.out`: metadata, every scalar point (Parquet), logs and media. Run again, it fetches
 * only runs that changed, and after an interruption it resumes with the runs not yet complete.
 * The manifest is written last: the directory always holds the previous complete mirror or the
 * new one.
 *
 * @param target What to mirror.
 * @param options Where, filters, and client options (key, host, retries …).
 * @returns The report.
 * @throws {ValidationError} For a bad target or option, or an output directory that is a file,
 * not writable, not a mirror, another host's mirror, or of an unknown format version (before
 * anything is written).
 * @throws {ApiError} (or a subclass), {@linkcode ConnectionError} or {@linkcode AbortError} when
 * a request fails; files completed so far stay for the next attempt, the manifest is unchanged.
 *
 * @example Mirror a project
 * ```ts ignore
 * import { mirror } from "@swanlab-ts/api";
 *
 * const report = await mirror("my-team/my-project", { out: "backup" });
 * console.log(report.runs.fetched, report.points);
 * ```
 */
export async function mirror(target: string, options: MirrorOptions): Promise<MirrorReport> {
  const started = Date.now();
  const scope = parseScope(target);
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", "Cannot parse options: expected an object");
  }
  const { out, dryRun = false, filter, signal, onProgress } = options;
  const media = options.media ?? true;
  const since = parseSince(options.since);
  const maxRuns = options.runs;
  if (maxRuns !== undefined && (!Number.isSafeInteger(maxRuns) || maxRuns < 1)) {
    throw new ValidationError("runs", `Cannot parse runs ${maxRuns}: expected an integer >= 1`);
  }
  const parallel = options.parallelRuns ?? 2;
  if (!Number.isSafeInteger(parallel) || parallel < 1) {
    throw new ValidationError(
      "parallelRuns",
      `Cannot parse parallelRuns ${parallel}: expected an integer >= 1`,
    );
  }
  const now = options.now ?? (() => new Date());
  const compression = options.compression ?? "SNAPPY";
  if (!PARQUET_COMPRESSIONS.includes(compression)) {
    throw new ValidationError(
      "compression",
      `Cannot parse compression "${String(compression)}": expected ${
        PARQUET_COMPRESSIONS.join(" or ")
      }`,
    );
  }
  // Before any request: a mirror that cannot be written fails here, not after its downloads.
  await prepareDir(out, { create: false, writable: !dryRun });
  const previous = await readManifest(out);
  const scopeText = [scope.workspace, scope.project, scope.run].filter(Boolean).join("/");
  if (previous && previous.scope !== scopeText) {
    throw new ValidationError(
      "out",
      `Cannot mirror "${scopeText}" to "${out}": it holds a mirror of "${previous.scope}"`,
    );
  }

  const {
    api: given,
    out: _out,
    dryRun: _d,
    filter: _f,
    runs: _r,
    since: _s,
    media: _m,
    parallelRuns: _p,
    compression: _c,
    signal: _sig,
    onProgress: _op,
    now: _n,
    ...clientOptions
  } = options;
  const api = given ?? new Api(clientOptions);
  const username = await api.username;
  // The client's transport (an entity's core holds the client's context; the placeholder run is
  // never loaded): its normalized API host, and its limiter.
  const transport = await runCore(api.run("_/_/_")).ctx.transport();
  const host = transport.apiHost;
  if (previous && previous.source.host !== host) {
    throw new ValidationError(
      "out",
      `Cannot mirror to "${out}": it holds a mirror of ${previous.source.host}, not ${host}`,
    );
  }
  checkAborted(signal);

  const progress = { metadata: 0, points: 0, logs: 0, media: 0, total: 0 };
  const emit = (phase: MirrorProgress["phase"], committed = 0): void => {
    onProgress?.({
      phase,
      done: phase === "commit" ? committed : progress[phase],
      total: phase === "commit" ? 1 : progress.total,
    });
  };

  // Metadata: the user, their workspaces (at the same time), the projects and the selected runs.
  const [selfHosted, userJson, workspaces] = await settleAll([
    api.selfHosted().json().then(
      (info): Record<string, unknown> => ({ ...info }),
      (error) => {
        // Not a self-hosted deployment, or the key may not read it: recorded as unavailable.
        if (!(error instanceof ApiError)) throw error;
        return null;
      },
    ),
    api.user().json(),
    (async () => {
      const list: Record<string, unknown>[] = [];
      for await (const ws of api.workspaces(username)) list.push({ ...(await ws.json()) });
      return list;
    })(),
  ]);
  const userDoc: UserDocument = { user: { ...userJson }, workspaces, selfHosted };
  const projects: { path: string; project: Project; json: Record<string, unknown> }[] = [];
  if (scope.project) {
    const p = api.project(`${scope.workspace}/${scope.project}`);
    projects.push({
      path: `${scope.workspace}/${scope.project}`,
      project: p,
      json: { ...(await p.json()) },
    });
  } else {
    for await (const p of api.workspace(scope.workspace).projects({ all: true })) {
      const name = await p.name;
      projects.push({
        path: `${scope.workspace}/${name}`,
        project: p,
        json: { ...(await p.json()) },
      });
    }
  }
  const remote: RemoteRunInfo[] = [];
  // Records and summaries several runs at a time, under the client's limiter: one after the
  // other, every run cost a round trip or two before anything was downloaded, and an incremental
  // sync of a project of hundreds of runs (summaries only) was that many round trips long.
  const clientLimiter = transport.limiter;
  for (const p of projects) {
    checkAborted(signal);
    const runs: Run[] = [];
    if (scope.run) runs.push(api.run(`${p.path}/${scope.run}`));
    else for await (const run of p.project.runs(filter ?? {})) runs.push(run);
    // The selection keeps the listing's order; records (most come with the listing) are read a
    // window at a time, so that `runs` reads at most one window past the last run it takes.
    const selected: { run: Run; record: Record<string, unknown> }[] = [];
    const window = clientLimiter.concurrency;
    for (let from = 0; from < runs.length; from += window) {
      if (maxRuns !== undefined && selected.length >= maxRuns) break;
      const part = runs.slice(from, from + window);
      const records = await mapLimited(part, clientLimiter, (run) => runCore(run).full());
      for (let i = 0; i < part.length; i++) {
        const record = records[i]!;
        const createdAt = Date.parse(String(record.createdAt ?? ""));
        if (since !== undefined && !(createdAt >= since)) continue;
        if (maxRuns !== undefined && selected.length >= maxRuns) break;
        selected.push({ run: part[i]!, record });
      }
    }
    progress.total += selected.length;
    const summaries = await mapLimited(selected, clientLimiter, async ({ run }) => {
      checkAborted(signal);
      const summary = await run.summary();
      progress.metadata++;
      emit("metadata");
      return summary;
    });
    for (let i = 0; i < selected.length; i++) {
      const { run, record } = selected[i]!;
      const summary = summaries[i]!;
      remote.push({
        run,
        cuid: String(record.cuid),
        path: `${p.path}/${String(record.slug ?? record.cuid)}`,
        state: String(record.state ?? ""),
        updatedAt: String(record.updatedAt ?? ""),
        summarySha256: sha256Hex(JSON.stringify(summary)),
        project: p.path,
        summary: { ...summary },
      });
    }
  }

  const committed = new Map((previous?.runs ?? []).map((r) => [r.cuid, r]));
  const journal = await readJournal(out);
  for (const [cuid, entry] of journal) {
    if (!(await hasFile(out, entry.document))) journal.delete(cuid);
  }
  const plan = planSync(remote, committed, journal, media);
  const fetchCount = plan.filter((s) => s.action === "fetch").length;
  if (dryRun) {
    return {
      out,
      scope: scopeText,
      host,
      dryRun: true,
      runs: { total: plan.length, fetched: 0, kept: plan.length - fetchCount },
      plan,
      points: previous?.counts.points ?? 0,
      logLines: previous?.counts.logLines ?? 0,
      mediaFiles: previous?.counts.mediaFiles ?? 0,
      filesWritten: 0,
      bytesWritten: 0,
      committed: false,
      durationMs: Date.now() - started,
    };
  }

  await prepareDir(out, { create: true, writable: false });
  const written = { files: 0, bytes: 0 };
  const documents = new Map<string, RunDocument>();
  const entries = new Map<string, ManifestRun>();
  for (const step of plan) {
    if (step.action === "keep") {
      entries.set(step.cuid, step.entry!);
      progress.points++;
      progress.logs++;
      progress.media++;
    }
  }
  emit("points");

  const limiter = new Limiter(Math.max(1, parallel));
  const mediaLimiter = new Limiter(Math.max(1, parallel * 4));
  const fetchRun = async (
    info: RemoteRunInfo,
  ): Promise<void> => {
    checkAborted(signal);
    const [workspace, projectName] = info.project.split("/") as [string, string];
    // The run of the listing: its record locates the run for the keys, points, logs and media
    // requests without a request of its own. The document stores the run's own record.
    const run = info.run;
    const core = runCore(run);
    const req = signal ? { signal } : {};
    // The record, columns and keys at the same time (one round trip instead of five in a row).
    const [full, columns, customKeys, systemKeys, customMediaKeys] = await settleAll([
      runCore(api.run(`${info.project}/${info.cuid}`)).full(req),
      (async () => {
        const columns: Record<string, unknown>[] = [];
        for await (const col of run.columns({ all: true }, req)) {
          columns.push({ ...(await col.json()) });
        }
        return columns;
      })(),
      run.series({ metricType: "SCALAR", metricClass: "CUSTOM" }).json(),
      run.series({ metricType: "SCALAR", metricClass: "SYSTEM" }).json(),
      run.series({ metricType: "MEDIA", metricClass: "CUSTOM" }).json(),
    ]);
    const record = { ...full };
    const scalarKeys = [...new Set([...customKeys.keys, ...systemKeys.keys])];
    const mediaKeys = [...customMediaKeys.keys];
    // The summary the plan compared: the document and its fingerprint agree.
    const summary = info.summary;

    // Points, logs and media at the same time: while the logs and media requests wait on the
    // network, the points download is parsed and encoded (run one after the other, two parallel
    // runs reached their logs and media together and left the CPU idle meanwhile).
    const pointsTask = async (): Promise<RunDocument["points"]> => {
      let points: RunDocument["points"] = null;
      if (scalarKeys.length > 0) {
        // Streamed to disk as it is encoded, and named after its hash at the end.
        const sink = await HashedFileSink.create(
          out,
          pointsDir(workspace, projectName, info.cuid),
          "part",
          "parquet",
          written,
        );
        const encoder = await PointsEncoder.create(sink, compression);
        let rows: number;
        try {
          // The CSV parser's blocks straight into the encoder: no object per point (the Parquet
          // file is the same as from `run.scanMetrics()`'s points).
          const ref = await core.ref(req);
          for await (const _ of paceMetricRows(transport, ref, scalarKeys, {}, req, encoder)) {
            await encoder.drain();
          }
          rows = await encoder.finish();
        } catch (error) {
          await encoder.abort();
          throw error;
        }
        if (rows > 0) points = { ...sink.ref, rows };
      }
      progress.points++;
      emit("points");
      return points;
    };

    // Logs: every line (DEBUG and up), shard after shard.
    const logsTask = async (): Promise<RunDocument["logs"]> => {
      checkAborted(signal);
      let logs: RunDocument["logs"] = null;
      const lines: string[] = [];
      for await (const line of run.scanLogs({ level: "DEBUG" }, req)) {
        const { epoch: _epoch, ...rest } = line;
        lines.push(JSON.stringify(rest));
      }
      if (lines.length > 0) {
        const ref = await writeHashed(
          out,
          runDir(workspace, projectName, info.cuid),
          "logs",
          "jsonl",
          lines.join("\n") + "\n",
          written,
        );
        logs = { ...ref, lines: lines.length };
      }
      progress.logs++;
      emit("logs");
      return logs;
    };

    // Media, content-addressed; every file of the run downloaded at once (through the limiter).
    const mediaTask = async (): Promise<RunDocument["media"]> => {
      checkAborted(signal);
      let mediaIndex: RunDocument["media"] = null;
      if (media) {
        mediaIndex = [];
        if (mediaKeys.length > 0) {
          const prefix = `${String(record.project_id ?? await run.projectId)}/${info.cuid}`;
          const json = await run.medias(mediaKeys, { all: true }, req);
          const fetchItem = (
            key: string,
            step: number,
            item: (typeof json.list)[number]["metrics"][number]["items"][number],
          ) =>
            mediaLimiter.run(async (): Promise<MediaItem> => {
              const { url, ...more } = item;
              if (typeof url !== "string") {
                throw new Error(`Cannot mirror media "${key}" at step ${step}: no URL`);
              }
              const { bytes, contentType } = await download(api, url, signal);
              const path = objectPath(url, prefix);
              const sha256 = sha256Hex(bytes);
              const file = `media/${sha256.slice(0, 2)}/${sha256}.${extOf(path, contentType)}`;
              await writeIfMissing(out, file, bytes, written);
              return {
                path,
                file,
                sha256,
                bytes: bytes.byteLength,
                contentType,
                more: Object.keys(more).length > 0 ? more : null,
              };
            });
          for (const s of json.list) {
            if (s.metrics.some((m) => m.index === null)) {
              // A mirror keys media by step: without it there is nothing true to store.
              throw new ResponseError(
                `Cannot mirror media "${s.key}" of run "${info.cuid}": a step came without its index`,
              );
            }
          }
          const series = json.list.map((s) => ({
            key: s.key,
            steps: s.metrics.map((m) => {
              const step = m.index as number;
              return { step, items: m.items.map((item) => fetchItem(s.key, step, item)) };
            }),
          }));
          // Every download settles before the first failure is thrown (none is left running).
          await settleAll(series.flatMap((s) => s.steps.flatMap((st) => st.items)));
          for (const s of series) {
            const steps: { step: number; items: MediaItem[] }[] = [];
            for (const st of s.steps) {
              steps.push({ step: st.step, items: await Promise.all(st.items) });
            }
            mediaIndex.push({ key: s.key, steps });
          }
        }
      }
      progress.media++;
      emit("media");
      return mediaIndex;
    };

    // Every task settles before the first failure is thrown (no file is written after it).
    const [points, logs, mediaIndex] = await settleAll([pointsTask(), logsTask(), mediaTask()]);

    const doc: RunDocument = {
      record,
      project: info.project,
      columns,
      scalarKeys,
      mediaKeys,
      summary,
      points,
      logs,
      media: mediaIndex,
    };
    const document: FileRef = await writeHashed(
      out,
      runDir(workspace, projectName, info.cuid),
      "run",
      "json",
      JSON.stringify(doc, null, 1) + "\n",
      written,
    );
    const entry: ManifestRun = {
      cuid: info.cuid,
      path: info.path,
      state: info.state,
      updatedAt: info.updatedAt,
      summarySha256: info.summarySha256,
      media,
      document,
      points: points?.rows ?? 0,
      logLines: logs?.lines ?? 0,
    };
    await writeJournal(out, entry);
    documents.set(info.cuid, doc);
    entries.set(info.cuid, entry);
  };
  const byCuid = new Map(remote.map((r) => [r.cuid, r]));
  const failures: unknown[] = [];
  await Promise.all(
    plan.filter((s) => s.action === "fetch").map((step) =>
      limiter.run(async () => {
        if (failures.length > 0) return;
        try {
          await fetchRun(byCuid.get(step.cuid)!);
        } catch (error) {
          failures.push(error);
        }
      })
    ),
  );
  if (failures.length > 0) throw failures[0];

  // Commit: documents of the user and projects, then the manifest, then clean-up.
  emit("commit");
  const user = await writeHashed(
    out,
    "meta",
    "user",
    "json",
    JSON.stringify(userDoc, null, 1) + "\n",
    written,
  );
  const projectRefs: Manifest["projects"] = [];
  for (const p of projects) {
    const [w, name] = p.path.split("/") as [string, string];
    const document = await writeHashed(
      out,
      `meta/projects/${w}`,
      name,
      "json",
      JSON.stringify(p.json, null, 1) + "\n",
      written,
    );
    projectRefs.push({ path: p.path, document });
  }
  const runs = plan.map((s) => entries.get(s.cuid)!);
  const mediaFiles = new Map<string, number>();
  for (const entry of runs) {
    const doc = documents.get(entry.cuid) ??
      await readJson<RunDocument>(out, entry.document.file);
    for (const series of doc.media ?? []) {
      for (const s of series.steps) {
        for (const item of s.items) mediaFiles.set(item.file, item.bytes);
      }
    }
  }
  const manifest: Manifest = {
    format: MIRROR_FORMAT,
    version: MIRROR_VERSION,
    source: { host, username },
    scope: scopeText,
    syncedAt: now().toISOString(),
    counts: {
      projects: projects.length,
      runs: runs.length,
      points: runs.reduce((n, r) => n + r.points, 0),
      logLines: runs.reduce((n, r) => n + r.logLines, 0),
      mediaFiles: mediaFiles.size,
      mediaBytes: [...mediaFiles.values()].reduce((n, b) => n + b, 0),
    },
    user,
    projects: projectRefs,
    runs,
  };
  // Unchanged: keep the manifest (and its time) as it is.
  const unchanged = previous !== undefined &&
    manifestText({ ...manifest, syncedAt: previous.syncedAt }) === manifestText(previous);
  if (!unchanged) {
    const text = manifestText(manifest);
    await writeFileAtomic(join(out, "manifest.json"), text, { field: "out" });
    written.files++;
    written.bytes += new TextEncoder().encode(text).byteLength;
  }
  const keep = new Set<string>([user.file, ...projectRefs.map((p) => p.document.file)]);
  for (const entry of runs) {
    keep.add(entry.document.file);
    const doc = documents.get(entry.cuid) ??
      await readJson<RunDocument>(out, entry.document.file);
    if (doc.points) keep.add(doc.points.file);
    if (doc.logs) keep.add(doc.logs.file);
  }
  for (const file of mediaFiles.keys()) keep.add(file);
  await collectGarbage(out, keep);
  emit("commit", 1);

  return {
    out,
    scope: scopeText,
    host,
    dryRun: false,
    runs: { total: plan.length, fetched: fetchCount, kept: plan.length - fetchCount },
    plan,
    points: manifest.counts.points,
    logLines: manifest.counts.logLines,
    mediaFiles: manifest.counts.mediaFiles,
    filesWritten: written.files,
    bytesWritten: written.bytes,
    committed: !unchanged,
    durationMs: Date.now() - started,
  };
}
