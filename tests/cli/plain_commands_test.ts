import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NO_COMMON } from "../../src/cli/invocation.ts";
import { parseCommandLine } from "../../src/cli/parse_command_line.ts";
import { plainCommand } from "../../src/cli/plain_commands.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { captureIo, runCli, serverEnv, startTestServer } from "./_helpers.ts";

/** The command lines that run without the parser. */
const PLAIN = [["user", "info"], ["self-hosted", "info"]];

describe("plain command lines", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("are exactly a plain command's words", () => {
    for (const words of PLAIN) assert.ok(plainCommand(words), words.join(" "));
    for (
      const args of [
        [],
        ["user"],
        ["user info"],
        ["user", "info", "--json"],
        ["user", "info", "extra"],
        ["user", "Info"],
        ["--help"],
        ["self_hosted", "info"],
        ["run", "list"],
        ["toString"],
        ["constructor", "x"],
      ]
    ) {
      assert.equal(plainCommand(args), undefined, JSON.stringify(args));
    }
  });

  it("are what the parser reads from the same words: the default shared options", async () => {
    for (const words of PLAIN) {
      const { io } = captureIo();
      const parsed = await parseCommandLine(words, io);
      assert.notEqual(typeof parsed, "number", words.join(" "));
      if (typeof parsed === "number") continue;
      assert.deepEqual(parsed.common, NO_COMMON, words.join(" "));
    }
  });

  it("print what the parsed command line prints", async () => {
    const env = serverEnv(server);
    for (const words of PLAIN) {
      const plain = await runCli(words, { env });
      // An option that changes nothing for JSON output sends the same command through the parser.
      const parsed = await runCli([...words, "--no-color"], { env });
      assert.equal(plain.code, parsed.code, words.join(" "));
      assert.equal(plain.stdout, parsed.stdout, words.join(" "));
      assert.equal(plain.stderr, parsed.stderr, words.join(" "));
      assert.ok(plain.stdout.length > 0, words.join(" "));
    }
    // And for a failing one: no key.
    const noKey = { env: { ...serverEnv(server), SWANLAB_API_KEY: undefined } };
    const plain = await runCli(["user", "info"], noKey);
    const parsed = await runCli(["user", "info", "--no-color"], noKey);
    assert.equal(plain.code, 1);
    assert.deepEqual([plain.code, plain.stdout, plain.stderr], [
      parsed.code,
      parsed.stdout,
      parsed.stderr,
    ]);
  });
});
