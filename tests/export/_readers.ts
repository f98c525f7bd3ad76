/**
 * Two independent Parquet readers for the export tests: hyparquet (pure JS) and DuckDB
 * (`@duckdb/node-api`, a test-only dependency with native code).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { DuckDBInstance } from "@duckdb/node-api";

async function fileBuffer(path: string): Promise<ArrayBuffer> {
  const bytes = await readFile(path);
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** The rows of a Parquet file, read with hyparquet. */
export async function readWithHyparquet(path: string): Promise<Record<string, unknown>[]> {
  return await parquetReadObjects({ file: await fileBuffer(path) });
}

/** The physical type of each column of a Parquet file, with its row group count. */
export async function parquetLayout(
  path: string,
): Promise<{ types: Record<string, string>; rowGroups: number; codecs: string[] }> {
  const metadata = parquetMetadata(await fileBuffer(path));
  const types: Record<string, string> = {};
  for (const child of parquetSchema(metadata).children) {
    types[child.element.name] = String(child.element.type);
  }
  const codecs = [
    ...new Set(
      metadata.row_groups.flatMap((g) => g.columns.map((c) => String(c.meta_data?.codec))),
    ),
  ];
  return { types, rowGroups: metadata.row_groups.length, codecs };
}

/** Runs one SQL query in a fresh in-memory DuckDB and returns its rows as JS values. */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The column types DuckDB sees in a Parquet file or glob, e.g. `{ step: "BIGINT" }`. */
export async function duckdbTypes(source: string): Promise<Record<string, string>> {
  const rows = await duckdb(`DESCRIBE SELECT * FROM ${source}`);
  return Object.fromEntries(rows.map((r) => [String(r["column_name"]), String(r["column_type"])]));
}
