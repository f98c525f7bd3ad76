import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { command, constant, flag, getDocPage, longestMatch, type Parser } from "@optique/core";
import { VERSION } from "../../mod.ts";
import { COMPLETION_COMMAND_NAMES, HELP_OPTION_NAMES } from "../../src/cli/command_names.ts";
import { GROUP_BRIEFS, GROUPS } from "../../src/cli/commands/_groups.ts";
import { paragraph } from "../../src/cli/help_page.ts";
import { normalizeArgv } from "../../src/cli/main.ts";
import { rootEntries } from "../../src/cli/root_help.ts";
import { envelope, runCli } from "./_helpers.ts";

/** Every command of the tree (groups and leaves). */
const COMMANDS = [
  ["user"],
  ["user", "info"],
  ["workspace"],
  ["workspace", "info"],
  ["workspace", "list"],
  ["project"],
  ["project", "info"],
  ["project", "list"],
  ["project", "create"],
  ["project", "delete"],
  ["run"],
  ["run", "info"],
  ["run", "list"],
  ["run", "filter"],
  ["run", "series"],
  ["run", "metrics"],
  ["run", "summary"],
  ["run", "medias"],
  ["run", "logs"],
  ["run", "export-logs"],
  ["run", "export-csv"],
  ["run", "download"],
  ["run", "delete"],
  ["run", "columns"],
  ["run", "column"],
  ["self-hosted"],
  ["self-hosted", "info"],
  ["self-hosted", "create-user"],
  ["self-hosted", "list-users"],
  ["self-hosted", "list-projects"],
  ["self-hosted", "list-workspaces"],
  ["self-hosted", "summary"],
  ["login"],
  ["logout"],
  ["serve"],
  ["demo"],
];

const LEAVES = COMMANDS.filter((c) =>
  c.length === 2 || ["login", "logout", "serve", "demo"].includes(c[0]!)
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function usageError(argv: string[], pattern?: RegExp): Promise<string> {
  const result = await runCli(argv);
  assert.equal(
    result.code,
    2,
    `${argv.join(" ")}: exit ${result.code}\n${result.stdout}${result.stderr}`,
  );
  // Piped output is JSON: a usage error found after parsing (or with --json) prints the
  // ok:false envelope; one the parser finds without --json leaves stdout empty.
  if (result.stdout !== "") {
    const failure = envelope(result);
    assert.equal(failure.ok, false);
    assert.equal(failure.data, null);
    assert.match(
      result.stderr,
      new RegExp(`error: ${escapeRegExp(failure.errmsg.split("\n")[0]!)}`),
    );
  }
  if (pattern) assert.match(result.stderr, pattern);
  assert.match(
    result.stderr,
    /Try 'swanlab-ts.* --help' for more information\.|\(see 'swanlab-ts --help'\)/,
  );
  assert.doesNotMatch(result.stderr, /Error:/);
  return result.stderr;
}

describe("swanlab-ts --help", () => {
  for (const argv of [["--help"], ["-h"], ["help"], []]) {
    it(`prints the root help on stdout and exits 0 (${JSON.stringify(argv)})`, async () => {
      const result = await runCli(argv);
      assert.equal(result.code, 0);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, /Usage: swanlab-ts/);
      for (
        const group of [
          "user",
          "workspace",
          "project",
          "run",
          "self-hosted",
          "login",
          "logout",
          "serve",
          "demo",
          "completions",
        ]
      ) {
        assert.match(result.stdout, new RegExp(`^  ${group}\\s`, "m"), group);
      }
      assert.match(result.stdout, /Examples:/);
    });
  }

  // The root page is drawn without Optique's runner (src/cli/root_help.ts); `--help --help` is
  // not a root-only request, so the runner prints the same page from the whole command tree.
  const terminals = [
    ["piped", {}],
    ["piped with FORCE_COLOR", { env: { FORCE_COLOR: "1" } }],
    ["a terminal of 40 columns", { tty: { stdout: true, stderr: true }, columns: 40 }],
    ["a terminal of 80 columns, NO_COLOR", {
      tty: { stdout: true, stderr: true },
      columns: 80,
      env: { NO_COLOR: "1" },
    }],
    ["a terminal of 200 columns", { tty: { stdout: true, stderr: true }, columns: 200 }],
  ] as const;
  for (const [where, options] of terminals) {
    it(`draws the root page as Optique's runner does, on ${where}`, async () => {
      const runner = await runCli(["--help", "--help"], options);
      assert.equal(runner.code, 0);
      // deno-lint-ignore no-control-regex
      assert.match(runner.stdout.replace(/\x1b\[[0-9;]*m/g, ""), /Usage: swanlab-ts \.\.\./);
      for (const argv of [["--help"], ["-h"], ["help"], []]) {
        const result = await runCli(argv, options);
        assert.equal(result.code, 0);
        assert.equal(result.stdout, runner.stdout, JSON.stringify(argv));
      }
    });
  }

  it("writes out the document Optique's parsers give for the same commands", () => {
    // What the root page drew from before it was written out: every group as a command with its
    // one-line help, and the runner's own help, completion and version entries.
    const none = constant(null);
    type AnyParser = Parser<"sync", unknown, unknown>;
    const parsers: AnyParser[] = [
      ...GROUPS.map((group) =>
        command(group.name, none, { brief: paragraph(GROUP_BRIEFS[group.name]) })
      ),
      command("help", none, { description: paragraph("Show help information.") }),
      command(COMPLETION_COMMAND_NAMES[0], none, {
        brief: paragraph("Generate shell completion script or provide completions."),
        description: paragraph("Generate shell completion script or provide completions."),
      }),
      flag(...HELP_OPTION_NAMES, { description: paragraph("Show help information.") }),
      flag("--version", { description: paragraph("Show version information.") }),
    ];
    const [first, ...rest] = parsers;
    const page = getDocPage(longestMatch(first!, ...rest as [AnyParser]) as AnyParser, []);
    assert.equal(page?.sections.length, 1);
    assert.equal(page?.sections[0]?.title, undefined);
    assert.deepEqual(rootEntries(), page?.sections[0]?.entries);
    assert.equal(rootEntries().length, GROUPS.length + 4);
  });

  it("colours the root page on a colour terminal only", async () => {
    const tty = { stdout: true, stderr: true };
    const colour = await runCli(["--help"], { tty, env: { FORCE_COLOR: "1" } });
    const plain = await runCli(["--help"], { tty, env: { NO_COLOR: "1" } });
    assert.ok(colour.stdout.includes("\x1b["), colour.stdout);
    assert.ok(!plain.stdout.includes("\x1b["), plain.stdout);
  });

  it("prints help with examples for every command, on stdout, exit 0", async () => {
    for (const command of COMMANDS) {
      for (const flag of ["--help", "-h"]) {
        const result = await runCli([...command, flag]);
        const label = `${command.join(" ")} ${flag}`;
        assert.equal(result.code, 0, label);
        assert.equal(result.stderr, "", label);
        assert.match(result.stdout, new RegExp(`Usage: swanlab-ts ${command.join(" ")}`), label);
        assert.match(result.stdout, /Examples:\n {2}swanlab-ts /, label);
      }
    }
  });

  it("documents the shared options of every API command under their own headings", async () => {
    for (const command of LEAVES.filter((c) => !["logout", "serve", "demo"].includes(c[0]!))) {
      const { stdout } = await runCli([...command, "--help"]);
      assert.match(stdout, /Connection options:\n {2}--host HOST/, command.join(" "));
      assert.match(stdout, /--api-key-stdin/, command.join(" "));
      assert.match(
        stdout,
        /Output options:[\s\S]*--save FILE[\s\S]*--json[\s\S]*--format/,
        command.join(" "),
      );
      assert.doesNotMatch(stdout, /-h, --host|--host, -h/, command.join(" "));
    }
  });

  it("answers `help <command>` too", async () => {
    const result = await runCli(["help", "run", "metrics"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--range-head/);
  });

  it("accepts the `api` prefix of the Python CLI", async () => {
    const result = await runCli(["api", "project", "list", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: swanlab-ts project list/);
  });

  it("prints the version", async () => {
    const result = await runCli(["--version"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${VERSION}\n`);
    assert.equal(result.stderr, "");
    // `--version` alone is answered without Optique's runner; with another argument the runner
    // answers, and says the same.
    const runner = await runCli(["--version", "--version"]);
    assert.equal(runner.code, 0);
    assert.equal(runner.stdout, result.stdout);
  });
});

describe("usage errors", () => {
  it("exit 2 with a message on stderr and nothing on stdout", async () => {
    await usageError(["bogus"], /bogus/);
    await usageError(["user", "info", "--bogus"], /--bogus/);
    await usageError(["run", "nothing"], /nothing/);
    await usageError(["project", "list", "-s", "11"], /11/);
    await usageError(["project", "list", "--page_num", "0"], /0/);
    await usageError(["project", "create"], /--name/);
    await usageError(["project", "create", "-n", "x", "-v", "secret"], /secret/);
    await usageError(["run", "metrics", "a/b/c"], /--keys/);
    await usageError(["run", "metrics", "a/b/c", "--keys", "x", "-s", "0"], /0/);
    await usageError(["run", "logs", "a/b/c", "-l", "TRACE"], /TRACE/);
    await usageError(["run", "series", "a/b/c", "--type", "TEXT"], /TEXT/);
    await usageError(["run", "export-logs", "a/b/c", "-r", "0"], /0/);
    await usageError(["run", "export-logs", "a/b/c", "-r", "500001"], /500001/);
    await usageError(["run", "export-logs", "a/b/c", "--start", "-1"]);
    await usageError(["run", "filter", "a/b"], /filter_query/);
    await usageError(["self-hosted", "create-user"], /--username/);
    await usageError(["run", "metrics", "a/b/c", "--keys", "x", "--range-start", "-3"]);
    await usageError(["run", "metrics", "a/b/c", "--keys", "x", "--range-head", "0"]);
    await usageError(["run", "metrics", "a/b/c", "--keys", "x", "--range-type", "epoch"], /epoch/);
    await usageError(["completions", "tcsh"]);
    await usageError(["--json", "user", "info", "--bogus"]);
  });

  it("reject conflicting range options with a clear message", async () => {
    const base = ["run", "metrics", "a/b/c", "--keys", "loss"];
    await usageError(
      [...base, "--range-head", "3", "--range-tail", "3"],
      /--range-head and --range-tail are mutually exclusive/,
    );
    await usageError(
      [...base, "--range-last", "1000", "--range-start", "1"],
      /--range-last is mutually exclusive with --range-start\/--range-end/,
    );
    await usageError(
      [...base, "--range-start", "9", "--range-end", "3"],
      /--range-start must be <= --range-end, got \(9, 3\)/,
    );
  });

  it("reject empty key lists", async () => {
    await usageError(["run", "metrics", "a/b/c", "--keys", ",, ,"], /no valid keys/);
    await usageError(["run", "summary", "a/b/c", "--keys", ","], /no valid keys/);
    await usageError(["run", "medias", "a/b/c", "--keys", ","], /no valid keys/);
  });

  it("reject a filter that is not a JSON array, or not JSON at all", async () => {
    await usageError(
      ["run", "filter", "a/b", "-f", '{"key":"state"}'],
      /must be a JSON array, got object/,
    );
    await usageError(["run", "filter", "a/b", "-f", "[oops"], /neither a file nor valid JSON/);
    await usageError(["run", "filter", "a/b", "--filter_query", " "], /must not be empty/);
  });

  it("report library validation errors (bad paths) as usage errors", async () => {
    await usageError(["run", "info", "not-a-run-path"], /path/i);
    await usageError(["project", "info", "a/b/c/d"], /path/i);
  });
});

describe("completions", () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    it(`prints a ${shell} completion script`, async () => {
      const result = await runCli(["completions", shell]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /swanlab-ts/);
      assert.ok(result.stdout.length > 200);
    });
  }

  it("completes command names through the script's callback", async () => {
    const result = await runCli(["completions", "bash", "ru"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /\brun\b/);
  });
});

describe("normalizeArgv()", () => {
  it("drops a leading `api` and turns a bare --save into an automatic name", () => {
    assert.deepEqual(normalizeArgv(["api", "user", "info", "--save"]), [
      "user",
      "info",
      "--save=.",
    ]);
    assert.deepEqual(normalizeArgv(["user", "info", "--save", "--json"]), [
      "user",
      "info",
      "--save=.",
      "--json",
    ]);
    assert.deepEqual(normalizeArgv(["user", "info", "--save", "out.json"]), [
      "user",
      "info",
      "--save",
      "out.json",
    ]);
    assert.deepEqual(normalizeArgv(["run", "info", "--", "--save"]), [
      "run",
      "info",
      "--",
      "--save",
    ]);
  });
});
