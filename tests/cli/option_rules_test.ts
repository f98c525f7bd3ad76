/**
 * Conflicting and meaningless options, one error prefix, unknown commands, empty results:
 * what a careless user types gets one clear answer, the same in every command.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { unknownCommand } from "../../src/cli/usage_failure.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { envelope, runCli, runPath, serverEnv, startTestServer } from "./_helpers.ts";

describe("option rules", () => {
  let server: LocalServer;
  let env: Record<string, string>;
  let path: string;
  before(async () => {
    server = await startTestServer();
    env = serverEnv(server);
    path = runPath(server);
  });
  after(() => server.close());

  /** Runs a command that must be a usage error found before any request. */
  async function rejected(argv: string[], pattern: RegExp): Promise<void> {
    server.clearRequests();
    const result = await runCli(argv, { env, tty: { stdout: true } });
    assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.match(result.stderr, /^error: /);
    // JSON output asked for: the ok:false envelope; a table on a terminal: nothing.
    if (argv.includes("--json")) assert.equal(envelope(result).ok, false);
    else assert.equal(result.stdout, "");
    assert.deepEqual(server.requests, [], `${argv.join(" ")}: a request was sent`);
  }

  it("--json with another --format is rejected; --json --format json is fine", async () => {
    for (const format of ["csv", "jsonl", "table"]) {
      await rejected(["user", "info", "--json", "--format", format], /--json conflicts with/);
    }
    const same = await runCli(["user", "info", "--json", "--format", "json"], { env });
    assert.equal(same.code, 0);
    assert.equal(envelope(same).ok, true);
  });

  it("--plot with --format or --json is rejected (a chart is not data)", async () => {
    const base = ["run", "metrics", path, "--keys", "train/loss", "--plot"];
    await rejected([...base, "--format", "csv"], /--plot .* cannot be combined with --format/);
    await rejected([...base, "--json"], /--plot .* cannot be combined with --json/);
  });

  it("--all with --page_num warns on stderr in every paged command and reads from that page", async () => {
    const commands = [
      ["project", "list", "--workspace", "vision-lab"],
      ["run", "list", "vision-lab/resnet-sweep"],
      ["run", "columns", path],
      ["self-hosted", "list-users"],
      ["self-hosted", "list-projects"],
      ["self-hosted", "list-workspaces"],
    ];
    for (const argv of commands) {
      const warned = await runCli([...argv, "--all", "--page_num", "1"], { env });
      assert.equal(warned.code, 0, `${argv.join(" ")}: ${warned.stderr}`);
      assert.match(warned.stderr, /^warning: --all with --page_num 1 reads from page 1/m);
      const quiet = await runCli([...argv, "--all"], { env });
      assert.equal(quiet.code, 0);
      assert.doesNotMatch(quiet.stderr, /warning/);
      assert.deepEqual(envelope(warned).data, envelope(quiet).data, argv.join(" "));
    }
  });

  it("--step with --all warns in run medias", async () => {
    const result = await runCli(
      ["run", "medias", path, "--keys", server.dataset.mediaKeys[0]!, "--all", "-s", "3"],
      { env },
    );
    assert.equal(result.code, 0);
    assert.match(result.stderr, /^warning: --step 3 is ignored with --all/m);
  });

  it("an empty --keys means one thing everywhere: a usage error (leave it out for all keys)", async () => {
    for (const keys of ["", " , ,"]) {
      for (
        const argv of [
          ["run", "metrics", path, "--keys", keys],
          ["run", "summary", path, "--keys", keys],
          ["run", "medias", path, "--keys", keys],
          ["run", "export-csv", path, "--keys", keys],
          ["run", "download", path, "--keys", keys],
        ]
      ) {
        await rejected(argv, /Invalid value for --keys: no valid keys provided/);
      }
    }
    const all = await runCli(["run", "summary", path], { env });
    assert.equal(all.code, 0);
    assert.ok(Object.keys(envelope(all).data as object).length > 1);
  });

  it("every error line starts with 'error:' (parse failures included)", async () => {
    for (
      const argv of [
        ["user", "info", "--bogus"],
        ["run", "metrics", path],
        ["project", "list", "-s", "11"],
        ["run", "metrcs", path],
        ["run", "info", "not-a-path"],
        ["bogus"],
      ]
    ) {
      const result = await runCli(argv, { env });
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, /^error: /, argv.join(" "));
      assert.doesNotMatch(result.stderr, /Error:/, argv.join(" "));
    }
  });

  it("a parse failure prints the ok:false envelope when JSON output was asked for", async () => {
    for (const flags of [["--json"], ["--format", "json"], ["--format=json"]]) {
      const result = await runCli(["user", "info", "--bogus", ...flags], { env });
      assert.equal(result.code, 2);
      const failure = envelope(result);
      assert.equal(failure.ok, false);
      assert.match(failure.errmsg, /--bogus/);
    }
    const plain = await runCli(["user", "info", "--bogus"], { env });
    assert.equal(plain.stdout, "");
  });

  it("an unknown command gets one line with the closest command; so does help for it", async () => {
    for (const argv of [["projct", "list"], ["help", "projct"]]) {
      const result = await runCli(argv, { env });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        `error: unknown command "projct"; did you mean "project"? (see 'swanlab-ts --help')\n`,
      );
    }
    const bogus = await runCli(["bogus"], { env });
    assert.equal(bogus.stderr.split("\n").filter(Boolean).length, 1);
    assert.doesNotMatch(bogus.stderr, /bogus --help/);
    assert.equal(unknownCommand(["run", "list"]), undefined);
    assert.equal(unknownCommand(["experiment", "list"]), undefined);
    assert.equal(unknownCommand(["completions", "bash"]), undefined);
    assert.equal(unknownCommand(["--help"]), undefined);
    assert.equal(unknownCommand(["help", "completions"]), undefined);
    assert.equal(unknownCommand(["help", "help"]), undefined);
    assert.match(unknownCommand(["help", "bogus"]) ?? "", /unknown command "bogus"/);
    // A typo below a group names the group in the help hint, not the typo.
    const typo = await runCli(["run", "metrcs", path], { env });
    assert.match(typo.stderr, /Did you mean .*`metrics`/);
    assert.match(typo.stderr, /Try 'swanlab-ts run --help'/);
  });

  it("empty results: CSV prints the header, JSON Lines nothing, a table says so", async () => {
    const empty = ["run", "metrics", path, "--keys", "train/loss", "--range-start", "5000"];
    const csv = await runCli([...empty, "--format", "csv"], { env });
    assert.equal(csv.stdout, "key,step,value,timestamp\n");
    const jsonl = await runCli([...empty, "--format", "jsonl"], { env });
    assert.equal(jsonl.stdout, "");
    const table = await runCli([...empty, "--format", "table"], { env });
    assert.equal(table.stdout, "(no rows)\n");
    const json = await runCli([...empty, "--format", "json"], { env });
    assert.deepEqual(
      (envelope(json).data as { list: { metrics: unknown[] }[] }).list[0]!.metrics,
      [],
    );
    const logs = await runCli(
      ["run", "logs", path, "--level", "DEBUG", "--offset", "9", "--format", "csv"],
      { env },
    );
    assert.equal(logs.stdout, "timestamp,level,message\n");
    const projects = await runCli(
      ["project", "list", "--workspace", "vision-lab", "--page_num", "9", "--format", "csv"],
      { env },
    );
    assert.match(projects.stdout, /^path,visibility,.*\n$/);
  });
});
