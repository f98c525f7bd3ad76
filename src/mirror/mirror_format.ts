/**
 * The mirror directory format, version 1 (specified in `docs/MIRROR_FORMAT.md`): file names and
 * the JSON documents the mirror writes. The local server reads the same format with its own
 * reader (`src/server/mirror_source.ts`); tests hold the two to each other.
 *
 * ```
 * DIR/
 *   manifest.json                                          the commit point, written last
 *   meta/user-<h>.json                                     the user and their workspaces
 *   meta/projects/<workspace>/<project>-<h>.json           a project (its json())
 *   runs/<workspace>/<project>/<runCuid>/run-<h>.json      a run: record, columns, keys, summary, media index
 *   runs/<workspace>/<project>/<runCuid>/logs-<h>.jsonl    its console log, one line per line
 *   points/workspace=<w>/project=<p>/run=<runCuid>/part-<h>.parquet   every scalar point
 *   media/<h[0..2]>/<h>.<ext>                              media objects by content
 * ```
 *
 * `<h>` is the first 16 hex digits of the file's SHA-256, so a new version of a file never
 * replaces the one the current manifest names: a mirror is always its old complete state or
 * its new one.
 *
 * @module
 */

/**
 * The `format` field of every manifest.
 *
 * @example Recognize a manifest
 * ```ts
 * import { MIRROR_FORMAT } from "./mirror_format.ts";
 * const isMirror = (m: { format?: unknown }) => m.format === MIRROR_FORMAT;
 * ```
 */
export const MIRROR_FORMAT = "swanlab-mirror";

/**
 * The format version this library writes and reads.
 *
 * @example Check a version
 * ```ts
 * import { MIRROR_VERSION } from "./mirror_format.ts";
 * MIRROR_VERSION; // 1
 * ```
 */
export const MIRROR_VERSION = 1;

/**
 * A file of the mirror: its path relative to the mirror directory, SHA-256 and size.
 *
 * @example A file reference
 * ```ts
 * import type { FileRef } from "./mirror_format.ts";
 * const ref: FileRef = { file: "meta/user-0123456789abcdef.json", sha256: "01…", bytes: 120 };
 * ```
 */
export interface FileRef {
  /** Path relative to the mirror directory, `/`-separated. */
  file: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

/**
 * `meta/user-<h>.json`: the user the mirror was made as, and their workspaces.
 *
 * @example A user document
 * ```ts ignore
 * const doc: UserDocument = { user: await api.user().json(), workspaces: [...] };
 * ```
 */
export interface UserDocument {
  /** `api.user().json()`. */
  user: Record<string, unknown>;
  /** `workspace.json()` of every workspace of the user (personal first). */
  workspaces: Record<string, unknown>[];
  /** `api.selfHosted().json()`, or `null` when the source answers it with an error (cloud). */
  selfHosted: Record<string, unknown> | null;
}

/**
 * One stored media object of a run.
 *
 * @example An image
 * ```ts
 * import type { MediaItem } from "./mirror_format.ts";
 * const item: MediaItem = {
 *   path: "media/samples/image/step0-0.png", file: "media/ab/ab12….png", sha256: "ab12…",
 *   bytes: 512, contentType: "image/png", more: { caption: "a" },
 * };
 * ```
 */
export interface MediaItem {
  /** The object's path under the run's storage prefix, as the source presigned it. */
  path: string;
  /** Where the bytes are in the mirror (content-addressed: shared by identical objects). */
  file: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
  /** MIME type the source served. */
  contentType: string;
  /** The metadata logged with it (caption …), or `null`. */
  more: unknown;
}

/**
 * `runs/…/run-<h>.json`: everything about one run except its points and log lines.
 *
 * @example Read a run document
 * ```ts ignore
 * const doc = JSON.parse(await Deno.readTextFile(`${dir}/${entry.file}`)) as RunDocument;
 * doc.record.state;
 * ```
 */
export interface RunDocument {
  /** The full run record as `GET /project/{w}/{p}/runs/{run}` answered it. */
  record: Record<string, unknown>;
  /** `<workspace>/<project>`. */
  project: string;
  /** `column.json()` of every column of the run. */
  columns: Record<string, unknown>[];
  /** Scalar keys, custom then system, in the metric store's order. */
  scalarKeys: string[];
  /** Media keys. */
  mediaKeys: string[];
  /** `run.summary()` (every key). */
  summary: Record<string, unknown>;
  /** The points file, or `null` when the run has no scalar point. */
  points: (FileRef & { rows: number }) | null;
  /** The log file, or `null` when the run has no log line. */
  logs: (FileRef & { lines: number }) | null;
  /** Media per key and step, or `null` when media were not mirrored (`--no-media`). */
  media: { key: string; steps: { step: number; items: MediaItem[] }[] }[] | null;
}

/**
 * One run in the manifest.
 *
 * @example A run entry
 * ```ts ignore
 * const entry: ManifestRun = { cuid: "c…", path: "vision-lab/resnet-sweep/a1b2c3d4", … };
 * ```
 */
export interface ManifestRun {
  /** Run cuid. */
  cuid: string;
  /** `<workspace>/<project>/<slug>`. */
  path: string;
  /** State when mirrored. */
  state: string;
  /** `updatedAt` when mirrored. */
  updatedAt: string;
  /** SHA-256 of the run's summary JSON when mirrored (moves when points are added). */
  summarySha256: string;
  /** Whether its media were mirrored. */
  media: boolean;
  /** Its run document. */
  document: FileRef;
  /** Points stored. */
  points: number;
  /** Log lines stored. */
  logLines: number;
}

/**
 * `manifest.json`: the commit point of a mirror.
 *
 * @example Read the counts
 * ```ts ignore
 * const m = await readManifest(dir);
 * console.log(m?.counts.runs);
 * ```
 */
export interface Manifest {
  /** Always {@link MIRROR_FORMAT}. */
  format: typeof MIRROR_FORMAT;
  /** Format version ({@link MIRROR_VERSION}). */
  version: number;
  /** Where the data came from. */
  source: { host: string; username: string };
  /** What was mirrored: `workspace`, `workspace/project` or `workspace/project/run`. */
  scope: string;
  /** When this state was committed (ISO). */
  syncedAt: string;
  /** Totals. */
  counts: {
    projects: number;
    runs: number;
    points: number;
    logLines: number;
    mediaFiles: number;
    mediaBytes: number;
  };
  /** The user document. */
  user: FileRef;
  /** Project documents by `<workspace>/<project>`. */
  projects: { path: string; document: FileRef }[];
  /** Runs, in listing order. */
  runs: ManifestRun[];
}

/**
 * The name of a content-addressed file: `<stem>-<first 16 hex of sha256>.<ext>`.
 *
 * @example A points file name
 * ```ts
 * import { hashedName } from "./mirror_format.ts";
 * hashedName("part", "0123456789abcdef0123", "parquet"); // "part-0123456789abcdef.parquet"
 * ```
 */
export function hashedName(stem: string, sha256: string, ext: string): string {
  return `${stem}-${sha256.slice(0, 16)}.${ext}`;
}

/**
 * Directory of a run's points, Hive-partitioned.
 *
 * @example
 * ```ts
 * import { pointsDir } from "./mirror_format.ts";
 * pointsDir("vision-lab", "resnet-sweep", "cabc"); // "points/workspace=vision-lab/project=resnet-sweep/run=cabc"
 * ```
 */
export function pointsDir(workspace: string, project: string, cuid: string): string {
  return `points/workspace=${workspace}/project=${project}/run=${cuid}`;
}

/**
 * Directory of a run's documents.
 *
 * @example
 * ```ts
 * import { runDir } from "./mirror_format.ts";
 * runDir("vision-lab", "resnet-sweep", "cabc"); // "runs/vision-lab/resnet-sweep/cabc"
 * ```
 */
export function runDir(workspace: string, project: string, cuid: string): string {
  return `runs/${workspace}/${project}/${cuid}`;
}
