/**
 * Terminal-safe text: every character that could act on a terminal instead of being shown
 * (C0 and C1 controls, ESC and so every escape sequence, DEL, bidi overrides and isolates,
 * zero-width and other format characters, line and paragraph separators, lone surrogates) is
 * replaced by its visible escape, `\u001b` style.
 *
 * Text from a server (names, descriptions, labels, log lines, config values, error messages)
 * passes through {@linkcode terminalText} exactly once on its way to a terminal: in the table
 * renderer, the chart renderer, the progress line and the stderr diagnostics of the CLI. JSON
 * output is not touched by it (JSON escaping keeps values exact; see `toJsonText`).
 *
 * @module
 */

// Cc: C0, DEL, C1. Cf: bidi marks/embeddings/overrides/isolates, zero-width space/joiners,
// word joiner, soft hyphen, BOM, tags, interlinear annotations. Zl/Zp: U+2028/U+2029 (line
// breaks for some terminals and editors). Cs: lone surrogates (no character at all).
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const UNSAFE_EXCEPT_NEWLINE = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * Options of {@linkcode terminalText}.
 *
 * @example Keep line breaks of a multi-line message
 * ```ts
 * import type { TerminalTextOptions } from "./terminal_text.ts";
 *
 * const options: TerminalTextOptions = { keepNewlines: true };
 * ```
 */
export interface TerminalTextOptions {
  /**
   * Leave `\n` as a line break (for multi-line text the CLI composed itself); every other
   * control, `\r` and `\t` included, is still escaped.
   *
   * @default false
   */
  readonly keepNewlines?: boolean;
}

function visible(char: string): string {
  const code = char.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Makes a text safe to write to a terminal: control, bidi and format characters become their
 * visible escapes (`\u001b`, `\u202e`, `\u200b`, `\u{e0041}`); everything else, wide and
 * combining characters included, is left as it is.
 *
 * @param text The text, typically from a server.
 * @param options Whether line breaks are kept.
 * @returns The text with nothing a terminal would act on.
 *
 * @example A colour code, a newline and a bell made visible
 * ```ts
 * import { terminalText } from "./terminal_text.ts";
 *
 * terminalText("\x1b[31mX\nY\rZ\x07"); // "\\u001b[31mX\\u000aY\\u000dZ\\u0007"
 * terminalText("a\u202eb"); // "a\\u202eb"
 * terminalText("实验 ok"); // "实验 ok"
 * ```
 */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_EXCEPT_NEWLINE : UNSAFE, visible);
}
