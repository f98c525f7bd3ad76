import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DeferredSegmenter } from "../../src/cli/_deferred_segmenter.ts";
import { run } from "../../src/cli/main.ts";
// The CLI's parser module: it installs the stand-in before Optique's modules and restores it.
import "../../src/cli/parse_command_line.ts";
import { captureIo } from "./_helpers.ts";

const TEXT = "a👍🏽b中文e\u0301🇨🇳";

describe("the deferred Intl.Segmenter of the CLI's start-up", () => {
  it("is not left installed once the CLI's modules are loaded", () => {
    // A stand-in instance has no Intl brand: toString() would say [object Object].
    assert.equal(Object.prototype.toString.call(new Intl.Segmenter()), "[object Intl.Segmenter]");
    assert.notEqual(Intl.Segmenter, DeferredSegmenter);
  });

  it("segments like the runtime's segmenter", () => {
    const options = { granularity: "grapheme" } as const;
    const deferred = [...new DeferredSegmenter(undefined, options).segment(TEXT)];
    const native = [...new Intl.Segmenter(undefined, options).segment(TEXT)];
    assert.deepEqual(deferred.map((s) => s.segment), native.map((s) => s.segment));
    assert.deepEqual(deferred.map((s) => s.segment), ["a", "👍🏽", "b", "中", "文", "e\u0301", "🇨🇳"]);
    assert.equal(
      new DeferredSegmenter("en", options).resolvedOptions().granularity,
      "grapheme",
    );
  });

  it("segments ASCII text itself exactly as the runtime does (CR LF, controls, tabs)", () => {
    const options = { granularity: "grapheme" } as const;
    const native = new Intl.Segmenter(undefined, options);
    const samples = [
      "",
      "a",
      "--api-key <KEY>  The API key.",
      "one\r\ntwo\n\rthree\r\r\n",
      "\ttab\x00nul\x1b[1mbold\x1b[0m\x7f",
      "\r\n",
      "\r",
      String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i)),
    ];
    for (const text of samples) {
      const segments = new DeferredSegmenter(undefined, options).segment(text);
      const expected = native.segment(text);
      assert.deepEqual([...segments], [...expected], JSON.stringify(text));
      for (let i = -1; i <= text.length; i++) {
        assert.deepEqual(
          segments.containing(i),
          expected.containing(i),
          `${JSON.stringify(text)} @${i}`,
        );
      }
      assert.deepEqual(segments.containing(), expected.containing());
    }
  });

  it("hands other text and other granularities to the runtime's segmenter", () => {
    const words = new DeferredSegmenter("en", { granularity: "word" }).segment("two words");
    assert.deepEqual([...words].map((s) => s.segment), ["two", " ", "words"]);
    const mixed = new DeferredSegmenter(undefined, { granularity: "grapheme" }).segment("ae\u0301");
    const nativeSegments = Object.getPrototypeOf(new Intl.Segmenter().segment(""));
    assert.equal(Object.getPrototypeOf(mixed), nativeSegments);
    const ascii = new DeferredSegmenter(undefined, { granularity: "grapheme" }).segment("ae");
    assert.notEqual(Object.getPrototypeOf(ascii), nativeSegments, "ASCII is segmented without ICU");
    const byDefault = new DeferredSegmenter().segment("a\r\nb");
    assert.notEqual(Object.getPrototypeOf(byDefault), nativeSegments, "graphemes by default");
    assert.deepEqual([...byDefault].map((s) => s.segment), ["a", "\r\n", "b"]);
    assert.deepEqual([...mixed].map((s) => s.segment), ["a", "e\u0301"]);
  });

  it("still measures text for Optique: a help page wraps to the terminal's width", async () => {
    // Optique's segmenter was built while the stand-in was installed: wrapping uses it.
    const { io, stdout } = captureIo({ tty: { stdout: true }, columns: 60 });
    assert.equal(await run(["run", "metrics", "--help"], io), 0);
    const lines = stdout().split("\n");
    assert.ok(lines.length > 10, stdout());
    for (const line of lines) {
      // Only a single unbreakable word may overflow.
      if (line.length > 60) assert.doesNotMatch(line.trim(), / /, `not wrapped: ${line}`);
    }
    assert.ok(lines.some((line) => line.length > 50), "the text fills the width");
  });
});
