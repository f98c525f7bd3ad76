/**
 * A table in memory: its columns in order and its rows, with an HTML rendering for notebooks.
 *
 * @module
 */

/**
 * One cell of a table: text, a number, a boolean or empty (`null`). Lists and objects of a run's
 * configuration are kept as they are (writers serialize them as JSON).
 *
 * @example
 * ```ts
 * import type { TableCell } from "./table_data.ts";
 *
 * const cell: TableCell = 0.01;
 * ```
 */
export type TableCell = string | number | boolean | null | readonly unknown[] | {
  readonly [key: string]: unknown;
};

/**
 * One row of a table, by column name; a missing column is an empty cell.
 *
 * @example
 * ```ts
 * import type { TableRow } from "./table_data.ts";
 *
 * const row: TableRow = { name: "run-1", "config.lr": 0.01 };
 * ```
 */
export type TableRow = Record<string, TableCell>;

/**
 * The columns and rows of a table.
 *
 * @example
 * ```ts
 * import type { TableData } from "./table_data.ts";
 *
 * const table: TableData = { columns: ["name"], rows: [{ name: "run-1" }] };
 * ```
 */
export interface TableData {
  /** The column names, in order (the union of every row's fields). */
  readonly columns: readonly string[];
  /** The rows, in order. */
  readonly rows: readonly TableRow[];
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function htmlCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return escapeHtml(JSON.stringify(value));
  return escapeHtml(String(value));
}

/**
 * Renders a table as an HTML `<table>` (what notebooks display). Every value is escaped.
 *
 * @param table The columns and rows.
 * @param options `maxRows`: rows shown (the rest is summarized in a last line).
 * @returns The HTML text.
 *
 * @example
 * ```ts
 * import { tableToHtml } from "./table_data.ts";
 *
 * tableToHtml({ columns: ["name"], rows: [{ name: "<b>" }] });
 * ```
 */
export function tableToHtml(table: TableData, options: { maxRows?: number } = {}): string {
  const max = options.maxRows ?? 200;
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = table.rows.slice(0, max).map((row) =>
    `<tr>${table.columns.map((c) => `<td>${htmlCell(row[c])}</td>`).join("")}</tr>`
  ).join("\n");
  const more = table.rows.length > max
    ? `\n<p>${table.rows.length - max} more rows (${table.rows.length} in all)</p>`
    : "";
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
}
