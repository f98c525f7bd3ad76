// deno-lint-ignore-file no-control-regex -- the tests look for ANSI escapes
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalServer } from "../../src/server/mod.ts";
import { envelope, runCli, serverEnv, startTestServer } from "./_helpers.ts";

describe("swanlab-ts commands that change data", () => {
  let server: LocalServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    env = serverEnv(server);
  });
  after(async () => {
    await server.close();
  });

  const deletes = () =>
    server.requests.filter((r) =>
      r.origin === "api" && (r.method === "DELETE" || r.path.endsWith("/runs/del"))
    );

  describe("project create", () => {
    it("creates a project (visibility is case-insensitive) and fails with ok:false when it exists", async () => {
      const created = await runCli(
        ["project", "create", "-n", "cli-made", "-v", "public", "-d", "From the CLI"],
        { env },
      );
      assert.equal(created.code, 0, created.stderr);
      const data = envelope(created).data as {
        path: string;
        visibility: string;
        description: string;
      };
      assert.equal(data.path, "alice/cli-made");
      assert.equal(data.visibility, "PUBLIC");
      assert.equal(data.description, "From the CLI");
      const post = server.requests.find((r) => r.method === "POST" && r.path === "/api/project");
      assert.deepEqual(post?.body, {
        name: "cli-made",
        visibility: "PUBLIC",
        username: "alice",
        description: "From the CLI",
      });

      const info = await runCli(["project", "info", "alice/cli-made"], { env });
      assert.equal(info.code, 0);

      const again = await runCli(["project", "create", "--name", "cli-made"], { env });
      assert.equal(again.code, 1);
      assert.equal(envelope(again).ok, false);

      const team = await runCli(["project", "create", "-n", "team-made", "-w", "vision-lab"], {
        env,
      });
      assert.equal(
        (envelope(team).data as { path: string; visibility: string }).path,
        "vision-lab/team-made",
      );
      assert.equal((envelope(team).data as { visibility: string }).visibility, "PRIVATE");
    });

    it("rejects an invalid project name before any request (exit 2)", async () => {
      const result = await runCli(["project", "create", "-n", "bad name!"], { env });
      assert.equal(result.code, 2);
      assert.equal(envelope(result).ok, false);
    });
  });

  describe("run delete and project delete", () => {
    it("run delete is a dry run without --commit and deletes with it", async () => {
      const run = server.dataset.projects["alice/mnist-baseline"]!.runs[0]!;
      server.clearRequests();
      const dry = await runCli(["run", "delete", run.path], { env });
      assert.equal(dry.code, 0);
      assert.deepEqual(envelope(dry).data, {
        committed: false,
        items: [{ id: run.cuid, name: run.name, path: run.path }],
      });
      assert.match(dry.stderr, /Dry run: nothing was deleted/);
      assert.deepEqual(deletes(), []);
      assert.equal((await runCli(["run", "info", run.path], { env })).code, 0);

      const done = await runCli(["run", "delete", run.path, "--commit"], { env });
      assert.equal(done.code, 0);
      assert.equal((envelope(done).data as { committed: boolean }).committed, true);
      assert.deepEqual(deletes().map((r) => `${r.method} ${r.path}`), [
        `DELETE /api/project/${run.projectPath}/runs/${run.cuid}`,
      ]);
      assert.equal((await runCli(["run", "info", run.path], { env })).code, 1);
    });

    it("project delete is a dry run without --commit and deletes with it", async () => {
      server.clearRequests();
      const dry = await runCli(["project", "delete", "alice/scratch", "--format", "table"], {
        env,
      });
      assert.equal(dry.code, 0);
      assert.match(dry.stdout, /alice\/scratch\s+scratch\s+\S+\s+false/);
      assert.deepEqual(deletes(), []);

      const done = await runCli(["project", "delete", "alice/scratch", "--commit"], { env });
      assert.equal(done.code, 0);
      assert.equal((envelope(done).data as { committed: boolean }).committed, true);
      assert.deepEqual(deletes().map((r) => `${r.method} ${r.path}`), [
        "DELETE /api/project/alice/scratch",
      ]);
      assert.equal((await runCli(["project", "info", "alice/scratch"], { env })).code, 1);
    });

    it("deleting something that does not exist fails with ok:false and deletes nothing", async () => {
      server.clearRequests();
      const result = await runCli(["run", "delete", "alice/mnist-baseline/nope", "--commit"], {
        env,
      });
      assert.equal(result.code, 1);
      assert.equal(envelope(result).ok, false);
      assert.deepEqual(deletes(), []);
    });
  });

  describe("self-hosted create-user", () => {
    it("reads the password from standard input with --password-stdin", async () => {
      const result = await runCli(
        ["self-hosted", "create-user", "-u", "dave", "--password-stdin"],
        {
          env,
          stdin: "s3cret-pass\n",
        },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(envelope(result).ok, true);
      const post = server.requests.find((r) =>
        r.method === "POST" && r.path === "/api/self_hosted/users"
      );
      assert.deepEqual(post?.body, { users: [{ username: "dave", password: "s3cret-pass" }] });
      assert.doesNotMatch(result.stdout + result.stderr, /s3cret-pass/);
    });

    it("reads the API key and then the password from the same standard input", async () => {
      const result = await runCli(
        [
          "self_hosted",
          "create_user",
          "-u",
          "erin",
          "--password-stdin",
          "--api-key-stdin",
          "--host",
          server.host,
        ],
        {
          env: { SWANLAB_ROOT: "/nonexistent-root", HOME: "/nonexistent-home" },
          stdin: `${server.apiKey}\nerin-pass\n`,
        },
      );
      assert.equal(result.code, 0, result.stderr);
      const posts = server.requests.filter((r) =>
        r.method === "POST" && r.path === "/api/self_hosted/users"
      );
      assert.deepEqual(posts.at(-1)?.body, {
        users: [{ username: "erin", password: "erin-pass" }],
      });
    });

    it("prompts without echo on a terminal", async () => {
      const rawModes: boolean[] = [];
      const result = await runCli(["self-hosted", "create-user", "-u", "frank"], {
        env,
        stdin: ["fr", "ank-pw\r"],
        tty: { stdin: true, stderr: true },
        rawModes,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(rawModes, [true, false]);
      assert.match(result.stderr, /Password: /);
      assert.doesNotMatch(result.stdout + result.stderr, /frank-pw/);
    });

    it("accepts -p/--password with a warning, and needs a password source when not on a terminal", async () => {
      const flagged = await runCli(["self-hosted", "create-user", "-u", "gina", "-p", "gina-pw"], {
        env,
      });
      assert.equal(flagged.code, 0);
      assert.match(flagged.stderr, /warning: --password exposes the password/);
      const none = await runCli(["self-hosted", "create-user", "-u", "hank"], { env });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /--password-stdin/);
    });
  });

  describe("login and logout", () => {
    let dir: string;
    let root: string;
    let loginEnv: Record<string, string>;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "swanlab-ts-login-"));
      root = join(dir, "root");
      loginEnv = { SWANLAB_ROOT: root, HOME: join(dir, "home") };
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("login --api-key-stdin verifies the key and writes <root>/.netrc as the Python SDK (mode 0600)", async () => {
      const result = await runCli(["login", "--host", server.host, "--api-key-stdin"], {
        env: loginEnv,
        cwd: dir,
        stdin: `${server.apiKey}\n`,
      });
      assert.equal(result.code, 0, result.stderr);
      const data = envelope(result).data as Record<string, string>;
      assert.equal(data["username"], "alice");
      assert.equal(data["api_host"], server.host);
      assert.equal(data["netrc"], join(root, ".netrc"));
      const netrc = await readFile(join(root, ".netrc"), "utf8");
      assert.equal(
        netrc,
        `machine ${server.host}\n\tlogin ${server.host}\n\tpassword ${server.apiKey}\n`,
      );
      if (process.platform !== "win32") {
        assert.equal((await stat(join(root, ".netrc"))).mode & 0o777, 0o600);
      }
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(server.apiKey));

      // The saved key is used by later commands (no SWANLAB_API_KEY in the environment).
      const me = await runCli(["user", "info"], { env: loginEnv, cwd: dir });
      assert.equal(me.code, 0, me.stderr);
      assert.equal((envelope(me).data as { username: string }).username, "alice");

      const out = await runCli(["logout"], { env: loginEnv, cwd: dir });
      assert.equal(out.code, 0);
      assert.deepEqual(envelope(out).data, { netrc: join(root, ".netrc") });
      await assert.rejects(stat(join(root, ".netrc")));
      const after = await runCli(["user", "info"], { env: loginEnv, cwd: dir });
      assert.equal(after.code, 1);
    });

    it("login --local writes ./.swanlab/.netrc with a .gitignore; logout --local removes it", async () => {
      const result = await runCli(["login", "--host", server.host, "--api-key-stdin", "--local"], {
        env: loginEnv,
        cwd: dir,
        stdin: `${server.apiKey}\n`,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(await readFile(join(dir, ".swanlab", ".netrc"), "utf8"), /^machine /);
      assert.equal(await readFile(join(dir, ".swanlab", ".gitignore"), "utf8"), "*\n");
      const out = await runCli(["logout", "--local"], { env: loginEnv, cwd: dir });
      assert.equal(out.code, 0);
      await assert.rejects(stat(join(dir, ".swanlab", ".netrc")));
    });

    it("login prompts without echo on a terminal", async () => {
      const rawModes: boolean[] = [];
      const result = await runCli(["login", "--host", server.host], {
        env: loginEnv,
        cwd: dir,
        stdin: [server.apiKey.slice(0, 5), server.apiKey.slice(5) + "\r"],
        tty: { stdin: true, stderr: true },
        rawModes,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(rawModes, [true, false]);
      assert.match(
        result.stderr,
        new RegExp(`Find your API key at ${server.host}/space/~/settings#development`),
      );
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(server.apiKey));
      await runCli(["logout"], { env: loginEnv, cwd: dir });
    });

    it("a rejected key exits 1 and writes nothing; no key source is a usage error", async () => {
      const bad = await runCli(["login", "--host", server.host, "--api-key-stdin"], {
        env: loginEnv,
        cwd: dir,
        stdin: "not-the-key\n",
      });
      assert.equal(bad.code, 1);
      assert.equal(envelope(bad).ok, false);
      await assert.rejects(stat(join(root, ".netrc")));
      const none = await runCli(["login", "--host", server.host], { env: loginEnv, cwd: dir });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /--api-key-stdin/);
    });
  });
});

describe("swanlab-ts serve", () => {
  it("starts the local server, prints how to use it, and stops on a signal", async () => {
    let stop!: (name: string) => void;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const { captureIo } = await import("./_helpers.ts");
    const { run } = await import("../../src/cli/main.ts");
    const captured = captureIo({ waitForSignal: () => stopped });
    const running = run(["serve", "--runs", "2", "--steps", "50", "--seed", "7"], captured.io);
    let host: string | undefined;
    for (let i = 0; i < 200 && !host; i++) {
      await new Promise((r) => setTimeout(r, 10));
      host = /export SWANLAB_API_HOST=(\S+)/.exec(captured.stdout())?.[1];
    }
    assert.ok(host, captured.stdout());
    const key = /export SWANLAB_API_KEY=(\S+)/.exec(captured.stdout())?.[1];
    assert.ok(key);
    assert.match(host!, /^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await runCli(["run", "list", "vision-lab/resnet-sweep"], {
      env: { SWANLAB_API_HOST: host!, SWANLAB_API_KEY: key!, SWANLAB_ROOT: "/nonexistent-root" },
    });
    assert.equal(me.code, 0, me.stderr);
    assert.equal((envelope(me).data as { total: number }).total, 2);
    stop("SIGINT");
    assert.equal(await running, 0);
    assert.match(captured.stderr(), /Stopping \(SIGINT\)/);
    await assert.rejects(fetch(`${host}/api/user/profile`));
  });

  it("validates its options", async () => {
    const result = await runCli(["serve", "--fault-rate", "2"]);
    assert.equal(result.code, 2);
  });
});

describe("swanlab-ts demo", () => {
  it("tours the API against an in-process server and exits 0", async () => {
    const started = performance.now();
    const result = await runCli(["demo", "--steps", "2000", "--runs", "6"], { columns: 100 });
    assert.equal(result.code, 0, result.stderr);
    for (
      const heading of [
        "Who am I?",
        "My workspaces",
        "Projects of vision-lab",
        "Finished runs",
        "Summary of",
        "Training curves",
        "Full-resolution download",
        "Warnings and errors",
        "Rank the whole sweep",
        "as a Parquet dataset",
        "Now with your own SwanLab",
      ]
    ) assert.ok(result.stdout.includes(heading), heading);
    assert.match(result.stdout, /points\/s/);
    assert.match(result.stdout, /swanlab-ts login/);
    assert.match(result.stdout, /SWANLAB_API_HOST/);
    assert.match(result.stdout, /SWANLAB_API_KEY/);
    assert.match(result.stdout, /--host/);
    assert.match(result.stdout, /WARN|ERROR/);
    // The ranked table shows the sweep's runs, best first, and the export wrote one file a run.
    assert.match(result.stdout, /best val\/acc/);
    assert.match(result.stdout, /\(6 runs, one summary request each\)/);
    assert.match(result.stdout, /points in 6 files \(run_id=<id>\/part-0\.parquet/);
    assert.doesNotMatch(result.stdout, /\x1b/);
    assert.ok(performance.now() - started < 15_000);
  });
});
