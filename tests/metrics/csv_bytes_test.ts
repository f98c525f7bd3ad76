import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { BLOCK_ROWS, CsvByteParser } from "../../src/metrics/_csv_bytes.ts";
import { CsvParseStream, type ScalarCsvRow } from "../../src/metrics/csv_parse_stream.ts";

const RUNS = 1500;
const encoder = new TextEncoder();

/** Rows of one block, in the shape of `CsvParseStream`. */
function blockRows(parser: CsvByteParser, rows: number, out: ScalarCsvRow[]): void {
  const k = parser.keyCount;
  for (let r = 0; r < rows; r++) {
    const values: (number | undefined)[] = [];
    const timestamps: (number | undefined)[] = [];
    for (let i = 0; i < k; i++) {
      const cell = r * k + i;
      values.push(parser.hasValue[cell] === 1 ? parser.values[cell] : undefined);
      const timestamp = parser.timestamps[cell] as number;
      timestamps.push(timestamp === timestamp ? timestamp : undefined);
    }
    out.push({ step: parser.steps[r] as number, values, timestamps });
  }
}

interface Parsed {
  rows: ScalarCsvRow[];
  skipped: number;
}

/** Runs the byte parser over the chunks. */
function parseBytes(chunks: readonly Uint8Array[], keyCount: number): Parsed {
  const parser = new CsvByteParser(keyCount);
  const rows: ScalarCsvRow[] = [];
  for (const chunk of chunks) {
    parser.push(chunk);
    for (let n = parser.next(); n > 0; n = parser.next()) {
      assert.ok(n <= BLOCK_ROWS);
      blockRows(parser, n, rows);
    }
  }
  blockRows(parser, parser.finish(), rows);
  return { rows, skipped: parser.skipped };
}

/** Runs the string pipeline (decoder + `CsvParseStream`) over the same chunks. */
async function parseText(chunks: readonly Uint8Array[], keyCount: number): Promise<Parsed> {
  const stream = new CsvParseStream({ keys: Array.from({ length: keyCount }, (_, i) => `k${i}`) });
  const rows = await Array.fromAsync(
    ReadableStream.from(chunks).pipeThrough(new TextDecoderStream()).pipeThrough(stream),
  );
  return { rows, skipped: stream.skippedRows };
}

/** Both parsers agree: same rows and skipped count, or the same error. */
async function assertSame(chunks: readonly Uint8Array[], keyCount: number): Promise<Parsed> {
  let expected: Parsed | Error;
  try {
    expected = await parseText(chunks, keyCount);
  } catch (error) {
    expected = error as Error;
  }
  let actual: Parsed | Error;
  try {
    actual = parseBytes(chunks, keyCount);
  } catch (error) {
    actual = error as Error;
  }
  if (expected instanceof Error) {
    assert.ok(actual instanceof Error, `expected ${expected.message}, got rows`);
    assert.equal(actual.constructor, expected.constructor);
    assert.equal(actual.message, expected.message);
  } else {
    assert.ok(!(actual instanceof Error), `unexpected ${actual}`);
    assert.deepEqual(actual, expected);
  }
  return actual as Parsed;
}

/** Splits bytes at the given positions (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(previous, point));
    previous = point;
  }
  chunks.push(bytes.subarray(previous));
  return chunks;
}

function parseValue(cell: string): number | undefined {
  const { rows } = parseBytes([encoder.encode(`step,a,b\n1,${cell},\n`)], 1);
  assert.equal(rows.length, 1);
  return rows[0]!.values[0];
}

describe("CsvByteParser", () => {
  it("parses the server's layout", () => {
    const text = "step,exp-loss_step,exp-loss_timestamp,exp-acc_step,exp-acc_timestamp\n" +
      "1,0.5,1722470401000,0.1,1722470401000\n" +
      "2,NaN,1722470402000,,\n" +
      "3,INF,,-INF,1722470403000\n";
    assert.deepEqual(parseBytes([encoder.encode(text)], 2), {
      rows: [
        { step: 1, values: [0.5, 0.1], timestamps: [1722470401000, 1722470401000] },
        { step: 2, values: [NaN, undefined], timestamps: [1722470402000, undefined] },
        { step: 3, values: [Infinity, -Infinity], timestamps: [undefined, 1722470403000] },
      ],
      skipped: 0,
    });
  });

  it("reads plain decimals and exponents exactly like Number()", () => {
    const cells = [
      "0",
      "-0",
      "+0",
      "-0.0",
      "0e5",
      "-0e-5",
      ".5",
      "5.",
      "-.5",
      "007.25",
      "2.301",
      "0.000001",
      "123456.789012",
      "9007199254740991",
      "9007199254740992",
      "9007199254740993",
      "0.30000000000000004",
      "1.7976931348623157e308",
      "5e-324",
      "1e-7",
      "2.5E+3",
      "1e22",
      "1e23",
      "123e-22",
      "1.5e-20",
      "0.0000000000000000000001",
      "0.00000000000000000000001",
      "1e0000005",
      "8.98846567431158e307",
    ];
    for (const cell of cells) {
      assert.ok(Object.is(parseValue(cell), Number(cell)), cell);
    }
  });

  it("reads Python's non-finite spellings and rejects odd cells like float()", () => {
    const cases: [string, number | undefined][] = [
      ["NaN", NaN],
      ["nan", NaN],
      ["-NaN", NaN],
      ["INF", Infinity],
      ["+INF", Infinity],
      ["-INF", -Infinity],
      ["inf", Infinity],
      ["-Infinity", -Infinity],
      ["INFINITY", Infinity],
      ["NaNa", undefined],
      ["IN", undefined],
      ["", undefined],
      [" ", undefined],
      ["-", undefined],
      [".", undefined],
      ["1e", undefined],
      ["1e+", undefined],
      ["0x10", undefined],
      [" 1.5 ", 1.5],
      ["1_0", undefined],
      ["１", undefined],
    ];
    for (const [cell, expected] of cases) assert.ok(Object.is(parseValue(cell), expected), cell);
  });

  it("reads long odd cells like the text parser", () => {
    for (
      const cell of [
        " ".repeat(200_000) + "1.5",
        "0".repeat(100) + "1.5",
        "1".repeat(400),
        "0." + "0".repeat(30) + "1",
        "x".repeat(100),
      ]
    ) {
      assert.ok(Object.is(parseValue(cell), cell.startsWith("x") ? undefined : Number(cell)));
    }
  });

  it("takes blocks of at most BLOCK_ROWS rows from a large chunk", () => {
    const rows = BLOCK_ROWS * 2 + 5;
    let text = "step,a,b\n";
    for (let i = 0; i < rows; i++) text += `${i},${i / 4},${1000 + i}\n`;
    const parser = new CsvByteParser(1);
    parser.push(encoder.encode(text));
    const sizes: number[] = [];
    for (let n = parser.next(); n > 0; n = parser.next()) sizes.push(n);
    assert.deepEqual(sizes, [BLOCK_ROWS, BLOCK_ROWS, 5]);
    assert.equal(parser.steps[4], rows - 1);
    assert.equal(parser.finish(), 0);
    assert.equal(parser.line, rows + 1);
  });

  it("agrees with CsvParseStream on the fixed cases, split at every byte", async () => {
    const texts = [
      "\uFEFFstep,a,b\r\n\r\n1,2,3\r\n\n2,4,5\r\n",
      "\uFEFF\uFEFFstep,a,b\n1,2,3\n",
      "step,a,b\n1,2,3\n2,4,5",
      "step,a,b\n1,2,3\r",
      "step,a,b\n1,2,3\r\r\n2,4,5\r\r",
      "step,a,b,c,d\n1,2,3,4,5\n2,0.4,172247",
      'step,"my,exp-loss_step","my,exp-loss_timestamp"\n1,"0.5",2\n2,"1,5",3\n',
      'step,"a\nb",c\n1,2,3\n',
      "step,a,b\nx,1,2\n1.0,1,2\n,1,2\n3,1,2\n-0,1,2\n+4,1,2\n 5,1,2\n",
      "step,a,b\n1,0,1722470401000\n2,0,1722470401000.5\n3,0,abc\n4,0,17224704010000001\n5,0, 42 \n",
      "step,a,b\n1,2,3\n2,3\n3,4,5\n",
      "step,a,b\n1,2,3,4\n",
      "step,a\n",
      "",
      "\uFEFF",
      "\r\n",
      "step,é-ü_step,é-ü_timestamp\n1,ü,2\n2,\uFEFF1,3\n3,\u00a01\u00a0,4\n",
      "step,a,b\n1,\xff\xfe,2\n",
      "step,a,b\n1,-,+\n2,1e5,-\n3,-1e-5,+7\n",
    ];
    for (const text of texts) {
      const bytes = encoder.encode(text);
      await assertSame([bytes], 1);
      await assertSame([bytes], 2);
      for (let i = 0; i <= bytes.length; i++) {
        await assertSame([bytes.subarray(0, i), bytes.subarray(i)], 1);
      }
      await assertSame([...bytes].map((byte) => Uint8Array.of(byte)), 1);
    }
  });

  it("splits raw invalid UTF-8 like the stream decoder", async () => {
    const bytes = Uint8Array.of(
      ...encoder.encode("step,a\xe9,b\n1,"),
      0xe2,
      0x82,
      ...encoder.encode(",2\n2,"),
      0xf0,
      0x9f,
      ...encoder.encode("\n3,1,2\n"),
    );
    for (let i = 0; i <= bytes.length; i++) {
      await assertSame([bytes.subarray(0, i), bytes.subarray(i)], 1);
    }
  });

  it("refuses a push before the previous chunk was read", () => {
    const parser = new CsvByteParser(1);
    parser.push(encoder.encode("step,a,b\n1,2,3\n"));
    assert.throws(() => parser.push(encoder.encode("2,3,4\n")));
  });

  // -------------------------------------------------------------------------------------------
  // Properties
  // -------------------------------------------------------------------------------------------

  /** Value cells as servers, Python or JavaScript print them, plus odd cells. */
  const valueText: fc.Arbitrary<string> = fc.oneof(
    { weight: 1, arbitrary: fc.constant("") },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "NaN",
        "nan",
        "-nan",
        "INF",
        "-INF",
        "+INF",
        "inf",
        "-inf",
        "Infinity",
        "-Infinity",
        "-0",
        "0",
        "-0.0",
        " 1.5",
        "1.5 ",
        "abc",
        "0x1f",
        "1e",
        ".",
        "-",
        "1.2.3",
        "1e400",
        "-1e-400",
        '"0.5"',
        '"1,5"',
        "ü",
      ),
    },
    {
      weight: 10,
      arbitrary: fc.tuple(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }).map((n) => n / 1e6),
          fc.integer({ min: -1000, max: 1000 }).map((n) => n / 64),
        ),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 21 }),
      ).map(([value, format, digits]) => {
        if (format === 1) return value.toExponential();
        if (format === 2 && Math.abs(value) < 1e21) return value.toFixed(Math.min(digits, 20));
        if (format === 3) return value.toPrecision(Math.max(1, digits));
        if (format === 4) return value.toExponential(Math.min(digits, 20)).toUpperCase();
        if (format === 5) return value.toPrecision(17);
        return String(value);
      }),
    },
  );
  const timestampText: fc.Arbitrary<string> = fc.oneof(
    { weight: 2, arbitrary: fc.constant("") },
    {
      weight: 8,
      arbitrary: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }).map(String),
    },
    { weight: 1, arbitrary: fc.maxSafeNat().map(String) },
    { weight: 1, arbitrary: fc.constantFrom("-0", "+5", "-7", " 42 ", "1.5", "x", "1e3", "-") },
  );
  const stepText: fc.Arbitrary<string> = fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 10_000_000 }).map(String) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("x", "1.5", "", "-0", "-3", "+4", "12345678901234567", '"7"'),
    },
  );
  const csvArb = fc.integer({ min: 1, max: 4 }).chain((keyCount) =>
    fc.record({
      keyCount: fc.constant(keyCount),
      exp: fc.constantFrom("exp", "my,run", 'e"x', "实验", "\uFEFFx"),
      bom: fc.boolean(),
      eol: fc.constantFrom("\n", "\r\n"),
      final: fc.constantFrom("eol", "none", "cr"),
      rows: fc.array(
        fc.oneof(
          {
            weight: 20,
            arbitrary: fc.tuple(
              stepText,
              fc.array(fc.tuple(valueText, timestampText), {
                minLength: keyCount,
                maxLength: keyCount,
              }),
            ).map(([step, cells]) => [step, ...cells.flat()].join(",")),
          },
          { weight: 1, arbitrary: fc.constantFrom("", "1,2", "1,2,3,4,5,6,7,8,9,10", '1,"2') },
        ),
        { maxLength: 30 },
      ),
    })
  );

  function render(
    g: {
      keyCount: number;
      exp: string;
      bom: boolean;
      eol: string;
      final: string;
      rows: string[];
    },
  ): Uint8Array {
    const quote = (cell: string) => /[",]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
    const header = [
      "step",
      ...Array.from({ length: g.keyCount }, (_, i) => [
        quote(`${g.exp}-k${i}_step`),
        quote(`${g.exp}-k${i}_timestamp`),
      ]).flat(),
    ].join(",");
    let text = (g.bom ? "\uFEFF" : "") + [header, ...g.rows].join(g.eol);
    if (g.final === "eol") text += g.eol;
    if (g.final === "cr") text += "\r";
    return encoder.encode(text);
  }

  it("agrees with CsvParseStream on random exports split at random byte boundaries", async () => {
    await fc.assert(
      fc.asyncProperty(csvArb, fc.array(fc.nat(), { maxLength: 12 }), async (g, cuts) => {
        await assertSame(split(render(g), cuts), g.keyCount);
      }),
      { numRuns: RUNS },
    );
  });

  it("agrees with CsvParseStream on random exports cut anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(
        csvArb,
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (g, at, cuts) => {
          const bytes = render(g);
          await assertSame(split(bytes.subarray(0, at % (bytes.length + 1)), cuts), g.keyCount);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("reads every value cell like Number() / the text parser", async () => {
    await fc.assert(
      fc.asyncProperty(valueText, fc.nat(), async (cell, cut) => {
        const bytes = encoder.encode(`step,a,b\n1,${cell},5\n`);
        const parsed = await assertSame(split(bytes, [cut]), 1);
        if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(cell)) {
          assert.ok(Object.is(parsed.rows[0]!.values[0], Number(cell)), cell);
        }
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it("counts the bytes parsed, also when a reader takes back each chunk's memory", () => {
    const header = "step,e-a_step,e-a_timestamp\n";
    const body = Array.from({ length: 3 * BLOCK_ROWS }, (_, i) => `${i},0.${i},${i}\n`).join("");
    const bytes = encoder.encode(header + body);
    const parser = new CsvByteParser(1);
    const seen: number[] = [];
    for (let at = 0; at < bytes.length; at += 7_000) {
      // A copy in memory of its own, detached after use as a BYOB reader's buffer is.
      const chunk = bytes.slice(at, at + 7_000);
      parser.push(chunk);
      while (parser.next() > 0) seen.push(parser.bytesParsed);
      structuredClone(chunk.buffer, { transfer: [chunk.buffer] });
    }
    assert.equal(parser.finish(), 0);
    // Every block ends on a whole line; the last one at the end of the body.
    assert.ok(seen.every((n, i) => i === 0 || n > seen[i - 1]!));
    assert.ok(seen.every((n) => n === bytes.length || bytes[n - 1] === 10));
    assert.equal(seen.at(-1), bytes.length);
  });
});
