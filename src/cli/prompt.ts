/**
 * Reading secrets: one line from standard input (`--api-key-stdin`, `--password-stdin`), or a
 * hidden prompt on a terminal (no echo) for `login` and `self-hosted create-user`.
 *
 * @module
 */

import type { CliReader, CliWriter } from "./io.ts";

/**
 * The user cancelled a prompt (Ctrl-C or Ctrl-D).
 *
 * @example Tell cancellation apart
 * ```ts
 * import { PromptCancelledError } from "./prompt.ts";
 *
 * const error: unknown = new PromptCancelledError();
 * if (error instanceof PromptCancelledError) console.error("cancelled");
 * ```
 */
export class PromptCancelledError extends Error {
  /** @param message What was cancelled. */
  constructor(message = "Prompt cancelled") {
    super(message);
    this.name = "PromptCancelledError";
  }
}

/**
 * Reads standard input line by line, sharing one iterator for the whole run so that two values
 * (an API key, then a password) can come from the same stream.
 *
 * @example Two lines from one stream
 * ```ts
 * import { InputReader } from "./prompt.ts";
 *
 * const reader = new InputReader((async function* () { yield "key-1\npass-2\n"; })());
 * console.log(await reader.readLine(), await reader.readLine()); // "key-1" "pass-2"
 * await reader.close();
 * ```
 */
export class InputReader {
  #source: CliReader;
  #iterator: AsyncIterator<Uint8Array | string> | undefined;
  #decoder = new TextDecoder();
  #buffer = "";
  #ended = false;

  /** @param source Standard input. */
  constructor(source: CliReader) {
    this.#source = source;
  }

  async #pull(): Promise<boolean> {
    if (this.#ended) return false;
    this.#iterator ??= this.#source[Symbol.asyncIterator]();
    const next = await this.#iterator.next();
    if (next.done) {
      this.#ended = true;
      this.#buffer += this.#decoder.decode();
      return false;
    }
    this.#buffer += typeof next.value === "string"
      ? next.value
      : this.#decoder.decode(next.value, { stream: true });
    return true;
  }

  /**
   * Reads one line (without its `\n` or `\r\n`).
   *
   * @returns The line, or `undefined` at the end of input with nothing left.
   */
  async readLine(): Promise<string | undefined> {
    while (!this.#buffer.includes("\n")) {
      if (!await this.#pull()) break;
    }
    const at = this.#buffer.indexOf("\n");
    if (at < 0) {
      if (this.#buffer === "") return undefined;
      const rest = this.#buffer;
      this.#buffer = "";
      return rest.replace(/\r$/, "");
    }
    const line = this.#buffer.slice(0, at).replace(/\r$/, "");
    this.#buffer = this.#buffer.slice(at + 1);
    return line;
  }

  /**
   * Reads characters one chunk at a time (for raw-mode prompts).
   *
   * @returns The next characters, or `undefined` at the end of input.
   */
  async readChars(): Promise<string | undefined> {
    if (this.#buffer === "" && !await this.#pull() && this.#buffer === "") return undefined;
    const chars = this.#buffer;
    this.#buffer = "";
    return chars;
  }

  /** Stops reading standard input, so that the process can exit. */
  async close(): Promise<void> {
    const iterator = this.#iterator;
    this.#iterator = undefined;
    this.#ended = true;
    if (iterator?.return) {
      try {
        await iterator.return();
      } catch {
        // Closing an already closed stream is fine.
      }
    }
  }
}

/**
 * Options of {@linkcode promptHidden}.
 *
 * @example Read a line from a pipe
 * ```ts
 * import { InputReader, type PromptOptions } from "./prompt.ts";
 *
 * const stdin = (async function* () {
 *   yield "secret\n";
 * })();
 * const options: PromptOptions = {
 *   question: "Password: ", writer: { write: () => {} }, reader: new InputReader(stdin), stdin,
 *   isTTY: false,
 * };
 * ```
 */
export interface PromptOptions {
  /** The text shown before the input, e.g. `API key: `. */
  question: string;
  /** Where the question is written (standard error). */
  writer: CliWriter;
  /** Standard input, shared for the run. */
  reader: InputReader;
  /** Standard input itself, for raw mode. */
  stdin: CliReader;
  /** Standard input is a terminal: read without echo; else read one line. */
  isTTY: boolean;
}

/**
 * Asks for a secret without echoing it: on a terminal, raw mode with Backspace support (Ctrl-C
 * and Ctrl-D cancel); otherwise one line of standard input.
 *
 * @param options The question, the streams and whether input is a terminal.
 * @returns The text entered (trimmed).
 * @throws {PromptCancelledError} When the user cancels or input ends first.
 *
 * @example Ask for an API key
 * ```ts ignore
 * import { InputReader, promptHidden } from "./prompt.ts";
 * import { processIo } from "./io.ts";
 *
 * const io = processIo();
 * const reader = new InputReader(io.stdin);
 * const key = await promptHidden({
 *   question: "API key: ", writer: io.stderr, reader, stdin: io.stdin, isTTY: io.isTTY.stdin,
 * });
 * await reader.close();
 * ```
 */
export async function promptHidden(options: PromptOptions): Promise<string> {
  await options.writer.write(options.question);
  if (!options.isTTY || !options.stdin.setRawMode) {
    const line = await options.reader.readLine();
    if (options.isTTY) await options.writer.write("\n");
    if (line === undefined) throw new PromptCancelledError("No input: standard input ended");
    return line.trim();
  }
  options.stdin.setRawMode(true);
  let value = "";
  try {
    for (;;) {
      const chars = await options.reader.readChars();
      if (chars === undefined) throw new PromptCancelledError("No input: standard input ended");
      if (chars.startsWith("\x1b")) continue; // arrow keys and other escape sequences
      for (const char of chars) {
        if (char === "\r" || char === "\n") return value.trim();
        if (char === "\x03") throw new PromptCancelledError();
        if (char === "\x04") {
          if (value === "") throw new PromptCancelledError();
          return value.trim();
        }
        if (char === "\x7f" || char === "\b") {
          value = [...value].slice(0, -1).join("");
          continue;
        }
        if (char === "\x15") { // Ctrl-U clears the line.
          value = "";
          continue;
        }
        if (char < " ") continue;
        value += char;
      }
    }
  } finally {
    options.stdin.setRawMode(false);
    await options.writer.write("\n");
  }
}
