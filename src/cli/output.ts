/**
 * What the CLI prints: the Python CLI's `{ ok, errmsg, data }` envelope, JSON Lines, CSV, and
 * readable tables for terminals; and `--save`, which writes the envelope to a file as the Python
 * CLI does.
 *
 * @module
 */

import { displayWidth, type Style } from "./style.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * The output formats of `--format`.
 *
 * @example Is it a format?
 * ```ts
 * import { OUTPUT_FORMATS } from "./output.ts";
 *
 * console.log((OUTPUT_FORMATS as readonly string[]).includes("csv")); // true
 * ```
 */
export const OUTPUT_FORMATS = ["json", "jsonl", "csv", "table"] as const;
/**
 * One of {@linkcode OUTPUT_FORMATS}.
 *
 * @example Choose CSV
 * ```ts
 * import type { OutputFormat } from "./output.ts";
 *
 * const format: OutputFormat = "csv";
 * ```
 */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/**
 * The Python CLI's output object: `ApiResponseType.json()`.
 *
 * @example A failure
 * ```ts
 * import type { Envelope } from "./output.ts";
 *
 * const failure: Envelope = { ok: false, errmsg: "API Request Failed: [404] run not found", data: null };
 * ```
 */
export interface Envelope {
  /** Whether the command succeeded. */
  ok: boolean;
  /** The error message; `""` on success. */
  errmsg: string;
  /** The data (`null` on failure). */
  data: unknown;
}

/**
 * How NaN and ±Infinity are spelled in every output format (JSON, JSON Lines, CSV, tables),
 * whichever query produced them: the server's own spelling, which sampled metrics and
 * statistics already carry as strings, the Python CLI prints for them, and CSV readers
 * (Python's `float`, pandas, DuckDB) parse back as numbers.
 *
 * @param value A number that is not finite.
 * @returns `"NaN"`, `"INF"` or `"-INF"`.
 *
 * @example The three spellings
 * ```ts
 * import { nonFiniteText } from "./output.ts";
 *
 * [NaN, Infinity, -Infinity].map(nonFiniteText); // ["NaN", "INF", "-INF"]
 * ```
 */
export function nonFiniteText(value: number): "NaN" | "INF" | "-INF" {
  return Number.isNaN(value) ? "NaN" : value > 0 ? "INF" : "-INF";
}

/**
 * Whether a value is one of the {@linkcode nonFiniteText} spellings (a metric value the server
 * sent as a string).
 *
 * @param value The value.
 * @returns `true` for `"NaN"`, `"INF"` and `"-INF"`.
 *
 * @example A sampled NaN point
 * ```ts
 * import { isNonFiniteText } from "./output.ts";
 *
 * isNonFiniteText("INF"); // true
 * isNonFiniteText("inf"); // false
 * ```
 */
export function isNonFiniteText(value: unknown): value is "NaN" | "INF" | "-INF" {
  return value === "NaN" || value === "INF" || value === "-INF";
}

/**
 * Serializes a value as the Python CLI does (`orjson` with 2-space indent, `undefined` object
 * members dropped), with NaN and ±Infinity spelled `"NaN"`, `"INF"`, `"-INF"`
 * ({@linkcode nonFiniteText}). Characters a terminal could act on that JSON leaves raw (DEL, C1
 * controls, bidi and zero-width format characters, U+2028/U+2029) are written as `\uXXXX`
 * escapes: the parsed value is exactly the same.
 *
 * @param value The value, usually an {@linkcode Envelope}.
 * @returns The JSON text, without a trailing newline.
 *
 * @example NaN keeps its spelling
 * ```ts
 * import { toJsonText } from "./output.ts";
 *
 * toJsonText({ ok: true, errmsg: "", data: { loss: NaN } });
 * // '{\n  "ok": true,\n  "errmsg": "",\n  "data": {\n    "loss": "NaN"\n  }\n}'
 * ```
 */
export function toJsonText(value: unknown): string {
  return escapeInvisible(JSON.stringify(value ?? null, jsonReplacer, 2));
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return nonFiniteText(value);
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

// Outside strings JSON text has only ASCII, so these can only be inside strings.
const INVISIBLE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

function escapeInvisible(json: string): string {
  return json.replace(INVISIBLE, (char) => {
    let out = "";
    for (let i = 0; i < char.length; i++) {
      out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
    }
    return out;
  });
}

/**
 * Serializes a value on one line (JSON Lines), with the same rules as {@linkcode toJsonText}.
 *
 * @param value The value.
 * @returns The compact JSON text.
 *
 * @example One JSON line
 * ```ts
 * import { toJsonLine } from "./output.ts";
 *
 * toJsonLine({ step: 1, value: Infinity }); // '{"step":1,"value":"INF"}'
 * ```
 */
export function toJsonLine(value: unknown): string {
  return escapeInvisible(JSON.stringify(value ?? null, jsonReplacer));
}

/**
 * A tabular view of a command's data, for `--format jsonl|csv|table`.
 *
 * @example Two columns of three fields
 * ```ts
 * import type { TableView } from "./output.ts";
 *
 * const view: TableView = { rows: [{ a: 1, b: 2, c: 3 }], columns: ["a", "b"], headers: { b: "B" } };
 * ```
 */
export interface TableView {
  /** The rows; nested objects are flattened to dotted column names for CSV and tables. */
  rows: Record<string, unknown>[];
  /** The columns a table shows, in order; by default every key found in the rows. CSV and
   * JSON Lines always carry every field. */
  columns?: string[];
  /** Display names of table columns (`{ "count.experiments": "runs" }`). */
  headers?: Record<string, string>;
}

/**
 * Flattens nested plain objects into dotted keys (`profile.config.lr`); arrays are kept.
 *
 * @param value The object.
 * @param prefix A prefix for the keys.
 * @returns The flat record.
 *
 * @example Dotted keys
 * ```ts
 * import { flattenRecord } from "./output.ts";
 *
 * flattenRecord({ a: 1, b: { c: 2, d: { e: 3 } } }); // { a: 1, "b.c": 2, "b.d.e": 3 }
 * ```
 */
export function flattenRecord(
  value: Record<string, unknown>,
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isPlainObject(item) && Object.keys(item).length > 0) {
      Object.assign(out, flattenRecord(item, name));
    } else {
      out[name] = item;
    }
  }
  return out;
}

/**
 * Whether a value is a plain object (not an array, not `null`).
 *
 * @param value The value.
 * @returns `true` for `{…}` values.
 *
 * @example Objects, not arrays
 * ```ts
 * import { isPlainObject } from "./output.ts";
 *
 * isPlainObject({}); // true
 * isPlainObject([]); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

/**
 * Formats one value for a table cell or a CSV field: numbers with up to 6 significant digits in
 * tables (exact in CSV), NaN and ±Infinity as {@linkcode nonFiniteText}, arrays of named objects
 * as their names, other objects as compact JSON.
 *
 * @param value The value.
 * @param exact Keep numbers exact (CSV).
 * @returns The text.
 *
 * @example Cell text
 * ```ts
 * import { formatCell } from "./output.ts";
 *
 * formatCell(0.123456789); // "0.123457"
 * formatCell([{ name: "a" }, { name: "b" }]); // "a, b"
 * formatCell(null); // ""
 * formatCell(-Infinity); // "-INF"
 * ```
 */
export function formatCell(value: unknown, exact = false): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return nonFiniteText(value);
    if (exact || Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(4);
    return String(Number(value.toPrecision(6)));
  }
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) {
    if (value.every((item) => isPlainObject(item) && typeof item["name"] === "string")) {
      return value.map((item) => (item as { name: string }).name).join(", ");
    }
    if (value.every((item) => item === null || typeof item !== "object")) {
      return value.map((item) => formatCell(item, exact)).join(", ");
    }
  }
  return toJsonLine(value);
}

function columnsOf(rows: Record<string, unknown>[], columns?: string[]): string[] {
  if (columns && columns.length > 0) return columns;
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/**
 * Options of {@linkcode toCsv}.
 *
 * @example CSV shown on a terminal
 * ```ts
 * import type { CsvOptions } from "./output.ts";
 *
 * const options: CsvOptions = { terminal: true };
 * ```
 */
export interface CsvOptions {
  /**
   * The CSV goes to a terminal: fields are made terminal-safe (see `terminalText`). CSV
   * written to a pipe or a file stays exact.
   *
   * @default false
   */
  readonly terminal?: boolean;
}

/**
 * Renders rows as CSV (RFC 4180: fields with commas, quotes or newlines are quoted), with a
 * header row. Nested objects are flattened to dotted columns; every field is written (the
 * view's `columns` only select what a table shows).
 *
 * An empty view gives the header of its `columns` (nothing when it names none).
 *
 * @param view The rows and columns.
 * @param options Whether the text goes to a terminal.
 * @returns The CSV text, ending with a newline.
 *
 * @example Quoted fields
 * ```ts
 * import { toCsv } from "./output.ts";
 *
 * toCsv({ rows: [{ key: "loss", value: 0.5 }, { key: "a,b", value: 1 }] });
 * // 'key,value\nloss,0.5\n"a,b",1\n'
 * ```
 */
export function toCsv(view: TableView, options: CsvOptions = {}): string {
  const rows = view.rows.map((row) => flattenRecord(row));
  // No rows: the header of the view's columns, so a reader still sees the shape.
  const columns = rows.length === 0 ? view.columns ?? [] : columnsOf(rows);
  if (columns.length === 0) return "";
  const safe = options.terminal ? (text: string) => terminalText(text) : (text: string) => text;
  const field = (raw: string) => {
    const text = safe(raw);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.map(field).join(",")];
  for (const row of rows) lines.push(columns.map((c) => field(formatCell(row[c], true))).join(","));
  return lines.join("\n") + "\n";
}

/**
 * Renders rows as JSON Lines: one compact JSON object per line.
 *
 * @param view The rows.
 * @returns The text, ending with a newline (empty when there are no rows).
 *
 * @example Two rows
 * ```ts
 * import { toJsonl } from "./output.ts";
 *
 * toJsonl({ rows: [{ step: 1 }, { step: 2 }] }); // '{"step":1}\n{"step":2}\n'
 * ```
 */
export function toJsonl(view: TableView): string {
  return view.rows.map((row) => toJsonLine(row) + "\n").join("");
}

/**
 * Options of {@linkcode renderTable}.
 *
 * @example Plain text, 80 columns
 * ```ts
 * import type { TableOptions } from "./output.ts";
 * import { createStyle } from "./style.ts";
 *
 * const options: TableOptions = { width: 80, style: createStyle(false) };
 * ```
 */
export interface TableOptions {
  /** The terminal width to fit. */
  width: number;
  /** Colours for the header. */
  style: Style;
  /** The output goes to a terminal (CSV fields are then made terminal-safe). */
  terminal?: boolean;
}

function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return "…".slice(0, width);
  let out = "";
  for (const char of text) {
    if (displayWidth(out + char) > width - 1) break;
    out += char;
  }
  return out + "…";
}

function pad(text: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

/**
 * Renders rows as an aligned text table fitted to a width: the widest columns are shortened
 * (with `…`) until the table fits; numbers (NaN and ±Infinity included) are right-aligned.
 * Control, bidi and format characters in cells and headers are shown as visible escapes.
 *
 * @param view The rows and columns.
 * @param options The width and the style.
 * @returns The table, ending with a newline; `(no rows)` when empty.
 *
 * @example A small table
 * ```ts
 * import { renderTable } from "./output.ts";
 * import { createStyle } from "./style.ts";
 *
 * renderTable({ rows: [{ name: "a", n: 1 }, { name: "bb", n: 22 }] }, { width: 80, style: createStyle(false) });
 * // "name   n\n────  ──\na      1\nbb    22\n"
 * ```
 */
export function renderTable(view: TableView, options: TableOptions): string {
  const rows = view.rows.map((row) => flattenRecord(row));
  const columns = columnsOf(rows, view.columns);
  if (rows.length === 0 || columns.length === 0) return "(no rows)\n";
  // Every cell and header (config keys are server text too) is made terminal-safe here, once;
  // widths are measured on what is shown.
  const cells = rows.map((row) => columns.map((c) => terminalText(formatCell(row[c]))));
  const numeric = columns.map((_, i) =>
    rows.every((row) => {
      const value = row[columns[i]!];
      return value === null || value === undefined || typeof value === "number" ||
        isNonFiniteText(value);
    })
  );
  const names = columns.map((c) => terminalText(view.headers?.[c] ?? c));
  const widths = names.map((c, i) =>
    Math.max(displayWidth(c), ...cells.map((line) => displayWidth(line[i]!)))
  );
  const gap = 2;
  const budget = Math.max(20, options.width) - gap * (columns.length - 1);
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= 6) break;
    widths[widest] = widths[widest]! - 1;
  }
  const join = (parts: string[]) => parts.join(" ".repeat(gap)).trimEnd();
  const header = join(
    names.map((c, i) => options.style.bold(pad(truncate(c, widths[i]!), widths[i]!, numeric[i]!))),
  );
  const rule = options.style.dim(join(widths.map((w) => "─".repeat(w))));
  const body = cells.map((line) =>
    join(line.map((text, i) => pad(truncate(text, widths[i]!), widths[i]!, numeric[i]!)))
  );
  return [header, rule, ...body].join("\n") + "\n";
}

/**
 * Turns an object into `field`/`value` rows (flattened), the table view of a single entity.
 *
 * @param value The object.
 * @returns The rows.
 *
 * @example Fields of an entity
 * ```ts
 * import { keyValueRows } from "./output.ts";
 *
 * keyValueRows({ name: "a", count: { runs: 2 } });
 * // [{ field: "name", value: "a" }, { field: "count.runs", value: 2 }]
 * ```
 */
export function keyValueRows(value: unknown): Record<string, unknown>[] {
  if (!isPlainObject(value)) return [{ field: "value", value }];
  return Object.entries(flattenRecord(value)).map(([field, item]) => ({ field, value: item }));
}

/**
 * Renders a view in a non-JSON format.
 *
 * @param format `jsonl`, `csv` or `table`.
 * @param view The rows.
 * @param options Width and style for tables.
 * @returns The text to print.
 *
 * @example CSV of one row
 * ```ts
 * import { renderView } from "./output.ts";
 * import { createStyle } from "./style.ts";
 *
 * renderView("csv", { rows: [{ a: 1 }] }, { width: 80, style: createStyle(false) }); // "a\n1\n"
 * ```
 */
export function renderView(
  format: Exclude<OutputFormat, "json">,
  view: TableView,
  options: TableOptions,
): string {
  if (format === "csv") return toCsv(view, { terminal: options.terminal ?? false });
  if (format === "jsonl") return toJsonl(view);
  return renderTable(view, options);
}

/**
 * The automatic `--save` file name: `swanlab-YYYYMMDD_HHMMSS-xxxx.json` (local time, 4 random
 * `[a-z0-9]`).
 *
 * @param now The time to use.
 * @param random A source of numbers in `[0, 1)`.
 * @returns The file name.
 *
 * @example A fixed time and random source
 * ```ts
 * import { autoSaveName } from "./output.ts";
 *
 * autoSaveName(new Date(2024, 7, 1, 9, 5, 3), () => 0); // "swanlab-20240801_090503-aaaa.json"
 * ```
 */
export function autoSaveName(now: Date = new Date(), random: () => number = Math.random): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}_${
    two(now.getHours())
  }${two(now.getMinutes())}${two(now.getSeconds())}`;
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let id = "";
  for (let i = 0; i < 4; i++) id += alphabet[Math.floor(random() * alphabet.length)];
  return `swanlab-${stamp}-${id}.json`;
}

/**
 * Where `--save` writes, decided (and checked) before any request: a file, or a skip with the
 * reason.
 *
 * @example A named file
 * ```ts
 * import type { SaveTarget } from "./output.ts";
 *
 * const target: SaveTarget = { file: "out.json", path: "/tmp/out.json" };
 * ```
 */
export type SaveTarget =
  | { /** The file as named to the user. */ file: string; /** Its absolute path. */ path: string }
  | { /** Why nothing is saved (a warning). */ skip: string };

/**
 * Decides where `--save` writes, as the Python CLI does: a bare `--save` (or `.`) picks
 * {@linkcode autoSaveName}; a name with an extension other than `.json` is skipped with a
 * warning; a name without extension is used as is. The file's directory must exist and an
 * empty name is refused, like every output path.
 *
 * @param name The `--save` value (`"."` for an automatic name).
 * @param cwd The directory relative names resolve against.
 * @returns The target.
 * @throws {ValidationError} When the name is empty, names a directory, or its directory is
 * missing (field `--save`).
 *
 * @example An automatic name
 * ```ts ignore
 * import { saveTarget } from "./output.ts";
 *
 * const target = await saveTarget(".", "/tmp"); // { file: "swanlab-….json", path: "/tmp/swanlab-….json" }
 * ```
 */
export async function saveTarget(name: string, cwd: string): Promise<SaveTarget> {
  // node:path is imported here, not at the top: loading it (and the Node modules it needs)
  // costs every start-up of the CLI, help included, about 13 ms of CPU on Deno.
  const [{ checkOutputPath }, { basename, extname, isAbsolute, join }] = await Promise.all([
    import("../core/atomic_file.ts"),
    import("node:path"),
  ]);
  if (name.trim() === "") return { path: await checkOutputPath(name, "--save"), file: name };
  let file: string;
  if (name !== ".") {
    // The extension of the file name only (Python's `Path(name).suffix`): "./out/result" has none.
    const ext = extname(basename(name)).slice(1).toLowerCase();
    if (ext !== "" && ext !== "json") {
      return { skip: `unsupported file extension .${ext}, skipped saving` };
    }
    file = name;
  } else {
    file = autoSaveName();
  }
  return { file, path: await checkOutputPath(isAbsolute(file) ? file : join(cwd, file), "--save") };
}

/**
 * The outcome of {@linkcode saveEnvelope}.
 *
 * @example A skipped save
 * ```ts
 * import type { SaveResult } from "./output.ts";
 *
 * const result: SaveResult = { message: "unsupported file extension .txt, skipped saving", warning: true };
 * ```
 */
export interface SaveResult {
  /** The file written (as named to the user), when one was written. */
  path?: string;
  /** The message to print on stderr. */
  message: string;
  /** The message is a warning (nothing was saved). */
  warning?: boolean;
}

/**
 * Writes the envelope for `--save` to its {@linkcode saveTarget}, atomically: a temporary file
 * in the same directory renamed over the target, so a failure leaves any previous file as it
 * was.
 *
 * @param envelope The envelope to save.
 * @param target Where to write it.
 * @returns What happened, with the stderr message.
 *
 * @example Save to a named file
 * ```ts ignore
 * import { saveEnvelope, saveTarget } from "./output.ts";
 *
 * const target = await saveTarget("out.json", "/tmp");
 * const result = await saveEnvelope({ ok: true, errmsg: "", data: {} }, target);
 * console.error(result.message); // "Saved to out.json"
 * ```
 */
export async function saveEnvelope(envelope: Envelope, target: SaveTarget): Promise<SaveResult> {
  if ("skip" in target) return { message: target.skip, warning: true };
  const { writeFileAtomic } = await import("../core/atomic_file.ts");
  await writeFileAtomic(target.path, toJsonText(envelope));
  return { path: target.file, message: `Saved to ${target.file}` };
}
