/**
 * A mirror directory as a {@link DataSource}: reads the format of `docs/MIRROR_FORMAT.md`
 * (version 1) into the store, read-only. Every file the manifest names is checked against its
 * SHA-256 first; a missing or damaged file stops the start with an error naming it.
 *
 * Points are held in memory as typed arrays (about 24 bytes per point, see `_mirror_points.ts`);
 * a run's log is read again and parsed when it is first requested, media bytes whenever they are.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { components } from "../../generated/schema.ts";
import type { DataSource, LoadedData, MediaObject, RunLogs, RunMedia } from "./data_source.ts";
import type { DatasetInfo } from "./dataset.ts";
import { LOG_LEVELS, type LogLevelName, type LogLine } from "./log_source.ts";
import type { RunMetrics } from "./metric_source.ts";
import { decodePointsFile, PointsFileError } from "./_mirror_points.ts";
import type { ProjectRecord, RoleName, RunRecord, Store, WorkspaceRecord } from "./store.ts";
import { isoMs } from "./time.ts";

type Json = Record<string, unknown>;
type Column = components["schemas"]["Column"];

/** The manifest `format` this reader accepts. */
const FORMAT = "swanlab-mirror";
/** The manifest version this reader accepts. */
const VERSION = 1;
const KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ROLES: readonly string[] = ["VISITOR", "VIEWER", "MEMBER", "OWNER"];

interface FileRef {
  file: string;
  sha256: string;
  bytes: number;
}

interface MediaItem {
  path: string;
  file: string;
  sha256: string;
  bytes: number;
  contentType: string;
  more: unknown;
}

interface RunDocument {
  record: Json;
  project: string;
  columns: Json[];
  scalarKeys: string[];
  mediaKeys: string[];
  points: (FileRef & { rows: number }) | null;
  logs: (FileRef & { lines: number }) | null;
  media: { key: string; steps: { step: number; items: MediaItem[] }[] }[] | null;
}

interface Manifest {
  format: string;
  version: unknown;
  source: { host: string; username: string };
  scope: string;
  user: FileRef;
  projects: { path: string; document: FileRef }[];
  runs: { cuid: string; document: FileRef }[];
}

/**
 * A mirror directory that cannot be served (missing, damaged or of another format version).
 *
 * @example Report a bad mirror
 * ```ts ignore
 * try { await startServer({ data: "backup" }); } catch (e) { if (e instanceof MirrorDataError) console.error(e.message); }
 * ```
 */
export class MirrorDataError extends Error {
  /**
   * Creates the error.
   *
   * @param message what is wrong, naming the file
   */
  constructor(message: string) {
    super(message);
    this.name = "MirrorDataError";
  }
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function nullableStr(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

async function readChecked(dir: string, ref: FileRef): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dir, ref.file));
  } catch {
    throw missingFile(dir, ref);
  }
  return checked(dir, ref, bytes);
}

/** {@linkcode readChecked} in one step, for data read when a request first needs it. */
function readCheckedSync(dir: string, ref: FileRef): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(dir, ref.file));
  } catch {
    throw missingFile(dir, ref);
  }
  return checked(dir, ref, bytes);
}

function missingFile(dir: string, ref: FileRef): MirrorDataError {
  return new MirrorDataError(`Cannot serve mirror "${dir}": file "${ref.file}" is missing`);
}

function checked(dir: string, ref: FileRef, bytes: Uint8Array): Uint8Array {
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== ref.sha256) {
    throw new MirrorDataError(
      `Cannot serve mirror "${dir}": file "${ref.file}" is corrupted (checksum mismatch)`,
    );
  }
  return bytes;
}

async function readJsonChecked<T>(dir: string, ref: FileRef): Promise<T> {
  const bytes = await readChecked(dir, ref);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new MirrorDataError(`Cannot serve mirror "${dir}": file "${ref.file}" is not JSON`);
  }
}

/** The run's metrics from its points file (checked against its checksum first). */
async function readPoints(
  dir: string,
  ref: FileRef & { rows: number },
  scalarKeys: readonly string[],
): Promise<RunMetrics> {
  const bytes = await readChecked(dir, ref);
  try {
    return await decodePointsFile(bytes, ref.rows, scalarKeys);
  } catch (error) {
    if (!(error instanceof PointsFileError)) throw error;
    throw new MirrorDataError(
      `Cannot serve mirror "${dir}": points file "${ref.file}" ${error.message}`,
    );
  }
}

/** Runs whose files are read at once while the store is filled. */
const READ_AHEAD = 8;

/** A run's document and data, read and checked. */
interface RunFiles {
  doc: RunDocument;
  metrics: RunMetrics;
  logs: RunLogs;
}

async function readRunFiles(dir: string, document: FileRef): Promise<RunFiles> {
  const doc = await readJsonChecked<RunDocument>(dir, document);
  const [metrics] = await Promise.all([
    doc.points ? readPoints(dir, doc.points, doc.scalarKeys) : noMetrics(doc.scalarKeys),
    doc.logs ? readChecked(dir, doc.logs) : undefined,
  ]);
  return { doc, metrics, logs: doc.logs ? lazyLogs(dir, doc.logs) : storedLogs([]) };
}

function noMetrics(keys: readonly string[]): RunMetrics {
  return { steps: 0, keys: [...keys], timestamp: () => 0, series: () => undefined };
}

function storedLogs(lines: LogLine[]): RunLogs {
  const byLevel = new Map<number, Uint32Array>();
  return {
    count: lines.length,
    line: (i: number): LogLine => lines[i]!,
    indicesAtLeast: (minLevel: number): Uint32Array => {
      let cached = byLevel.get(minLevel);
      if (!cached) {
        const out: number[] = [];
        lines.forEach((l, i) => {
          if (LOG_LEVELS.indexOf(l.level) >= minLevel) out.push(i);
        });
        cached = Uint32Array.from(out);
        byLevel.set(minLevel, cached);
      }
      return cached;
    },
    exportLine: (i: number): string => {
      const l = lines[i]!;
      return `${isoMs(l.timestampMs)} [${l.level}] ${l.message}`;
    },
  };
}

/**
 * A run's stored log, parsed when a request first needs it. Parsing every run's log at start took
 * most of the start-up of a mirror of 500 runs with 2,500 lines each (1.2 s of 2.7 s, and the
 * 1.25 M line objects most of its memory); the start still checks every file's checksum, and the
 * file is checked again when it is read.
 */
function lazyLogs(dir: string, ref: FileRef): RunLogs {
  let loaded: RunLogs | undefined;
  const logs = () => loaded ??= storedLogs(parseLogs(dir, ref, readCheckedSync(dir, ref)));
  return {
    get count() {
      return logs().count;
    },
    line: (i) => logs().line(i),
    indicesAtLeast: (minLevel) => logs().indicesAtLeast(minLevel),
    exportLine: (i) => logs().exportLine(i),
  };
}

function parseLogs(dir: string, ref: FileRef, bytes: Uint8Array): LogLine[] {
  const text = new TextDecoder().decode(bytes);
  const lines: LogLine[] = [];
  const raws = text.split("\n");
  for (let n = 0; n < raws.length; n++) {
    const raw = raws[n]!;
    if (raw === "") continue;
    let l: Json;
    try {
      l = JSON.parse(raw) as Json;
    } catch {
      throw new MirrorDataError(
        `Cannot serve mirror "${dir}": file "${ref.file}" is not JSON Lines (line ${n + 1})`,
      );
    }
    const level = str(l.level, "INFO").toUpperCase();
    lines.push({
      index: lines.length,
      level: (LOG_LEVELS as readonly string[]).includes(level) ? level as LogLevelName : "INFO",
      message: str(l.message),
      tag: str(l.tag),
      timestampMs: Date.parse(str(l.timestamp)) || 0,
    });
  }
  return lines;
}

function storedMedia(dir: string, index: RunDocument["media"], keys: readonly string[]): RunMedia {
  const byKey = new Map<string, Map<number, MediaItem[]>>();
  const byPath = new Map<string, MediaItem>();
  for (const series of index ?? []) {
    const steps = new Map<number, MediaItem[]>();
    for (const s of series.steps) {
      steps.set(s.step, s.items);
      for (const item of s.items) byPath.set(item.path, item);
    }
    byKey.set(series.key, steps);
  }
  return {
    // Without stored media (`--no-media`) the keys are still listed, with no step.
    keys: [...keys],
    steps: (key: string): readonly number[] =>
      [...(byKey.get(key)?.keys() ?? [])].sort((a, b) => a - b),
    entry: (key: string, step: number): components["schemas"]["MediaEntry"] | null => {
      const items = byKey.get(key)?.get(step);
      if (!items) return null;
      return {
        key,
        data: items.map((i) => i.path),
        more: items.map((i) => (isRecord(i.more) ? { ...i.more } : {})),
      };
    },
    object: (path: string): MediaObject | undefined => {
      const item = byPath.get(path);
      if (!item) return undefined;
      return {
        contentType: item.contentType,
        bytes: async () => new Uint8Array(await readChecked(dir, item)),
      };
    },
  };
}

function profileOf(json: Json): WorkspaceRecord["profile"] {
  const p = isRecord(json.profile) ? json.profile : json;
  return {
    bio: nullableStr(p.bio),
    url: nullableStr(p.url),
    institution: nullableStr(p.institution),
    school: nullableStr(p.school),
    email: nullableStr(p.email),
    location: nullableStr(p.location),
  };
}

function columnOf(c: Json): Column {
  return {
    key: str(c.key),
    name: str(c.name, str(c.key)),
    type: str(c.column_type, "FLOAT") as NonNullable<Column["type"]>,
    class: str(c.column_class, "CUSTOM") as NonNullable<Column["class"]>,
    createdAt: typeof c.created_at === "number" ? c.created_at : 0,
  };
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(21));
  return Array.from(bytes, (b) => KEY_CHARS[b % KEY_CHARS.length]).join("");
}

function noDataset(dir: string): DatasetInfo {
  return new Proxy({} as DatasetInfo, {
    get: (): never => {
      throw new Error(`This server serves the mirror "${dir}": it has no seeded data set`);
    },
  });
}

/**
 * The data source of a mirror directory.
 *
 * @param dir The mirror directory.
 * @returns The source (files are read by `load`).
 *
 * @example Serve a mirror
 * ```ts ignore
 * const { users } = await mirrorSource("backup").load(store);
 * ```
 */
export function mirrorSource(dir: string): DataSource {
  return { load: (store: Store) => loadMirror(dir, store) };
}

async function loadMirror(dir: string, store: Store): Promise<LoadedData> {
  let text: string;
  try {
    text = await readFile(join(dir, "manifest.json"), "utf8");
  } catch {
    throw new MirrorDataError(`Cannot serve "${dir}": no manifest.json (not a swanlab mirror)`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw new MirrorDataError(`Cannot serve "${dir}": manifest.json is not valid JSON`);
  }
  if (!isRecord(manifest) || manifest.format !== FORMAT) {
    throw new MirrorDataError(
      `Cannot serve "${dir}": manifest.json is not a swanlab mirror manifest`,
    );
  }
  if (manifest.version !== VERSION) {
    throw new MirrorDataError(
      `Cannot serve "${dir}": mirror format version ${
        JSON.stringify(manifest.version)
      } is not supported (this server reads ${VERSION})`,
    );
  }
  const username = manifest.source.username;
  const userDoc = await readJsonChecked<
    { user: Json; workspaces: Json[]; selfHosted?: Json | null }
  >(dir, manifest.user);
  const sh = userDoc.selfHosted;
  store.selfHostedInfo = isRecord(sh)
    ? {
      enabled: sh.enabled === true,
      expired: sh.expired === true,
      plan: sh.plan === "commercial" ? "commercial" : "free",
      seats: typeof sh.seats === "number" ? sh.seats : 0,
    }
    : null;
  const apiKey = randomKey();
  store.users.set(username, {
    username,
    name: str(userDoc.user.name, username),
    apiKey,
    root: false,
    profile: profileOf(userDoc.user),
    createdAt: "1970-01-01T00:00:00.000Z",
  });
  const addWorkspace = (w: Json): void => {
    const name = str(w.username);
    const role = str(w.role);
    store.workspaces.set(name, {
      username: name,
      name: str(w.name, name),
      type: w.workspace_type === "TEAM" ? "TEAM" : "PERSON",
      comment: str(w.comment),
      profile: profileOf(w),
      members: new Map<string, RoleName>(
        ROLES.includes(role) && role !== "VISITOR" ? [[username, role as RoleName]] : [],
      ),
      createdAt: "1970-01-01T00:00:00.000Z",
      updatedAt: "1970-01-01T00:00:00.000Z",
    });
  };
  for (const w of userDoc.workspaces) addWorkspace(w);

  for (const p of manifest.projects) {
    const json = await readJsonChecked<Json>(dir, p.document);
    const [workspace, name] = p.path.split("/") as [string, string];
    if (!store.workspaces.has(workspace)) {
      // A workspace the user is not a member of (a public project): only its name is known.
      addWorkspace({ username: workspace, name: workspace, role: "VISITOR" });
    }
    const count = isRecord(json.count) ? json.count : {};
    const record: ProjectRecord = {
      cuid: str(json.project_id),
      name,
      workspace,
      visibility: json.visibility === "PRIVATE" ? "PRIVATE" : "PUBLIC",
      description: str(json.description),
      labels: (Array.isArray(json.labels) ? json.labels : []).filter(isRecord).map((l) => ({
        name: str(l.name),
        colors: Array.isArray(l.colors) ? l.colors.map(String) : [],
        cuid: str(l.cuid),
      })),
      creator: "",
      createdAt: str(json.created_at),
      updatedAt: str(json.updated_at),
      count: {
        experiments: Number(count.experiments ?? 0),
        contributors: Number(count.contributors ?? 0),
        collaborators: Number(count.collaborators ?? 0),
        clones: Number(count.clones ?? 0),
      },
      deleted: false,
    };
    store.projects.set(record.cuid, record);
  }

  const clones: RunRecord[] = [];
  // The runs' files are read a few runs ahead (reading one run after the other left the start
  // waiting on the disk half of the time); the store is filled in the manifest's order.
  const runs = manifest.runs;
  const reads: Promise<RunFiles>[] = [];
  const readAhead = (i: number) => {
    if (i >= runs.length) return;
    const read = readRunFiles(dir, runs[i]!.document);
    read.catch(() => {}); // observed when its turn comes; a failure before then must not go unhandled
    reads.push(read);
  };
  for (let i = 0; i < READ_AHEAD; i++) readAhead(i);
  for (let i = 0; i < runs.length; i++) {
    const entry = runs[i]!;
    const { doc, metrics, logs } = await reads.shift()!;
    readAhead(i + READ_AHEAD);
    const r = doc.record;
    const project = [...store.projects.values()].find((p) =>
      `${p.workspace}/${p.name}` === doc.project
    );
    if (!project) {
      throw new MirrorDataError(
        `Cannot serve mirror "${dir}": run "${entry.cuid}" names project "${doc.project}", which the manifest does not list`,
      );
    }
    const profile = isRecord(r.profile) ? r.profile : {};
    const record: RunRecord = {
      cuid: str(r.cuid),
      slug: str(r.slug),
      name: str(r.name),
      description: str(r.description),
      projectCuid: project.cuid,
      state: str(r.state, "FINISHED") as RunRecord["state"],
      type: str(r.type, "CHAPTER") as RunRecord["type"],
      labels: (Array.isArray(r.labels) ? r.labels : []).filter(isRecord).map((l) => ({
        name: str(l.name),
        colors: Array.isArray(l.colors) ? l.colors.map(String) : [],
      })),
      show: r.show !== false,
      pin: r.pin === true,
      pinnedAt: nullableStr(r.pinnedAt),
      baseline: r.baseline === true,
      colors: Array.isArray(r.colors) ? r.colors.map(String) : [],
      cluster: str(r.cluster),
      job: str(r.job),
      user: {
        name: str(isRecord(r.user) ? r.user.name : ""),
        username: str(isRecord(r.user) ? r.user.username : ""),
      },
      profile: {
        config: isRecord(profile.config) ? profile.config : {},
        metadata: isRecord(profile.metadata) ? profile.metadata : {},
        requirements: str(profile.requirements),
        conda: str(profile.conda),
      },
      ...(typeof r.rootProId === "string" ? { rootProId: r.rootProId } : {}),
      ...(typeof r.rootExpId === "string" ? { rootExpId: r.rootExpId } : {}),
      createdAt: str(r.createdAt),
      updatedAt: str(r.updatedAt),
      finishedAt: nullableStr(r.finishedAt),
      metrics,
      media: storedMedia(dir, doc.media, doc.mediaKeys),
      logs,
      columns: doc.columns.map(columnOf),
      wire: r,
      deleted: false,
    };
    store.runs.set(record.cuid, record);
    if (record.rootExpId) clones.push(record);
  }

  // A clone reads its data through its root's ids. The mirror stored that data under the clone
  // itself; when the root run is not in the mirror, a hidden root (in a hidden project, listed
  // nowhere) carries it. Key listings and availability address the root's project and run ids
  // directly (the SDK and our client do), so the hidden project is readable by its id: PUBLIC,
  // as the source let the user read the root.
  for (const clone of clones) {
    const rootId = clone.rootExpId!;
    const existing = store.runs.get(rootId);
    if (existing) {
      clone.root = existing;
    } else {
      const projectCuid = clone.rootProId ?? `hidden-${rootId}`;
      if (!store.projects.has(projectCuid)) {
        store.projects.set(projectCuid, {
          cuid: projectCuid,
          name: projectCuid,
          workspace: "\u0000hidden",
          visibility: "PUBLIC",
          description: "",
          labels: [],
          creator: "",
          createdAt: clone.createdAt,
          updatedAt: clone.createdAt,
          deleted: false,
        });
      }
      const root: RunRecord = { ...clone, cuid: rootId, projectCuid };
      delete root.rootExpId;
      delete root.rootProId;
      delete root.wire;
      store.runs.set(rootId, root);
      clone.root = root;
    }
    const data = { metrics: clone.metrics, media: clone.media, logs: clone.logs };
    if (existing === undefined) Object.assign(clone.root, data);
    clone.metrics = noMetrics([]);
    clone.media = storedMedia(dir, null, []);
    clone.logs = storedLogs([]);
  }

  return {
    users: [{ username, name: str(userDoc.user.name, username), apiKey, root: false }],
    info: noDataset(dir),
    readOnly:
      `Read-only server: it serves the mirror "${dir}" of ${manifest.source.host}; create and delete are not allowed`,
  };
}
