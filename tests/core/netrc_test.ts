import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatNetrc,
  netrcPaths,
  parseNetrc,
  readNetrc,
  writeNetrc,
} from "../../src/core/netrc.ts";

describe("parseNetrc()", () => {
  it("reads the tab-indented file the Python SDK writes", () => {
    const entry = parseNetrc(
      "machine https://api.swanlab.cn\n\tlogin https://swanlab.cn\n\tpassword K1\n",
    );
    assert.deepEqual(entry, {
      apiHost: "https://api.swanlab.cn",
      webHost: "https://swanlab.cn",
      apiKey: "K1",
    });
  });

  it("reads the single-line form and defaults the scheme to https", () => {
    const entry = parseNetrc("machine api.swanlab.cn login swanlab.cn password K2");
    assert.deepEqual(entry, {
      apiHost: "https://api.swanlab.cn",
      webHost: "https://swanlab.cn",
      apiKey: "K2",
    });
  });

  it("uses only the first machine entry", () => {
    const entry = parseNetrc(
      "machine a.example login a.example password A\nmachine b.example login b.example password B\n",
    );
    assert.equal(entry?.apiKey, "A");
  });

  it("drops a legacy /api suffix from the machine", () => {
    assert.equal(
      parseNetrc("machine http://h:8000/api login http://h:8000 password K")?.apiHost,
      "http://h:8000",
    );
  });

  it("returns undefined for entries without login or password, and for empty text", () => {
    assert.equal(parseNetrc("machine h password K"), undefined);
    assert.equal(parseNetrc("machine h login w"), undefined);
    assert.equal(parseNetrc(""), undefined);
  });

  it("round-trips what formatNetrc() writes", () => {
    const entry = { apiHost: "http://[::1]:8000", webHost: "http://[::1]:8000", apiKey: "abc-123" };
    assert.deepEqual(parseNetrc(formatNetrc(entry)), entry);
  });

  it("refuses to format values with whitespace", () => {
    assert.throws(() => formatNetrc({ apiHost: "https://h", webHost: "https://h", apiKey: "a b" }));
  });
});

describe("readNetrc() and writeNetrc()", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-netrc-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("looks in ./.swanlab/.netrc before <root>/.netrc", async () => {
    const root = join(dir, "root");
    const cwd = join(dir, "project");
    assert.deepEqual(await netrcPaths({ SWANLAB_ROOT: root }, cwd), [
      join(cwd, ".swanlab", ".netrc"),
      join(root, ".netrc"),
    ]);
    await mkdir(root, { recursive: true });
    await writeFile(join(root, ".netrc"), "machine root.example login root.example password ROOT");
    assert.equal((await readNetrc({ SWANLAB_ROOT: root }, cwd))?.entry.apiKey, "ROOT");
    await mkdir(join(cwd, ".swanlab"), { recursive: true });
    await writeFile(
      join(cwd, ".swanlab", ".netrc"),
      "machine local.example login local.example password LOCAL",
    );
    assert.equal((await readNetrc({ SWANLAB_ROOT: root }, cwd))?.entry.apiKey, "LOCAL");
  });

  it("falls back to SWANLAB_SAVE_DIR, then ~/.swanlab", async () => {
    assert.equal(
      (await netrcPaths({ SWANLAB_SAVE_DIR: join(dir, "save") }, dir))[1],
      join(dir, "save", ".netrc"),
    );
    assert.equal((await netrcPaths({ HOME: dir }, dir))[1], join(dir, ".swanlab", ".netrc"));
  });

  it("treats an unparsable file as absent", async () => {
    await writeFile(join(dir, ".netrc"), "machine ftp://bad login x password y");
    assert.equal(await readNetrc({ SWANLAB_ROOT: dir }, join(dir, "nowhere")), undefined);
  });

  it("writes <root>/.netrc with mode 0600, replacing earlier entries", async () => {
    const env = { SWANLAB_ROOT: join(dir, "r") };
    await writeNetrc({
      apiHost: "https://old.example",
      webHost: "https://old.example",
      apiKey: "OLD",
    }, { env });
    const path = await writeNetrc({
      apiHost: "https://h.example",
      webHost: "https://h.example",
      apiKey: "NEW",
    }, { env });
    assert.equal(path, join(dir, "r", ".netrc"));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const text = await readFile(path, "utf8");
    assert.equal(text, "machine https://h.example\n\tlogin https://h.example\n\tpassword NEW\n");
  });

  it("leaves the ignore rules of an existing, non-empty ./.swanlab alone", async () => {
    await mkdir(join(dir, ".swanlab"), { recursive: true });
    await writeFile(join(dir, ".swanlab", "config.yaml"), "a: 1\n");
    await writeNetrc({ apiHost: "https://h", webHost: "https://h", apiKey: "K" }, {
      env: {},
      local: true,
      cwd: dir,
    });
    assert.deepEqual((await readdir(join(dir, ".swanlab"))).sort(), [".netrc", "config.yaml"]);
  });

  it("writes ./.swanlab/.netrc with a .gitignore when local", async () => {
    const path = await writeNetrc({ apiHost: "https://h", webHost: "https://h", apiKey: "K" }, {
      env: {},
      local: true,
      cwd: dir,
    });
    assert.equal(path, join(dir, ".swanlab", ".netrc"));
    assert.equal(await readFile(join(dir, ".swanlab", ".gitignore"), "utf8"), "*\n");
  });
});
