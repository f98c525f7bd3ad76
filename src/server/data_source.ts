/**
 * The seam between the routes and where the data comes from. Routes read only the in-memory
 * {@link Store}; a {@link DataSource} fills it: the seeded demo data set (values computed by
 * formula) or a mirror directory (values read from its files, see `docs/MIRROR_FORMAT.md`).
 * Runs expose their logs and media through {@link RunLogs} and {@link RunMedia}, so the same
 * routes serve both.
 *
 * @module
 */

import type { DatasetInfo, SeedUser } from "./dataset.ts";
import type { LogLine } from "./log_source.ts";
import type { components } from "../../generated/schema.ts";
import type { Store } from "./store.ts";

/**
 * The console log of one run, line by line.
 *
 * @example Count the warnings and errors
 * ```ts ignore
 * const n = run.logs.indicesAtLeast(2).length;
 * ```
 */
export interface RunLogs {
  /** Number of lines. */
  readonly count: number;
  /** Line `i` (0 ≤ i < count). */
  line(i: number): LogLine;
  /** Indices of the lines whose level is at least `minLevel` (0 = DEBUG … 3 = ERROR). */
  indicesAtLeast(minLevel: number): Uint32Array;
  /** The export text of one line: `<ISO timestamp> [<LEVEL>] <message>`. */
  exportLine(i: number): string;
}

/**
 * A stored media object.
 *
 * @example Serve an object
 * ```ts ignore
 * const object = run.media.object("media/samples/image/step0-0.png");
 * if (object) return new Response(await object.bytes(), { headers: { "content-type": object.contentType } });
 * ```
 */
export interface MediaObject {
  /** MIME type. */
  readonly contentType: string;
  /** Its bytes. */
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * The media logged by one run.
 *
 * @example Steps of a key
 * ```ts ignore
 * run.media.steps("samples/image"); // [0, 249, 499, …]
 * ```
 */
export interface RunMedia {
  /** Media keys. */
  readonly keys: readonly string[];
  /** Steps of `key` that have media, ascending (empty for an unknown key). */
  steps(key: string): readonly number[];
  /** The objects of `key` at `step`: their paths and logged metadata, or `null`. */
  entry(key: string, step: number): components["schemas"]["MediaEntry"] | null;
  /** The object at `path` (relative to the run's `<projectCuid>/<runCuid>` prefix), if any. */
  object(path: string): MediaObject | undefined;
}

/**
 * What loading a data source gives the server.
 *
 * @example Read the key of the first user
 * ```ts ignore
 * const { users } = await source.load(store);
 * users[0]!.apiKey;
 * ```
 */
export interface LoadedData {
  /** The users that can log in (the first one is the one the server prints). */
  readonly users: SeedUser[];
  /** Facts about the seeded data set (mirrors answer a description of the mirror instead). */
  readonly info: DatasetInfo;
  /** Why create and delete requests are refused (a read-only source), or `undefined`. */
  readonly readOnly: string | undefined;
}

/**
 * A source of server data: fills an empty store once, at start-up.
 *
 * @example A source
 * ```ts ignore
 * const source: DataSource = { load: async (store) => seeded(store) };
 * ```
 */
export interface DataSource {
  /** Fills `store` and says who can log in. */
  load(store: Store): Promise<LoadedData>;
}
