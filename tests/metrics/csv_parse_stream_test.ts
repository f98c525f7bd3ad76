import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { ResponseError, ValidationError } from "../../src/core/errors.ts";
import { CsvParseStream, type ScalarCsvRow, toPoints } from "../../src/metrics/csv_parse_stream.ts";

const RUNS = 2000;

/** Feeds chunks through a fresh parser; returns the rows and the skipped-row count. */
async function parse(
  chunks: readonly string[],
  keys: readonly string[],
): Promise<{ rows: ScalarCsvRow[]; skipped: number }> {
  const stream = new CsvParseStream({ keys });
  const rows = await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(stream));
  return { rows, skipped: stream.skippedRows };
}

async function parseText(text: string, keys: readonly string[]): Promise<ScalarCsvRow[]> {
  return (await parse([text], keys)).rows;
}

function header(keys: readonly string[], exp = "exp"): string {
  return ["step", ...keys.flatMap((key) => [`${exp}-${key}_step`, `${exp}-${key}_timestamp`])].join(
    ",",
  );
}

describe("CsvParseStream", () => {
  it("parses the layout from the wire reference", async () => {
    const text = "step,exp-loss_step,exp-loss_timestamp,exp-acc_step,exp-acc_timestamp\n" +
      "1,0.5,1722470401000,0.1,1722470401000\n" +
      "2,0.4,1722470402000,,\n";
    assert.deepEqual(await parseText(text, ["loss", "acc"]), [
      { step: 1, values: [0.5, 0.1], timestamps: [1722470401000, 1722470401000] },
      { step: 2, values: [0.4, undefined], timestamps: [1722470402000, undefined] },
    ]);
  });

  it("maps columns by position, not by header text", async () => {
    const text = "step,whatever,x,y,z\n7,1,2,3,4\n";
    assert.deepEqual(await parseText(text, ["b", "a"]), [
      { step: 7, values: [1, 3], timestamps: [2, 4] },
    ]);
  });

  it("accepts CRLF line ends, blank lines and a byte-order mark", async () => {
    const text = "\uFEFFstep,a,b\r\n\r\n1,2,3\r\n\n2,4,5\r\n";
    assert.deepEqual(await parseText(text, ["k"]), [
      { step: 1, values: [2], timestamps: [3] },
      { step: 2, values: [4], timestamps: [5] },
    ]);
  });

  it("reads NaN and infinities in every spelling Python's float() takes", async () => {
    const cells = [
      "NaN",
      "nan",
      "NAN",
      "-nan",
      "INF",
      "inf",
      "+inf",
      "Infinity",
      "-INF",
      "-inf",
      "-Infinity",
    ];
    const text = "step,a,b\n" + cells.map((cell, i) => `${i},${cell},`).join("\n") + "\n";
    const values = (await parseText(text, ["k"])).map((row) => row.values[0]);
    assert.deepEqual(values, [
      NaN,
      NaN,
      NaN,
      NaN,
      Infinity,
      Infinity,
      Infinity,
      Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
    ]);
  });

  it("reads decimal and exponent forms exactly like Number()", async () => {
    const cells = [
      "0.1",
      "-2.5E+3",
      "1e-7",
      ".5",
      "5.",
      "+3",
      "-0",
      "0",
      "123456789012345678",
      " 1.5 ",
      "0.30000000000000004",
    ];
    const text = "step,a,b\n" + cells.map((cell, i) => `${i},${cell},`).join("\n") + "\n";
    const values = (await parseText(text, ["k"])).map((row) => row.values[0]);
    assert.deepEqual(values, cells.map(Number));
    assert.ok(Object.is(values[6], -0));
  });

  it("gives undefined for empty and unparsable value cells", async () => {
    const cells = ["", "  ", "abc", "0x10", "0b1", "0o7", " 0x10", "1;5", "--1", "1e", "nan1"];
    const text = "step,a,b\n" + cells.map((cell, i) => `${i},${cell},1`).join("\n") + "\n";
    const rows = await parseText(text, ["k"]);
    assert.deepEqual(rows.map((row) => row.values[0]), cells.map(() => undefined));
    assert.deepEqual(rows.map((row) => row.timestamps[0]), cells.map(() => 1));
  });

  it("reads timestamps as integers and drops fractional or bad ones", async () => {
    const text =
      "step,a,b\n1,0,1722470401000\n2,0,1722470401000.5\n3,0,abc\n4,0,17224704010000001\n5,0, 42 \n";
    const rows = await parseText(text, ["k"]);
    assert.deepEqual(rows.map((row) => row.timestamps[0]), [
      1722470401000,
      undefined,
      undefined,
      17224704010000001,
      42,
    ]);
  });

  it("skips rows whose first cell is not an integer and counts them", async () => {
    const text = "step,a,b\nx,1,2\n1.0,1,2\n,1,2\n3,1,2\n";
    const { rows, skipped } = await parse([text], ["k"]);
    assert.deepEqual(rows.map((row) => row.step), [3]);
    assert.equal(skipped, 3);
  });

  it("parses rows split across chunks at every position", async () => {
    const text = "step,e-loss_step,e-loss_timestamp\r\n1,0.5,1722470401000\r\n2,-INF,\r\n3,,7\r\n";
    const expected = await parseText(text, ["loss"]);
    assert.equal(expected.length, 3);
    for (let i = 0; i <= text.length; i++) {
      for (const j of [i, Math.min(text.length, i + 1), Math.min(text.length, i + 7)]) {
        const { rows } = await parse([text.slice(0, i), text.slice(i, j), text.slice(j)], ["loss"]);
        assert.deepEqual(rows, expected, `split at ${i}/${j}`);
      }
    }
    const single = await parse([...text], ["loss"]);
    assert.deepEqual(single.rows, expected, "one character per chunk");
  });

  it("accepts a complete last row without a final line break", async () => {
    assert.deepEqual(await parseText("step,a,b\n1,2,3\n2,4,5", ["k"]), [
      { step: 1, values: [2], timestamps: [3] },
      { step: 2, values: [4], timestamps: [5] },
    ]);
    assert.deepEqual(await parseText("step,a,b\n1,2,3\r", ["k"]), [
      { step: 1, values: [2], timestamps: [3] },
    ]);
  });

  it("accepts a header without rows", async () => {
    assert.deepEqual(await parseText(header(["loss", "acc"]) + "\n", ["loss", "acc"]), []);
    assert.deepEqual(await parseText("step,a,b", ["k"]), []);
  });

  it("fails when the last row is cut", async () => {
    await assert.rejects(
      parseText("step,a,b,c,d\n1,2,3,4,5\n2,0.4,172247", ["k1", "k2"]),
      (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.message, "Cannot parse CSV export: last row is cut after line 2");
        return true;
      },
    );
    await assert.rejects(parseText("step,a,b\n1", ["k"]), /last row is cut after line 1/);
  });

  it("fails when the header has the wrong number of columns", async () => {
    await assert.rejects(
      parseText("step,a,b\n1,2,3\n", ["k1", "k2"]),
      (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(
          error.message,
          "Cannot parse CSV export: header has 3 columns, expected 5 (step, then a value and a timestamp column per key)",
        );
        return true;
      },
    );
    await assert.rejects(parseText("step,a", ["k"]), /header has 2 columns, expected 3/);
  });

  it("fails when the export is empty", async () => {
    await assert.rejects(parse([], ["k"]), /Cannot parse CSV export: the header row is missing/);
    await assert.rejects(parse(["", ""], ["k"]), ResponseError);
  });

  it("fails on a complete row with the wrong number of columns, naming the line", async () => {
    await assert.rejects(
      parseText("step,a,b\n1,2,3\n2,3\n3,4,5\n", ["k"]),
      /Cannot parse CSV export: line 3 has 2 columns, expected 3/,
    );
    await assert.rejects(parseText("step,a,b\n1,2,3,4\n", ["k"]), /line 2 has 4 columns/);
  });

  it("handles quoted header cells and quoted data cells", async () => {
    const text = 'step,"my,exp-loss_step","my,exp-loss_timestamp"\n1,"0.5",2\n2,"1,5",3\n';
    assert.deepEqual(await parseText(text, ["loss"]), [
      { step: 1, values: [0.5], timestamps: [2] },
      { step: 2, values: [undefined], timestamps: [3] },
    ]);
  });

  it("requires at least one key", () => {
    assert.throws(() => new CsvParseStream({ keys: [] }), ValidationError);
  });

  // -------------------------------------------------------------------------------------------
  // Properties
  // -------------------------------------------------------------------------------------------

  /** A cell's text and the number it must parse to. */
  type Cell = [string, number | undefined];

  /** A value cell as the server (or Python) might print it, and the number it stands for. */
  const valueCell: fc.Arbitrary<Cell> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<[string, undefined]>(["", undefined]) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<[string, number]>(
        ["NaN", NaN],
        ["nan", NaN],
        ["INF", Infinity],
        ["-INF", -Infinity],
        ["inf", Infinity],
        ["-Infinity", -Infinity],
      ),
    },
    {
      weight: 6,
      arbitrary: fc.tuple(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer({ min: -1000, max: 1000 }).map((n) => n / 64),
        ),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 16 }),
      ).map(([value, format, digits]): [string, number] => {
        let text = String(value);
        if (format === 1) text = value.toExponential();
        if (format === 2 && Math.abs(value) < 1e21) text = value.toFixed(Math.min(digits, 12));
        if (format === 3) text = value.toPrecision(Math.max(1, digits));
        return [text, Number(text)];
      }),
    },
  );
  const timestampCell: fc.Arbitrary<Cell> = fc.oneof(
    fc.constant<[string, undefined]>(["", undefined]),
    fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }).map((
      n,
    ): [string, number] => [String(n), n]),
    fc.maxSafeNat().map((n): [string, number] => [String(n), n]),
  );
  const csvArb = fc.integer({ min: 1, max: 4 }).chain((keyCount) =>
    fc.record({
      keyCount: fc.constant(keyCount),
      exp: fc.constantFrom("exp", "my,run", 'e"x'),
      eol: fc.constantFrom("\n", "\r\n"),
      rows: fc.array(
        fc.oneof(
          {
            weight: 9,
            arbitrary: fc.record({
              step: fc.integer({ min: -10, max: 10_000_000 }),
              cells: fc.array(fc.tuple(valueCell, timestampCell), {
                minLength: keyCount,
                maxLength: keyCount,
              }),
            }),
          },
          { weight: 1, arbitrary: fc.constantFrom("x", "1.5", "step", "") },
        ),
        { maxLength: 25 },
      ),
    })
  );

  interface Csv {
    text: string;
    keys: string[];
    expected: ScalarCsvRow[];
    skipped: number;
    lines: string[];
  }

  function render(
    { keyCount, exp, eol, rows }: {
      keyCount: number;
      exp: string;
      eol: string;
      rows: ({ step: number; cells: [Cell, Cell][] } | string)[];
    },
  ): Csv {
    const keys = Array.from({ length: keyCount }, (_, i) => `key${i}`);
    const quote = (cell: string) => /[",]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
    const lines = [
      [
        "step",
        ...keys.flatMap((key) => [quote(`${exp}-${key}_step`), quote(`${exp}-${key}_timestamp`)]),
      ].join(","),
    ];
    const expected: ScalarCsvRow[] = [];
    let skipped = 0;
    for (const row of rows) {
      if (typeof row === "string") {
        lines.push([row, ...keys.flatMap(() => ["1", "2"])].join(","));
        skipped++;
        continue;
      }
      const cells = row.cells;
      lines.push(
        [String(row.step), ...cells.flatMap(([value, timestamp]) => [value[0], timestamp[0]])].join(
          ",",
        ),
      );
      expected.push({
        step: row.step,
        values: cells.map(([value]) => value[1]),
        timestamps: cells.map(([, timestamp]) => timestamp[1]),
      });
    }
    return { text: lines.join(eol) + eol, keys, expected, skipped, lines };
  }

  /** Splits text at the given positions (any order, duplicates allowed). */
  function split(text: string, cuts: number[]): string[] {
    const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    const chunks: string[] = [];
    let previous = 0;
    for (const point of points) {
      chunks.push(text.slice(previous, point));
      previous = point;
    }
    chunks.push(text.slice(previous));
    return chunks;
  }

  it("parses random exports split at random chunk boundaries back exactly", async () => {
    await fc.assert(
      fc.asyncProperty(csvArb, fc.array(fc.nat(), { maxLength: 12 }), async (generated, cuts) => {
        const csv = render(generated);
        const { rows, skipped } = await parse(split(csv.text, cuts), csv.keys);
        assert.deepEqual(rows, csv.expected);
        assert.equal(skipped, csv.skipped);
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects an export cut anywhere inside the last row before its last column", async () => {
    const withRows = csvArb.filter((g) =>
      g.rows.length > 0 && typeof g.rows[g.rows.length - 1] !== "string"
    );
    await fc.assert(
      fc.asyncProperty(
        withRows,
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (generated, at, cuts) => {
          const csv = render(generated);
          const eol = generated.eol;
          const lastLine = csv.lines[csv.lines.length - 1] as string;
          const lastStart = csv.text.length - eol.length - lastLine.length;
          // Cut after at least one character and before the last comma, so columns are missing.
          const lastComma = lastStart + lastLine.lastIndexOf(",");
          const cut = lastStart + 1 + (at % (lastComma - lastStart));
          const truncated = csv.text.slice(0, cut);
          await assert.rejects(parse(split(truncated, cuts), csv.keys), (error: unknown) => {
            assert.ok(error instanceof ResponseError, `got ${error}`);
            assert.equal(
              error.message,
              `Cannot parse CSV export: last row is cut after line ${csv.lines.length - 1}`,
            );
            return true;
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("toPoints()", () => {
  it("returns one point per key, undefined where the value is missing", () => {
    assert.deepEqual(
      toPoints({
        step: 2,
        values: [0.4, undefined, NaN],
        timestamps: [1722470402000, 5, undefined],
      }),
      [{ step: 2, value: 0.4, timestamp: 1722470402000 }, undefined, { step: 2, value: NaN }],
    );
  });

  it("omits the timestamp key when the row has none", () => {
    const [point] = toPoints({ step: 1, values: [1], timestamps: [undefined] });
    assert.ok(point !== undefined && !("timestamp" in point));
  });
});
