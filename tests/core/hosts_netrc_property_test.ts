/**
 * Property-based tests (fast-check) for host normalization and the `.netrc` format.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { normalizeHost, resolveHosts } from "../../src/core/hosts.ts";
import { formatNetrc, parseNetrc } from "../../src/core/netrc.ts";
import { ValidationError } from "../../src/core/errors.ts";

// Labels start with a letter: all-numeric names are IPv4 addresses, which URL rewrites (0 -> 0.0.0.0).
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/)
  // "xn--" starts a punycode label, which URL parsing validates and may reject.
  .filter((l) => !l.startsWith("xn--"));
const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
const ipv6 = fc.constantFrom("::1", "fe80::1", "2001:db8::42", "::");
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const scheme = fc.constantFrom("http", "https");
const junk = fc.constantFrom("", "/", "/api", "/api/v1/run/", "?x=1", "#frag", "/a?b#c");

const RUNS = { numRuns: 2000 };

describe("normalizeHost() properties", () => {
  it("reduces any scheme://host[:port]/path?query#fragment to scheme://host[:port], idempotently", () => {
    fc.assert(
      fc.property(
        scheme,
        fc.oneof(hostname, ipv6.map((h) => `[${h}]`)),
        port,
        junk,
        fc.boolean(),
        (s, h, p, rest, upper) => {
          const defaultPort = (s === "http" && p === 80) || (s === "https" && p === 443);
          const input = `${s}://${upper ? h.toUpperCase() : h}${
            p === undefined ? "" : `:${p}`
          }${rest}`;
          const expected = `${s}://${h.toLowerCase()}${
            p === undefined || defaultPort ? "" : `:${p}`
          }`;
          const normalized = normalizeHost(input);
          assert.equal(normalized, expected);
          assert.equal(normalizeHost(normalized), normalized);
        },
      ),
      RUNS,
    );
  });

  it("defaults the scheme to https and ignores surrounding whitespace", () => {
    fc.assert(
      fc.property(hostname, port, fc.constantFrom("", " ", "\t", "  \n"), (h, p, space) => {
        const hostPort = `${h}${p === undefined || p === 443 ? "" : `:${p}`}`;
        assert.equal(
          normalizeHost(`${space}${h}${p === undefined ? "" : `:${p}`}${space}`),
          `https://${hostPort}`,
        );
      }),
      RUNS,
    );
  });

  it("rejects blank input and other schemes with a ValidationError naming the field", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^\s*$/),
          hostname.map((h) => `ftp://${h}`),
          hostname.map((h) => `file://${h}/x`),
        ),
        (input) => {
          assert.throws(() => normalizeHost(input, "host"), (error: unknown) => {
            assert.ok(error instanceof ValidationError);
            assert.equal(error.field, "host");
            return true;
          });
        },
      ),
      RUNS,
    );
  });

  it("maps a self-hosted API host to itself as web host, and only the official host to swanlab.cn", () => {
    fc.assert(
      fc.property(scheme, hostname, port, (s, h, p) => {
        fc.pre(h !== "api.swanlab.cn" && h !== "swanlab.cn");
        const api = `${s}://${h}${p === undefined ? "" : `:${p}`}`;
        const hosts = resolveHosts(api);
        assert.equal(hosts.webHost, hosts.apiHost);
        assert.equal(hosts.apiHost, normalizeHost(api));
      }),
      RUNS,
    );
  });
});

describe(".netrc properties", () => {
  const token = fc.stringMatching(/^[A-Za-z0-9_.~+\/=-]{1,64}$/);
  const host = fc.tuple(scheme, fc.oneof(hostname, ipv6.map((h) => `[${h}]`)), port).map((
    [s, h, p],
  ) => normalizeHost(`${s}://${h}${p === undefined ? "" : `:${p}`}`));

  it("parses back exactly what formatNetrc() writes", () => {
    fc.assert(
      fc.property(host, host, token, (apiHost, webHost, apiKey) => {
        assert.deepEqual(parseNetrc(formatNetrc({ apiHost, webHost, apiKey })), {
          apiHost,
          webHost,
          apiKey,
        });
      }),
      RUNS,
    );
  });

  it("reads the first entry whatever the whitespace layout and the entries after it", () => {
    const space = fc.constantFrom(" ", "\t", "\n", "\n\t", "  \n  ");
    fc.assert(
      fc.property(
        host,
        host,
        token,
        fc.array(fc.tuple(host, token), { maxLength: 3 }),
        space,
        space,
        (api, web, key, rest, a, b) => {
          const first = `machine${a}${api}${b}login${a}${web}${b}password${a}${key}`;
          const more = rest.map(([h, k]) => `\nmachine ${h} login ${h} password ${k}`).join("");
          assert.deepEqual(parseNetrc(`${first}${more}\n`), {
            apiHost: api,
            webHost: web,
            apiKey: key,
          });
        },
      ),
      RUNS,
    );
  });

  it("refuses to write a value that .netrc cannot hold", () => {
    fc.assert(
      fc.property(host, fc.string().filter((s) => s === "" || /\s/.test(s)), (h, bad) => {
        assert.throws(() => formatNetrc({ apiHost: h, webHost: h, apiKey: bad }), ValidationError);
      }),
      RUNS,
    );
  });
});
