/**
 * Terminal colours: when they are allowed and how text is painted.
 *
 * Colour is used only on a terminal, never with `--no-color`, a non-empty `NO_COLOR`, or
 * `TERM=dumb` (https://no-color.org).
 *
 * @module
 */

/**
 * The facts that decide whether a stream may carry ANSI escapes.
 *
 * @example A terminal with NO_COLOR
 * ```ts
 * import type { ColorInputs } from "./style.ts";
 *
 * const inputs: ColorInputs = { isTTY: true, env: { NO_COLOR: "1" } };
 * ```
 */
export interface ColorInputs {
  /** The stream is a terminal. */
  isTTY: boolean;
  /** The environment (`NO_COLOR`, `TERM`, `FORCE_COLOR`). */
  env: Readonly<Record<string, string | undefined>>;
  /** `--no-color` was given. */
  noColor?: boolean;
}

/**
 * Whether ANSI escapes (colours, cursor control) may be written to a stream.
 *
 * @param inputs The stream's terminal state, the environment and the `--no-color` flag.
 * @returns `true` when escapes are allowed.
 *
 * @example NO_COLOR wins
 * ```ts
 * import { colorEnabled } from "./style.ts";
 *
 * colorEnabled({ isTTY: true, env: { NO_COLOR: "1" } }); // false
 * colorEnabled({ isTTY: true, env: { TERM: "xterm-256color" } }); // true
 * ```
 */
export function colorEnabled(inputs: ColorInputs): boolean {
  if (inputs.noColor) return false;
  const env = inputs.env;
  if ((env["NO_COLOR"] ?? "") !== "") return false;
  if (env["TERM"] === "dumb") return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  return inputs.isTTY;
}

/**
 * Paints text, or leaves it alone when colour is off.
 *
 * @example Paint a warning
 * ```ts
 * import { createStyle, type Style } from "./style.ts";
 *
 * const style: Style = createStyle(false);
 * console.log(style.yellow("warning:"));
 * ```
 */
export interface Style {
  /** Whether escapes are written. */
  readonly enabled: boolean;
  /** Bold text. */
  bold(text: string): string;
  /** Dimmed text. */
  dim(text: string): string;
  /** Red text (errors). */
  red(text: string): string;
  /** Yellow text (warnings). */
  yellow(text: string): string;
  /** Green text (success). */
  green(text: string): string;
  /** Cyan text (headings). */
  cyan(text: string): string;
  /** Text in one of the series palette colours, by index. */
  series(index: number, text: string): string;
}

/**
 * ANSI colour codes used for chart series, in order.
 *
 * @example The first series' colour
 * ```ts
 * import { SERIES_ANSI } from "./style.ts";
 *
 * console.log(`\x1b[${SERIES_ANSI[0]}mloss\x1b[39m`);
 * ```
 */
export const SERIES_ANSI: readonly number[] = [36, 33, 35, 32, 34, 31, 96, 93];

/**
 * Creates a {@linkcode Style} that paints only when `enabled`.
 *
 * @param enabled Whether to write ANSI escapes.
 * @returns The style.
 *
 * @example Bold text
 * ```ts
 * import { createStyle } from "./style.ts";
 *
 * createStyle(false).bold("x"); // "x"
 * createStyle(true).bold("x"); // "\x1b[1mx\x1b[22m"
 * ```
 */
export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled && text !== "" ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
    series: (index, text) => wrap(SERIES_ANSI[index % SERIES_ANSI.length]!, 39)(text),
  };
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Removes ANSI escape sequences from a text.
 *
 * @param text The text.
 * @returns The text without escapes.
 *
 * @example Remove escapes
 * ```ts
 * import { stripAnsi } from "./style.ts";
 *
 * stripAnsi("\x1b[1mbold\x1b[22m"); // "bold"
 * ```
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/**
 * The number of terminal columns a text occupies: ANSI escapes, controls, combining marks and
 * format characters take none; East Asian wide and fullwidth characters and emoji shown as
 * pictures take two.
 *
 * @param text The text.
 * @returns Its display width.
 *
 * @example Wide and combining characters
 * ```ts
 * import { displayWidth } from "./style.ts";
 *
 * displayWidth("abc"); // 3
 * displayWidth("实验"); // 4
 * displayWidth("e\u0301"); // 1
 * displayWidth("🚀"); // 2
 * ```
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) {
    const code = char.codePointAt(0)!;
    if (code < 0x7f) {
      if (code >= 32) width++;
      continue;
    }
    if (ZERO_WIDTH.test(char)) continue;
    width += isWide(code) || EMOJI.test(char) ? 2 : 1;
  }
  return width;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cc}\p{Cf}]$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;

function isWide(code: number): boolean {
  return (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) || (code >= 0x20000 && code <= 0x3fffd);
}
