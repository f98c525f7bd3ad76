/**
 * Terminal-safe output, attacked the way a hostile server would: generated control, escape,
 * bidi and zero-width characters through every output path (table cells and headers, CSV on a
 * terminal, JSON and JSON Lines, chart titles and legends, SVG, progress lines, error messages
 * on stderr), asserting that no raw control character reaches the stream and that JSON stays
 * exact.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderLineChart } from "../../src/cli/chart.ts";
import { renderTable, toCsv, toJsonl, toJsonText } from "../../src/cli/output.ts";
import { renderProgressLine } from "../../src/cli/progress.ts";
import { createStyle, displayWidth, stripAnsi } from "../../src/cli/style.ts";
import { escapeXml, renderSvgChart } from "../../src/cli/svg_chart.ts";
import { terminalText } from "../../src/core/terminal_text.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { type ScriptedServer, startScriptedServer } from "../_helpers/scripted_server.ts";
import { envelope, runCli, runPath, serverEnv, startTestServer } from "./_helpers.ts";

/** Anything a terminal could act on: what must never reach a stream raw (besides `\n`). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

function assertSafe(text: string, where: string): void {
  const found = UNSAFE.exec(text.replaceAll("\n", ""));
  assert.equal(
    found,
    null,
    `${where}: raw U+${found?.[0].codePointAt(0)?.toString(16).padStart(4, "0")} in ${
      JSON.stringify(text.slice(0, 300))
    }`,
  );
}

const PIECES = [
  "\x1b[31m",
  "\x1b]0;owned\x07",
  "\x1b[2J\x1b[H",
  "\x07",
  "\r",
  "\n",
  "\t",
  "\x00",
  "\x7f",
  "\x9b31m",
  "\x85",
  "\u202e",
  "\u2066",
  "\u200b",
  "\u200d",
  "\u00ad",
  "\ufeff",
  "\u2028",
  "\u{e0041}",
  "\ud800",
  "实验",
  "e\u0301",
  "🚀",
  ',"',
  "\\",
  "a",
  " ",
];

/** Hostile text: control, escape, bidi, format, wide and combining characters, mixed. */
const hostile = fc.array(
  fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 4 })),
  { minLength: 1, maxLength: 8 },
).map((parts) => parts.join(""));

describe("terminalText()", () => {
  it("leaves nothing a terminal would act on, for any text", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        assertSafe(terminalText(text), "terminalText");
        assertSafe(terminalText(text, { keepNewlines: true }), "terminalText keepNewlines");
      }),
      { numRuns: 500 },
    );
  });

  it("changes nothing in text without such characters (wide and combining included)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        fc.pre(!UNSAFE.test(text));
        assert.equal(terminalText(text), text);
      }),
    );
    assert.equal(terminalText("实验 e\u0301 🚀"), "实验 e\u0301 🚀");
  });

  it("makes the issue's examples visible, in the \\u001b style", () => {
    assert.equal(terminalText("\x1b[31mX\nY\rZ\x07"), "\\u001b[31mX\\u000aY\\u000dZ\\u0007");
    assert.equal(terminalText("\x1b]0;title\x07"), "\\u001b]0;title\\u0007");
    assert.equal(terminalText("a\u202eb\u200bc"), "a\\u202eb\\u200bc");
    assert.equal(terminalText("\u{e0041}"), "\\u{e0041}");
    assert.equal(terminalText("a\nb\tc", { keepNewlines: true }), "a\nb\\u0009c");
  });
});

describe("renderers with hostile text", () => {
  const plain = createStyle(false);

  it("tables: cells and headers are safe and every line has the same display width", () => {
    fc.assert(
      fc.property(hostile, hostile, fc.double(), (name, header, value) => {
        const table = renderTable(
          { rows: [{ [header]: name, n: value }, { [header]: "x", n: 1 }] },
          { width: 200, style: plain },
        );
        assertSafe(table, "renderTable");
        // The numeric column is right-aligned, so every full line ends at the same column.
        const widths = table.trimEnd().split("\n").map((line) => displayWidth(line));
        assert.equal(new Set(widths).size, 1, `ragged table:\n${table}`);
      }),
      { numRuns: 300 },
    );
  });

  it("tables fitted to a narrow terminal stay within its width", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 20, max: 60 }), (text, width) => {
        const table = renderTable(
          { rows: [{ name: text.repeat(5), description: text.repeat(9), n: 3 }] },
          { width, style: plain },
        );
        assertSafe(table, "renderTable narrow");
        for (const line of table.trimEnd().split("\n")) {
          assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("CSV on a terminal is safe; CSV to a pipe and JSON stay exact", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const view = { rows: [{ name: text }] };
        assertSafe(toCsv(view, { terminal: true }), "toCsv terminal");
        const exact = toCsv(view);
        const quoted = /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
        assert.equal(exact, `name\n${quoted}\n`);
        for (const json of [toJsonText({ name: text }), toJsonl(view)]) {
          assertSafe(json, "JSON");
          assert.deepEqual(JSON.parse(json.split("\n").filter(Boolean).join("")), {
            name: text,
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("terminal charts: titles and legends are safe, with and without colour", () => {
    fc.assert(
      fc.property(hostile, hostile, fc.boolean(), (title, name, colour) => {
        const chart = renderLineChart(
          [{ name, points: [{ x: 0, y: 1 }, { x: 5, y: 2 }] }, { name: title, points: [] }],
          { width: 60, height: 5, title, style: createStyle(colour) },
        );
        // Our own colours are the only escapes: once removed, nothing is left to act on.
        assertSafe(stripAnsi(chart), "renderLineChart");
      }),
      { numRuns: 200 },
    );
  });

  it("SVG charts escape for XML: no character XML cannot carry, no markup from names", () => {
    fc.assert(
      fc.property(hostile, (name) => {
        const svg = renderSvgChart([{ name: `<b>${name}</b>&`, points: [{ x: 0, y: 1 }] }], {
          title: name,
        });
        assertSafe(svg, "renderSvgChart");
        assert.doesNotMatch(svg, /<b>/);
        assert.equal(escapeXml(`<${name}>`).includes("<"), false);
      }),
      { numRuns: 200 },
    );
  });

  it("progress lines: labels are safe and fit the width", () => {
    fc.assert(
      fc.property(hostile, fc.boolean(), (label, total) => {
        const line = renderProgressLine({
          label,
          current: 5,
          ...(total ? { total: 10 } : {}),
          unit: "files",
          elapsedMs: 500,
          width: 60,
          style: plain,
        });
        assertSafe(line, "renderProgressLine");
        assert.ok(displayWidth(line) <= 60, line);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * A proxy in front of the local server that puts hostile text where a server puts free text:
 * descriptions, log messages, label names, bios, config keys and values, error messages.
 */
async function hostileProxy(upstream: string, text: () => string): Promise<ScriptedServer> {
  const mutate = (value: unknown, key = ""): unknown => {
    if (Array.isArray(value)) return value.map((item) => mutate(item, key));
    if (typeof value !== "object" || value === null) {
      return typeof value === "string" && ["description", "message", "bio"].includes(key)
        ? text()
        : value;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (key === "config" && typeof v === "string") out[k] = text();
      else if (k === "name" && "colors" in value) out[k] = text();
      else out[k] = mutate(v, k);
    }
    if (key === "config") out[text()] = "hostile key";
    return out;
  };
  return await startScriptedServer(async (request, response) => {
    const headers: Record<string, string> = {};
    for (const name of ["authorization", "cookie", "content-type", "user-agent"]) {
      if (request.headers[name]) headers[name] = request.headers[name];
    }
    const answer = await fetch(upstream + request.path, {
      method: request.method,
      headers,
      ...(request.method === "GET" || request.method === "HEAD" ? {} : { body: request.body }),
    });
    let body = await answer.text();
    if ((answer.headers.get("content-type") ?? "").includes("json")) {
      body = JSON.stringify(mutate(JSON.parse(body)));
    }
    const out: Record<string, string | string[]> = {
      "content-type": answer.headers.get("content-type") ?? "text/plain",
    };
    const cookies = answer.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    response.writeHead(answer.status, out);
    response.end(body);
  });
}

describe("every CLI output path with a hostile server", () => {
  let server: LocalServer;
  let proxy: ScriptedServer;
  let current = "";
  let env: Record<string, string>;
  before(async () => {
    server = await startTestServer();
    proxy = await hostileProxy(server.host, () => current);
    env = { ...serverEnv(server), SWANLAB_API_HOST: proxy.origin, NO_COLOR: "1" };
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  it("no raw control character reaches stdout or stderr; JSON carries the exact text", async () => {
    const path = runPath(server);
    const terminal = { stdout: true, stderr: false };
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        current = text;
        const runs: [string[], Partial<{ stdout: boolean; stderr: boolean }>][] = [
          [["run", "info", path], terminal],
          [["run", "info", path, "--format", "csv"], terminal],
          [["run", "logs", path], terminal],
          [["run", "logs", path, "--format", "jsonl"], terminal],
          [["project", "list", "--workspace", "vision-lab"], terminal],
          [["user", "info"], terminal],
          [["run", "info", path, "--json"], terminal],
          [["run", "info", "vision-lab/resnet-sweep/zzzzzzzz"], terminal],
          [["run", "info", "vision-lab/resnet-sweep/zzzzzzzz", "--json"], terminal],
        ];
        for (const [argv, tty] of runs) {
          const result = await runCli(argv, { env, tty });
          assertSafe(result.stdout, `${argv.join(" ")} stdout`);
          assertSafe(result.stderr, `${argv.join(" ")} stderr`);
          if (argv.some((arg) => arg.endsWith("zzzzzzzz"))) {
            assert.equal(result.code, 1);
            assert.match(result.stderr, /^error: API Request Failed: \[404\] /);
          } else assert.equal(result.code, 0, result.stderr);
          if (argv.includes("--json")) {
            const parsed = envelope(result);
            const exact = text;
            if (parsed.ok) {
              assert.equal((parsed.data as { description: string }).description, exact);
            } else assert.ok(parsed.errmsg.includes(exact), parsed.errmsg);
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
