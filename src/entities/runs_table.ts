/**
 * The runs table of a run list (`runs.table()`): one flat row per run with its identity, every
 * (or the chosen) `config.*` value and the chosen summary statistics, fetched several runs at a
 * time under the client's limiter, rows in the list's order.
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import type { Limiter } from "../core/limiter.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Table, TableCell, TableRow } from "../export/table_data.ts";
import { mapLimited } from "../core/map_limited.ts";
import {
  fetchSummaries,
  MAX_SUMMARY_RUNS,
  type SummaryItemJson,
  type SummaryJson,
} from "../metrics/summary.ts";
import { type Run, runTableEntry, type RunTableFields } from "./run.ts";
import { clone } from "./_lazy.ts";
import { groupsOf, orderedMap } from "./_ordered.ts";

/**
 * The identity columns every runs table starts with, in order.
 *
 * @example
 * ```ts
 * import { RUN_TABLE_COLUMNS } from "./runs_table.ts";
 *
 * console.log(RUN_TABLE_COLUMNS[0]); // "path"
 * ```
 */
export const RUN_TABLE_COLUMNS: readonly [
  "path",
  "run_id",
  "name",
  "state",
  "group",
  "job_type",
  "created_at",
  "finished_at",
] = ["path", "run_id", "name", "state", "group", "job_type", "created_at", "finished_at"];

/**
 * The statistics of each summary key, as columns `summary.<key>.<stat>`: the latest value, its
 * step, the minimum, the maximum and the average (as the summary endpoint gives them; its
 * `"NaN"`, `"INF"`, `"-INF"` spellings become numbers).
 *
 * @example
 * ```ts
 * import { SUMMARY_STATS } from "./runs_table.ts";
 *
 * console.log(SUMMARY_STATS.map((s) => `summary.val/acc.${s}`));
 * ```
 */
export const SUMMARY_STATS: readonly ["value", "step", "min", "max", "avg"] = [
  "value",
  "step",
  "min",
  "max",
  "avg",
];

/**
 * Options of `runs.table()`.
 *
 * @example The learning rate and the best validation accuracy
 * ```ts
 * import type { RunsTableOptions } from "./runs_table.ts";
 *
 * const options: RunsTableOptions = { config: ["lr"], summary: ["val/acc"] };
 * ```
 */
export interface RunsTableOptions {
  /**
   * The config columns: `true` for every key (nested objects flattened with dots), `false` for
   * none, or the keys to keep (a key also keeps its nested keys: `"model"` keeps
   * `config.model.layers`; a leading `config.` is allowed).
   * @default true
   */
  config?: boolean | readonly string[];
  /**
   * The summary keys: `true` for every scalar key of each run, `false` for none (no summary
   * request is sent), or the metric keys. Each key gives the columns of
   * {@linkcode SUMMARY_STATS}.
   * @default false
   */
  summary?: boolean | readonly string[];
}

/**
 * Checked runs-table options: `true`, `false` or the keys, for config and summary.
 *
 * @example
 * ```ts
 * import type { RunsTableSelection } from "./runs_table.ts";
 *
 * const selection: RunsTableSelection = { config: ["lr"], summary: false };
 * ```
 */
export interface RunsTableSelection {
  /** The config keys (without the `config.` prefix), or all/none. */
  readonly config: boolean | readonly string[];
  /** The summary keys, or all/none. */
  readonly summary: boolean | readonly string[];
}

function checkKeys(field: string, value: unknown, fallback: boolean): boolean | string[] {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  if (!Array.isArray(value)) {
    throw new ValidationError(
      field,
      `Cannot parse ${field}: expected true, false or a list of keys`,
    );
  }
  return value.map((key: unknown, i: number) => {
    if (typeof key !== "string" || key.trim() === "") {
      throw new ValidationError(
        `${field}[${i}]`,
        `Cannot parse ${field}[${i}]: expected a non-blank string`,
      );
    }
    return field === "config" && key.startsWith("config.") ? key.slice("config.".length) : key;
  });
}

/**
 * Checks runs-table options (before any request).
 *
 * @param options The options.
 * @returns The config and summary selections.
 * @throws {ValidationError} When `config` or `summary` is not a boolean or a list of non-blank
 * keys.
 *
 * @example
 * ```ts
 * import { checkRunsTableOptions } from "./runs_table.ts";
 *
 * checkRunsTableOptions({ config: ["config.lr"] }); // { config: ["lr"], summary: false }
 * ```
 */
export function checkRunsTableOptions(options: RunsTableOptions): RunsTableSelection {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValidationError("options", "Cannot parse options: expected an object");
  }
  return {
    config: checkKeys("config", options.config, true),
    summary: checkKeys("summary", options.summary, false),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Flattens a nested config into `config.<a>.<b>` cells (lists are kept as values; an empty
 * object is an empty cell).
 *
 * @param config The run's `profile.config`.
 * @param prefix The column prefix.
 * @returns The cells by column.
 *
 * @example
 * ```ts
 * import { flattenConfig } from "./runs_table.ts";
 *
 * flattenConfig({ lr: 0.1, model: { depth: 50 } }); // { "config.lr": 0.1, "config.model.depth": 50 }
 * ```
 */
export function flattenConfig(
  config: Readonly<Record<string, unknown>>,
  prefix = "config",
): Record<string, TableCell> {
  const out: Record<string, TableCell> = {};
  for (const key of Object.keys(config)) flattenInto(out, config[key], `${prefix}.${key}`, false);
  return out;
}

/**
 * Writes the cells of one config value into `out` (see {@linkcode flattenConfig}); with `copy`,
 * values that are not primitives (lists) are copied, so that `out` shares nothing with `value`.
 */
function flattenInto(out: TableRow, value: unknown, name: string, copy: boolean): void {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out[name] = null;
    for (const key of keys) flattenInto(out, value[key], `${name}.${key}`, copy);
  } else if (value === undefined) {
    out[name] = null;
  } else {
    out[name] = copy && typeof value === "object" && value !== null
      ? clone(value) as TableCell
      : value as TableCell;
  }
}

function statNumber(value: unknown): TableCell {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "INF") return Infinity;
  if (value === "-INF") return -Infinity;
  if (value === undefined || value === null) return null;
  return value as TableCell;
}

/**
 * The `summary.<key>.<stat>` cells of one key's summary.
 *
 * @param key The metric key.
 * @param item Its summary, as `run.summary()` returns it.
 * @returns The cells by column.
 *
 * @example
 * ```ts
 * import { summaryCells } from "./runs_table.ts";
 *
 * summaryCells("acc", { step: 9, value: 0.9, min: { step: 0, value: 0.1 }, max: { step: 9, value: 0.9 }, avg: 0.5 });
 * ```
 */
export function summaryCells(key: string, item: SummaryItemJson): Record<string, TableCell> {
  return {
    [`summary.${key}.value`]: statNumber(item.value),
    [`summary.${key}.step`]: statNumber(item.step),
    [`summary.${key}.min`]: statNumber(item.min?.value),
    [`summary.${key}.max`]: statNumber(item.max?.value),
    [`summary.${key}.avg`]: statNumber(item.avg),
  };
}

function selectConfig(
  cells: Record<string, TableCell>,
  keys: readonly string[],
): Record<string, TableCell> {
  const out: Record<string, TableCell> = {};
  for (const key of keys) {
    const column = `config.${key}`;
    for (const [name, value] of Object.entries(cells)) {
      if (name === column || name.startsWith(column + ".")) out[name] = value;
    }
  }
  return out;
}

/** The keys of rows of one shape, and an object with those keys (`null`) to copy rows from. */
interface RowShape {
  /** The names as written, in order (duplicates included). */
  readonly names: readonly string[];
  /** The row's keys, in order. */
  readonly keys: readonly string[];
  /** An object with every key, `null`, with the engine's fast property layout. */
  readonly template: TableRow;
}

/**
 * An object with these keys, all `null`, in order. Built by `JSON.parse` because that gives an
 * object in the engine's fast layout: one built key by key with computed names turns into a
 * slow dictionary after a dozen keys (about ten times slower to build and to read, measured for
 * rows of 50 columns), and copies of a fast object stay fast.
 */
function templateOf(names: readonly string[]): TableRow {
  return JSON.parse(`{${names.map((name) => `${JSON.stringify(name)}:null`).join(",")}}`);
}

/** A row, and the shape it was built with (what `collect()` needs to complete it). */
interface BuiltRow {
  readonly row: TableRow;
  readonly shape: RowShape;
}

/**
 * Builds the rows of one table: a row's cells are collected in order, then the row is copied
 * from the template of its shape (runs of one sweep share their keys, so a table has one or a
 * few shapes) and filled in. Column names are made once per table.
 */
class RowBuilder {
  #names: string[] = [];
  #values: TableCell[] = [];
  #shape: RowShape | undefined;
  #children = new Map<string, Map<string, string>>();
  #summary = new Map<string, readonly string[]>();

  /** Adds a cell to the row being built. */
  add(name: string, value: TableCell): void {
    this.#names.push(name);
    this.#values.push(value);
  }

  /** `${parent}.${key}`, the same string each time. */
  child(parent: string, key: string): string {
    let names = this.#children.get(parent);
    if (names === undefined) {
      names = new Map();
      this.#children.set(parent, names);
    }
    let name = names.get(key);
    if (name === undefined) {
      name = `${parent}.${key}`;
      names.set(key, name);
    }
    return name;
  }

  /** The `summary.<key>.<stat>` names of a key ({@linkcode SUMMARY_STATS} order). */
  summaryNames(key: string): readonly string[] {
    let names = this.#summary.get(key);
    if (names === undefined) {
      names = SUMMARY_STATS.map((stat) => `summary.${key}.${stat}`);
      this.#summary.set(key, names);
    }
    return names;
  }

  /** The row of the cells added since the last row (a later cell of the same name wins). */
  finish(): BuiltRow {
    const names = this.#names;
    const values = this.#values;
    let shape = this.#shape;
    if (shape === undefined || !sameNames(shape.names, names)) {
      const template = templateOf(names);
      shape = { names, keys: Object.keys(template), template };
      this.#shape = shape;
    }
    const row = { ...shape.template };
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]!;
    this.#names = [];
    this.#values = [];
    return { row, shape };
  }

  /** Adds the cells of one config value (see {@linkcode flattenConfig}), lists copied. */
  config(value: unknown, name: string): void {
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) this.add(name, null);
      for (const key of keys) this.config(value[key], this.child(name, key));
    } else if (value === undefined) {
      this.add(name, null);
    } else {
      this.add(
        name,
        typeof value === "object" && value !== null
          ? clone(value) as TableCell
          : value as TableCell,
      );
    }
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One row of a runs table, from {@linkcode runTableFields} and the run's summary: the row that
 * `run.json()` and `run.summary()` give (`path`, the identity columns, the flattened config, the
 * summary stats), without first copying and freezing the whole run snapshot; only the config
 * values that are not primitives (arrays) are copied, so a row shares nothing with the run's
 * cached record (as a `json()` copy would).
 */
function tableRow(
  builder: RowBuilder,
  path: string,
  fields: RunTableFields,
  summary: SummaryJson | undefined,
  options: RunsTableSelection,
): BuiltRow {
  builder.add("path", path);
  builder.add("run_id", fields.run_id);
  builder.add("name", fields.name);
  builder.add("state", fields.state);
  builder.add("group", fields.group);
  builder.add("job_type", fields.job_type);
  builder.add("created_at", fields.created_at);
  builder.add("finished_at", fields.finished_at);
  const config = isPlainObject(fields.config) ? fields.config : {};
  if (options.config === true) {
    for (const key of Object.keys(config)) {
      builder.config(config[key], builder.child("config", key));
    }
  } else if (options.config !== false) {
    const cells: TableRow = {};
    for (const key of Object.keys(config)) flattenInto(cells, config[key], `config.${key}`, true);
    const selected = selectConfig(cells, options.config);
    for (const name of Object.keys(selected)) builder.add(name, selected[name]!);
  }
  if (summary !== undefined) {
    const keys = options.summary === true ? Object.keys(summary) : options.summary || [];
    for (const key of keys) {
      const item = summary[key];
      if (isPlainObject(item)) {
        // The cells of `summaryCells`.
        const [value, step, min, max, avg] = builder.summaryNames(key) as [
          string,
          string,
          string,
          string,
          string,
        ];
        builder.add(value, statNumber(item.value));
        builder.add(step, statNumber(item.step));
        builder.add(min, statNumber(item.min?.value));
        builder.add(max, statNumber(item.max?.value));
        builder.add(avg, statNumber(item.avg));
      }
    }
  }
  return builder.finish();
}

/**
 * The columns of a runs table: the identity columns, then the config columns (the requested
 * keys in order, else in order of first appearance), then per summary key (requested order,
 * else first appearance) its {@linkcode SUMMARY_STATS}. Requested keys no run has still get
 * their (empty) column.
 */
function tableColumns(
  shapes: Iterable<readonly string[]>,
  options: RunsTableSelection,
): string[] {
  const config: string[] = [];
  const summaryKeys: string[] = [];
  const seen = new Set<string>();
  for (const keys of shapes) {
    for (const name of keys) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (name.startsWith("config.")) config.push(name);
      else if (name.startsWith("summary.") && name.endsWith(".value")) {
        summaryKeys.push(name.slice("summary.".length, -".value".length));
      }
    }
  }
  let configColumns = config;
  if (Array.isArray(options.config)) {
    configColumns = [];
    for (const key of options.config) {
      const column = `config.${key}`;
      const matches = config.filter((c) => c === column || c.startsWith(column + "."));
      configColumns.push(...(matches.length > 0 ? matches : [column]));
    }
    configColumns = [...new Set(configColumns)];
  }
  const keys = Array.isArray(options.summary) ? [...new Set(options.summary)] : summaryKeys;
  return [
    ...RUN_TABLE_COLUMNS,
    ...configColumns,
    ...keys.flatMap((key) => SUMMARY_STATS.map((stat) => `summary.${key}.${stat}`)),
  ];
}

/**
 * The runs table of a run list, from `runs.table(options)`: iterate it for the rows as they
 * come (in the list's order; one `run.json()` per run, several runs at a time under the
 * client's limiter, and when summaries are asked, one summaries request per 50 runs: each run
 * gets what `run.summary()` gives), or
 * {@linkcode RunsTable.collect} it into a {@linkcode Table} with the union of the columns.
 * A failure on any run is an error: the table is complete or not returned.
 *
 * In a Deno Jupyter notebook the table displays itself as HTML.
 *
 * @example Rank a sweep by its best validation accuracy
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const table = await api.runs("my-team/my-sweep").table({ config: ["lr"], summary: ["val/acc"] })
 *   .collect();
 * const ranked = [...table.rows].sort((a, b) =>
 *   Number(b["summary.val/acc.max"] ?? -Infinity) - Number(a["summary.val/acc.max"] ?? -Infinity)
 * );
 * console.log(ranked.slice(0, 5).map((r) => [r.name, r["config.lr"], r["summary.val/acc.max"]]));
 * ```
 */
export class RunsTable implements AsyncIterable<TableRow> {
  readonly #runs: AsyncIterable<Run>;
  readonly #limiter: () => Promise<Limiter>;
  readonly #options: RunsTableSelection;
  readonly #requestOptions: RequestOptions;

  /**
   * Creates the table of a run list (use `runs.table()`); nothing is sent until it is iterated.
   *
   * @param runs The runs, in order.
   * @param limiter The client's limiter.
   * @param options The config and summary selection.
   * @param requestOptions Per-call signal, timeout and retries of every request.
   * @throws {ValidationError} For invalid options.
   */
  constructor(
    runs: AsyncIterable<Run>,
    limiter: () => Promise<Limiter>,
    options: RunsTableOptions = {},
    requestOptions: RequestOptions = {},
  ) {
    this.#runs = runs;
    this.#limiter = limiter;
    this.#options = checkRunsTableOptions(options);
    this.#requestOptions = requestOptions;
  }

  /**
   * The rows in the list's order, as they are fetched.
   *
   * @returns An async iterator over the rows.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<TableRow> {
    for await (const built of this.#rows(new RowBuilder())) yield built.row;
  }

  async *#rows(builder: RowBuilder): AsyncGenerator<BuiltRow> {
    const limiter = await this.#limiter();
    const options = this.#options;
    const request = this.#requestOptions;
    const summaryKeys = options.summary === true
      ? undefined
      : options.summary === false
      ? null
      : options.summary;
    // Runs in groups: each run's record, then one summaries request for the whole group (the
    // endpoint takes a list of runs). Two groups in flight, so the next group's records load
    // while a group's summaries do; every request goes through the client's limiter.
    const groups = orderedMap(
      groupsOf(this.#runs, MAX_SUMMARY_RUNS),
      2,
      async (runs, stopped): Promise<BuiltRow[]> => {
        const entries = await mapLimited(
          runs,
          limiter,
          (run) => runTableEntry(run, summaryKeys !== null, request, stopped),
        );
        let summaries: Map<string, SummaryJson> | undefined;
        const targets = entries.flatMap(([, target]) => target === undefined ? [] : [target]);
        if (targets.length > 0) {
          stopped.throwIfAborted();
          summaries = await limiter.run(() =>
            fetchSummaries(targets[0]![0], targets.map(([, ref]) => ref), summaryKeys, request)
          );
        }
        return entries.map(([fields, target], i) =>
          tableRow(
            builder,
            runs[i]!.path,
            fields,
            target === undefined ? undefined : summaries?.get(target[1].runId),
            options,
          )
        );
      },
    );
    for await (const rows of groups) yield* rows;
  }

  /**
   * Fetches every row and returns the table with the union of the columns (see
   * {@linkcode RunsTable}); cells a run lacks are `null`.
   *
   * @param options `onRow` is called with the number of rows fetched so far (for progress).
   * @returns The table.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   */
  async collect(options: { onRow?: (rows: number) => void } = {}): Promise<Table> {
    const builder = new RowBuilder();
    const rows: TableRow[] = [];
    const shapes: RowShape[] = [];
    for await (const { row, shape } of this.#rows(builder)) {
      rows.push(row);
      shapes.push(shape);
      options.onRow?.(rows.length);
    }
    const distinct = [...new Set(shapes)];
    const columns = tableColumns(distinct.map((shape) => shape.keys), this.#options);
    // A row whose keys are the columns, in order (the usual case: runs of one sweep share their
    // config keys), is already complete; the rows are this method's own, so it is kept.
    const complete = new Set(distinct.filter((shape) => sameNames(shape.keys, columns)));
    const template = complete.size === distinct.length ? undefined : templateOf(columns);
    const full = rows.map((row, i) => {
      const shape = shapes[i]!;
      if (complete.has(shape) || template === undefined) return row;
      const out = { ...template };
      for (const key of shape.keys) out[key] = row[key] ?? null;
      return out;
    });
    const { Table } = await import("../export/table_data.ts");
    return new Table(columns, full);
  }

  /**
   * What a Deno Jupyter notebook displays: the collected table as HTML.
   *
   * @returns The MIME bundle.
   */
  async [Symbol.for("Jupyter.display")](): Promise<Record<string, string>> {
    return { "text/html": (await this.collect()).toHtml() };
  }
}
