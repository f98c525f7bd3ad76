import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { clone, deepFreeze, Lazy, sortKeys } from "../../src/entities/_lazy.ts";
import { flattenRuns } from "../../src/entities/lists.ts";
import { AbortError, ResponseError } from "../../src/core/errors.ts";

describe("Lazy", () => {
  it("shares one load between concurrent first uses and caches the value", async () => {
    let loads = 0;
    const lazy = new Lazy(async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return loads;
    });
    const values = await Promise.all([lazy.get(), lazy.get(), lazy.get()]);
    assert.deepEqual(values, [1, 1, 1]);
    assert.equal(await lazy.get(), 1);
    assert.equal(loads, 1);
    assert.equal(lazy.loaded, true);
  });

  it("lets one caller's signal stop only its own wait, never the shared load", async () => {
    let loads = 0;
    let seenSignal: AbortSignal | undefined;
    const lazy = new Lazy(async (options) => {
      loads++;
      seenSignal = options.signal;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return "value";
    });
    const controller = new AbortController();
    const first = lazy.get({ signal: controller.signal });
    const second = lazy.get();
    controller.abort();
    await assert.rejects(first, AbortError);
    assert.equal(await second, "value");
    assert.equal(loads, 1);
    assert.equal(seenSignal, undefined, "the shared load must not carry a caller's signal");
  });

  it("rejects an already-aborted signal at once without starting a load", async () => {
    let loads = 0;
    const lazy = new Lazy(() => {
      loads++;
      return Promise.reject(new Error("would be unhandled"));
    });
    await assert.rejects(lazy.get({ signal: AbortSignal.abort() }), AbortError);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(loads, 0);
  });

  it("does not cache a failure: the next use loads again", async () => {
    let loads = 0;
    const lazy = new Lazy(() => {
      loads++;
      if (loads === 1) throw new Error("boom");
      return Promise.resolve("ok");
    });
    await assert.rejects(lazy.get(), /boom/);
    assert.equal(lazy.loaded, false);
    assert.equal(await lazy.get(), "ok");
    assert.equal(loads, 2);
  });

  it("passes the options of the use that started the load", async () => {
    const seen: unknown[] = [];
    const lazy = new Lazy((options) => {
      seen.push(options.timeoutMs);
      return Promise.resolve(1);
    });
    await Promise.all([lazy.get({ timeoutMs: 5 }), lazy.get({ timeoutMs: 9 })]);
    assert.deepEqual(seen, [5]);
  });

  it("can be pre-filled with set() or Lazy.of()", async () => {
    const lazy = new Lazy<number>(() => Promise.reject(new Error("never")));
    lazy.set(3);
    assert.equal(await lazy.get(), 3);
    assert.equal(lazy.peek(), 3);
    assert.equal(await Lazy.of("x").get(), "x");
  });
});

describe("flattenRuns", () => {
  it("returns the runs of a flat array", () => {
    const runs = flattenRuns([{ cuid: "a" }, { cuid: "b" }]);
    assert.deepEqual(runs.map((r) => r.cuid), ["a", "b"]);
  });

  it("flattens nested groups in object order and drops the labels", () => {
    const runs = flattenRuns({
      "grp-A": [{ cuid: "a" }],
      "grp-B": { sub: [{ cuid: "b" }, { cuid: "c" }] },
    });
    assert.deepEqual(runs.map((r) => r.cuid), ["a", "b", "c"]);
  });

  it("fails naming the element for anything that is not a run or a group (drift policy)", () => {
    const cases: [unknown, RegExp][] = [
      [{ x: 3 }, /"x" expected array or object/],
      [{ z: "text" }, /"z" expected array or object/],
      [{ w: [{ cuid: "ok" }, 1] }, /"w\[1\]\.cuid" expected a non-empty string/],
      [{ w: [null] }, /"w\[0\]\.cuid"/],
      [{ g: { w: [{ name: "no-cuid" }] } }, /"g\.w\[0\]\.cuid"/],
      [{ w: [{ cuid: "" }] }, /"w\[0\]\.cuid"/],
      [null, /expected array or object/],
      ["oops", /expected array or object/],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => flattenRuns(body, "filterRuns"), (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.match(error.message, /^Cannot use response of filterRuns: /);
        assert.match(error.message, message);
        return true;
      });
    }
    assert.deepEqual(flattenRuns({ a: [{ cuid: "x" }], b: null }).map((r) => r.cuid), ["x"]);
  });
});

describe("sortKeys", () => {
  it("orders the top-level keys alphabetically, as the Python SDK's json()", () => {
    assert.deepEqual(Object.keys(sortKeys({ b: 1, a: 2, c: { z: 1, y: 2 } })), ["a", "b", "c"]);
  });
});

describe("deepFreeze", () => {
  it("freezes nested objects and arrays", () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] } });
    assert.ok(Object.isFrozen(value));
    assert.ok(Object.isFrozen(value.a));
    assert.ok(Object.isFrozen(value.a.b));
    assert.ok(Object.isFrozen(value.a.b[1]));
  });
});

describe("clone", () => {
  it("copies JSON data deeply: equal, sharing no object or array", () => {
    const source = deepFreeze({
      config: { lr: { value: 0.001 }, layers: [64, [128, { n: 256 }]], none: null, ok: true },
      text: "é\u0000",
      list: [],
      empty: {},
    });
    const copy = clone(source);
    assert.deepEqual(copy, source);
    assert.ok(!Object.isFrozen(copy) && !Object.isFrozen(copy.config.layers));
    assert.notEqual(copy.config, source.config);
    assert.notEqual(copy.config.layers[1], source.config.layers[1]);
    (copy.config.layers[1] as [number, { n: number }])[1].n = 1;
    assert.equal((source.config.layers[1] as [number, { n: number }])[1].n, 256);
  });

  it("keeps a __proto__ key of JSON.parse as data, like structuredClone", () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "a": [{"__proto__": 1}]}');
    const copy = clone(source);
    assert.deepEqual(Object.keys(copy), ["__proto__", "a"]);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(JSON.stringify(copy), JSON.stringify(structuredClone(source)));
  });

  it("equals structuredClone on generated JSON values", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const value = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (pick === 0) return null;
      if (pick === 1) return random() < 0.5;
      if (pick === 2) return random() * 1e6 - 5e5;
      if (pick === 3) return `s${Math.floor(random() * 1000)}`;
      if (pick === 4) {
        return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      }
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, value(depth + 1)]),
      );
    };
    for (let i = 0; i < 200; i++) {
      const source = value(0);
      assert.deepEqual(clone(source), structuredClone(source));
    }
  });
});
