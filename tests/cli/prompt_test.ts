import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InputReader, PromptCancelledError, promptHidden } from "../../src/cli/prompt.ts";
import type { CliReader } from "../../src/cli/io.ts";

function source(chunks: string[], raw: boolean[] = []): CliReader {
  return {
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) yield new TextEncoder().encode(chunk);
    },
    setRawMode: (on: boolean) => void raw.push(on),
  };
}

describe("InputReader", () => {
  it("reads lines across chunks, CRLF included, and the last line without newline", async () => {
    const reader = new InputReader(source(["ke", "y-1\r\npass", "-2\nlast"]));
    assert.equal(await reader.readLine(), "key-1");
    assert.equal(await reader.readLine(), "pass-2");
    assert.equal(await reader.readLine(), "last");
    assert.equal(await reader.readLine(), undefined);
    await reader.close();
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode("密码\n");
    const reader = new InputReader({
      async *[Symbol.asyncIterator]() {
        yield bytes.slice(0, 2);
        yield bytes.slice(2);
      },
    });
    assert.equal(await reader.readLine(), "密码");
  });
});

describe("promptHidden()", () => {
  it("reads without echo in raw mode, with Backspace, and restores the terminal", async () => {
    const raw: boolean[] = [];
    const stdin = source(["sec", "x\x7fret\r"], raw);
    const written: string[] = [];
    const value = await promptHidden({
      question: "API key: ",
      writer: { write: (s) => void written.push(s) },
      reader: new InputReader(stdin),
      stdin,
      isTTY: true,
    });
    assert.equal(value, "secret");
    assert.deepEqual(raw, [true, false]);
    assert.equal(written.join(""), "API key: \n"); // nothing echoed
  });

  it("is cancelled by Ctrl-C and still restores the terminal", async () => {
    const raw: boolean[] = [];
    const stdin = source(["ab\x03"], raw);
    await assert.rejects(
      promptHidden({
        question: "? ",
        writer: { write: () => {} },
        reader: new InputReader(stdin),
        stdin,
        isTTY: true,
      }),
      PromptCancelledError,
    );
    assert.deepEqual(raw, [true, false]);
  });

  it("reads one line when standard input is not a terminal", async () => {
    const stdin = source([" k3y \nrest\n"]);
    const value = await promptHidden({
      question: "? ",
      writer: { write: () => {} },
      reader: new InputReader(stdin),
      stdin,
      isTTY: false,
    });
    assert.equal(value, "k3y");
  });
});
