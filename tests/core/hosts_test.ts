import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normalizeHost, resolveHosts } from "../../src/core/hosts.ts";
import { ValidationError } from "../../src/core/errors.ts";

describe("normalizeHost()", () => {
  const table: [string, string][] = [
    ["api.swanlab.cn", "https://api.swanlab.cn"],
    ["http://example.com:8080/api", "http://example.com:8080"],
    ["example.com:3000/test", "https://example.com:3000"],
    ["My.Host.COM:8443/x?y#z", "https://my.host.com:8443"],
    ["http://user:pw@h.com", "http://h.com"],
    ["http://10.0.0.1:8080/api/v1/run/", "http://10.0.0.1:8080"],
    ["  https://api.swanlab.cn  ", "https://api.swanlab.cn"],
  ];
  for (const [input, expected] of table) {
    it(`normalizes "${input}" to "${expected}" as the wire doc's host table says`, () => {
      assert.equal(normalizeHost(input), expected);
    });
  }

  it("keeps IPv6 brackets, which the Python SDK loses", () => {
    assert.equal(normalizeHost("http://[::1]:8000"), "http://[::1]:8000");
    assert.equal(normalizeHost("[::1]:9000/api"), "https://[::1]:9000");
  });

  it("rejects blank hosts with a ValidationError naming the field", () => {
    assert.throws(() => normalizeHost("   ", "host"), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, "host");
      return true;
    });
  });

  it("rejects schemes other than http and https", () => {
    assert.throws(() => normalizeHost("ftp://example.com"), ValidationError);
  });
});

describe("resolveHosts()", () => {
  it("maps the official API host, http or https, to the official web host", () => {
    assert.deepEqual(resolveHosts("http://api.swanlab.cn/api"), {
      apiHost: "https://api.swanlab.cn",
      webHost: "https://swanlab.cn",
    });
  });

  it("uses a self-hosted API host as its own web host", () => {
    assert.deepEqual(resolveHosts("http://10.0.0.1:8000"), {
      apiHost: "http://10.0.0.1:8000",
      webHost: "http://10.0.0.1:8000",
    });
  });

  it("keeps an explicit web host and maps official ones to https://swanlab.cn", () => {
    assert.equal(resolveHosts("http://h:1", "http://web:2").webHost, "http://web:2");
    assert.equal(resolveHosts("http://h:1", "http://swanlab.cn").webHost, "https://swanlab.cn");
  });

  it("defaults to the cloud when only a web host is given", () => {
    assert.deepEqual(resolveHosts(undefined, "web.example.com"), {
      apiHost: "https://api.swanlab.cn",
      webHost: "https://web.example.com",
    });
  });
});
