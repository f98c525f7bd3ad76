import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { ResponseError, ValidationError } from "../../src/core/errors.ts";
import {
  COLUMN_CLASSES,
  COLUMN_TYPES,
  FILTER_OPS,
  FILTER_TYPES,
  LOG_LEVELS,
  METRIC_TYPES,
  padTimestampMs,
  PAGE_SIZES,
  parseCreatedAtSeconds,
  parseProjectPath,
  parseRunPath,
  parseWorkspacePath,
  PROJECT_SORTS,
  ROLES,
  RUN_STATES,
  SCALAR_COLUMN_TYPES,
  SELF_HOSTED_PROJECT_STATES,
  SORT_ORDERS,
  STABLE_KEYS,
  validateEnum,
  validateFilters,
  validateGroups,
  validateMetricKeys,
  validateNonBlank,
  validateNonNegativeInt,
  validatePaging,
  validatePositiveInt,
  validateProjectName,
  validateRunId,
  validateSorts,
  validateUsername,
  VISIBILITIES,
  WORKSPACE_TYPES,
} from "../../src/entities/validation.ts";
import { caught, throwsValidation } from "../_helpers/assertions.ts";

const RUNS = 2000;

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const DIGITS = "0123456789";
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const USERNAME_CHARS = [...DIGITS, ...LETTERS, "-", "_", "."];
const PROJECT_CHARS = [...USERNAME_CHARS, "+"];
const RUN_EXTRA_CHARS = ["+", " ", "~", "!", "@", "$", "&", "(", ")", "é", "中", "🙂", "=", ";"];
const notDot = (s: string) => s !== "." && s !== "..";

const usernameArb = fc.string({
  unit: fc.constantFrom(...USERNAME_CHARS),
  minLength: 1,
  maxLength: 20,
})
  .filter(notDot);
const projectArb = fc.string({
  unit: fc.constantFrom(...PROJECT_CHARS),
  minLength: 1,
  maxLength: 30,
})
  .filter(notDot);
const runIdArb = fc.string({
  unit: fc.constantFrom(...PROJECT_CHARS, ...RUN_EXTRA_CHARS),
  minLength: 1,
  maxLength: 30,
}).filter((s) => notDot(s) && s.trim() === s);

/** Characters no name may contain, whatever its kind. */
const ALWAYS_BAD = ["/", "?", "#", "%", "\u0000", "\u001f", "\u007f", "\u0085", "\n", "\t"];

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

describe("parseRunPath()", () => {
  it("returns the username, project and run of a valid path", () => {
    assert.deepEqual(parseRunPath("my-team/my-project/abc123"), {
      username: "my-team",
      project: "my-project",
      run: "abc123",
    });
  });

  it("accepts project names with + and . and run ids with inner spaces and non-ASCII", () => {
    assert.deepEqual(parseRunPath("a.b/c+d.e/run 1 é"), {
      username: "a.b",
      project: "c+d.e",
      run: "run 1 é",
    });
  });

  it("names the expected shape when the segment count is wrong", () => {
    throwsValidation(
      () => parseRunPath("a/b"),
      "path",
      'Cannot parse path "a/b": expected 3 segments (username/project/run), got 2',
    );
    throwsValidation(() => parseRunPath("a/b/c/d"), "path", /expected 3 segments.*got 4/);
    throwsValidation(() => parseRunPath("a/b/c/"), "path", /got 4/);
  });

  it("rejects leading or trailing whitespace on the whole path", () => {
    throwsValidation(() => parseRunPath(" a/b/c"), "path", /leading or trailing whitespace/);
    throwsValidation(() => parseRunPath("a/b/c\n"), "path", /leading or trailing whitespace/);
  });

  it("rejects empty segments and segments with outer whitespace", () => {
    throwsValidation(() => parseRunPath("a//c"), "path", /project name "" is empty/);
    throwsValidation(() => parseRunPath("a/b /c"), "path", /project name "b " has leading/);
    throwsValidation(() => parseRunPath("a/b/ c"), "path", /run id " c" has leading/);
  });

  it("rejects dot segments, which URL normalization would remove", () => {
    throwsValidation(() => parseRunPath("./b/c"), "path", /username "\." is a dot segment/);
    throwsValidation(() => parseRunPath("a/../c"), "path", /project name "\.\." is a dot segment/);
    throwsValidation(() => parseRunPath("a/b/.."), "path", /run id "\.\." is a dot segment/);
  });

  it("rejects control characters and shows them escaped", () => {
    throwsValidation(
      () => parseRunPath("a/b/c\u0001d"),
      "path",
      'Cannot parse path "a/b/c\\u0001d": run id "c\\u0001d" contains a control character (U+0001)',
    );
    throwsValidation(() => parseRunPath("a/b/c\u0085"), "path", /U\+0085/);
  });

  it("rejects characters that would change the request target", () => {
    for (const char of ["?", "#", "%"]) {
      throwsValidation(() => parseRunPath(`a/b/c${char}d`), "path", /run id/);
      throwsValidation(() => parseRunPath(`a/b${char}/c`), "path", /project name/);
      throwsValidation(() => parseRunPath(`a${char}/b/c`), "path", /username/);
    }
    for (const char of ["<", ">", ":", '"', "\\", "|", "*"]) {
      throwsValidation(() => parseRunPath(`a/b/c${char}`), "path", /not allowed/);
    }
  });

  it("rejects non-strings", () => {
    throwsValidation(
      () => parseRunPath(42),
      "path",
      "Cannot parse path 42: expected a string (username/project/run)",
    );
    throwsValidation(() => parseRunPath(null), "path", /got null/);
    throwsValidation(() => parseRunPath(["a", "b", "c"]), "path", /got an array/);
  });

  it("reports a custom field name", () => {
    throwsValidation(() => parseRunPath("a", "runPath"), "runPath", /^Cannot parse runPath "a"/);
  });

  it("round-trips every valid path", () => {
    fc.assert(
      fc.property(usernameArb, projectArb, runIdArb, (username, project, run) => {
        assert.deepEqual(parseRunPath(`${username}/${project}/${run}`), { username, project, run });
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects every path with the wrong number of segments, naming the field", () => {
    fc.assert(
      fc.property(
        fc.array(projectArb, { minLength: 1, maxLength: 6 }).filter((s) => s.length !== 3),
        (segments) =>
          throwsValidation(() => parseRunPath(segments.join("/")), "path", /expected 3 segments/),
      ),
      { numRuns: RUNS },
    );
  });

  it("rejects a path with one bad segment, whichever it is", () => {
    const badSegment = fc.oneof(
      fc.constantFrom("", " ", ".", "..", " x", "x ", "\tx"),
      fc.tuple(projectArb, fc.constantFrom(...ALWAYS_BAD), projectArb).map(([a, c, b]) => a + c + b)
        .filter((s) => s.split("/").length === 1),
    );
    fc.assert(
      fc.property(
        usernameArb,
        projectArb,
        runIdArb,
        fc.integer({ min: 0, max: 2 }),
        badSegment,
        (username, project, run, index, bad) => {
          const segments = [username, project, run];
          segments[index] = bad;
          const path = segments.join("/");
          // A bad first or last segment may also make the whole path have outer whitespace.
          throwsValidation(() => parseRunPath(path), "path", /^Cannot parse path /);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("either parses any string exactly or throws a ValidationError naming the field", () => {
    const anyPath = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.array(
        fc.string({
          unit: fc.constantFrom("a", "Z", "0", ".", "-", "+", " ", "?", "/"),
          maxLength: 6,
        }),
        {
          maxLength: 5,
        },
      ).map((s) => s.join("/")),
    );
    fc.assert(
      fc.property(anyPath, (path) => {
        const error = caught(() => parseRunPath(path));
        if (error === undefined) {
          const { username, project, run } = parseRunPath(path);
          assert.equal(`${username}/${project}/${run}`, path);
        } else {
          assert.ok(error instanceof ValidationError);
          assert.equal(error.field, "path");
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("parseProjectPath()", () => {
  it("returns the username and project", () => {
    assert.deepEqual(parseProjectPath("my-team/my-project"), {
      username: "my-team",
      project: "my-project",
    });
  });

  it("rejects a run path", () => {
    throwsValidation(
      () => parseProjectPath("a/b/c"),
      "path",
      'Cannot parse path "a/b/c": expected 2 segments (username/project), got 3',
    );
  });

  it("rejects a project segment outside the project-name character set", () => {
    throwsValidation(
      () => parseProjectPath("a/my project"),
      "path",
      /contains " " \(allowed: 0-9 a-z A-Z - _ \. \+\)/,
    );
  });

  it("round-trips every valid path", () => {
    fc.assert(
      fc.property(usernameArb, projectArb, (username, project) => {
        assert.deepEqual(parseProjectPath(`${username}/${project}`), { username, project });
      }),
      { numRuns: RUNS },
    );
  });
});

describe("parseWorkspacePath()", () => {
  it("returns the username", () => {
    assert.deepEqual(parseWorkspacePath("my_team.1"), { username: "my_team.1" });
  });

  it("rejects a path with a slash", () => {
    throwsValidation(
      () => parseWorkspacePath("a/b"),
      "path",
      /expected 1 segment \(username\), got 2/,
    );
  });

  it("rejects an empty username", () => {
    throwsValidation(
      () => parseWorkspacePath(""),
      "path",
      'Cannot parse path "": username "" is empty',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

describe("validateProjectName()", () => {
  it("accepts 1 to 100 characters from 0-9 a-z A-Z - _ . +", () => {
    assert.equal(validateProjectName("a"), "a");
    assert.equal(validateProjectName("My_Project-1.0+x"), "My_Project-1.0+x");
    assert.equal(validateProjectName("x".repeat(100)), "x".repeat(100));
  });

  it("rejects empty, too long and out-of-set names with field name", () => {
    throwsValidation(
      () => validateProjectName(""),
      "name",
      'Cannot parse project name "": value is empty',
    );
    throwsValidation(
      () => validateProjectName("x".repeat(101)),
      "name",
      /longer than 100 characters/,
    );
    throwsValidation(() => validateProjectName("a b"), "name", /contains " "/);
    throwsValidation(() => validateProjectName("a?b"), "name", /contains "\?"/);
    throwsValidation(() => validateProjectName("é"), "name", /contains "é"/);
    throwsValidation(() => validateProjectName(".."), "name", /dot segment/);
    throwsValidation(() => validateProjectName(5), "name", /expected a project name string/);
  });

  it("agrees with the reference regex on arbitrary strings", () => {
    const reference = (s: string) => /^[0-9A-Za-z_.+-]{1,100}$/.test(s) && s !== "." && s !== "..";
    const name = fc.oneof(
      fc.string({
        unit: fc.constantFrom(...PROJECT_CHARS, " ", "?", "#", "%", "/", "é", "\u0000"),
        maxLength: 110,
      }),
      fc.string({ unit: fc.constantFrom(...PROJECT_CHARS), minLength: 95, maxLength: 105 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.constantFrom(".", "..", "..."),
    );
    fc.assert(
      fc.property(name, (s) => {
        const error = caught(() => validateProjectName(s));
        assert.equal(error === undefined, reference(s), `name ${JSON.stringify(s)}`);
        if (error !== undefined) {
          assert.ok(error instanceof ValidationError && error.field === "name");
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("validateRunId()", () => {
  it("accepts slugs, cuids and ids with inner spaces", () => {
    assert.equal(validateRunId("abc123"), "abc123");
    assert.equal(validateRunId("clx9k2m0a0001"), "clx9k2m0a0001");
    assert.equal(validateRunId("run 1"), "run 1");
    assert.equal(validateRunId("x".repeat(512)), "x".repeat(512));
  });

  it("rejects forbidden characters, control characters, dots and long ids", () => {
    for (const char of ["<", ">", ":", '"', "/", "\\", "|", "?", "*", "#", "%"]) {
      throwsValidation(() => validateRunId(`a${char}b`), "run", /not allowed/);
    }
    throwsValidation(() => validateRunId("a\u007fb"), "run", /U\+007F/);
    throwsValidation(() => validateRunId("."), "run", /dot segment/);
    throwsValidation(() => validateRunId(" a"), "run", /leading or trailing whitespace/);
    throwsValidation(() => validateRunId("x".repeat(513)), "run", /longer than 512/);
  });

  it("agrees with the reference rule on arbitrary strings", () => {
    const reference = (s: string) =>
      s.length >= 1 && s.length <= 512 && s.trim() === s && s !== "." && s !== ".." &&
      !/[<>:"/\\|?*#%]/.test(s) && ![...s].some((c) => {
        const code = c.charCodeAt(0);
        return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), runIdArb), (s) => {
        assert.equal(caught(() => validateRunId(s)) === undefined, reference(s), JSON.stringify(s));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("validateUsername()", () => {
  it("accepts letters, digits, - _ and .", () => {
    assert.equal(validateUsername("Alice_01.x-y"), "Alice_01.x-y");
  });

  it("rejects + and other characters outside the set", () => {
    throwsValidation(
      () => validateUsername("a+b"),
      "username",
      /contains "\+" \(allowed: 0-9 a-z A-Z - _ \.\)/,
    );
    throwsValidation(() => validateUsername("a@b", "workspace"), "workspace", /contains "@"/);
  });
});

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

describe("enum constants", () => {
  it("match the wire reference", () => {
    assert.deepEqual(RUN_STATES, ["RUNNING", "FINISHED", "CRASHED", "ABORTED", "OFFLINE"]);
    assert.deepEqual(VISIBILITIES, ["PUBLIC", "PRIVATE"]);
    assert.deepEqual(WORKSPACE_TYPES, ["TEAM", "PERSON"]);
    assert.deepEqual(ROLES, ["VISITOR", "VIEWER", "MEMBER", "OWNER"]);
    assert.deepEqual(COLUMN_CLASSES, ["CUSTOM", "SYSTEM"]);
    assert.equal(COLUMN_TYPES.length, 11);
    assert.deepEqual(SCALAR_COLUMN_TYPES, ["FLOAT", "BOOLEAN", "STRING"]);
    assert.deepEqual(COLUMN_TYPES.slice(0, 3), SCALAR_COLUMN_TYPES);
    assert.deepEqual(METRIC_TYPES, ["SCALAR", "MEDIA"]);
    assert.deepEqual(LOG_LEVELS, ["DEBUG", "INFO", "WARN", "ERROR"]);
    assert.deepEqual(FILTER_TYPES, ["STABLE", "CONFIG", "SCALAR"]);
    assert.deepEqual(FILTER_OPS, ["EQ", "NEQ", "GTE", "LTE", "IN", "NOT IN", "CONTAIN"]);
    assert.equal(STABLE_KEYS.length, 14);
    assert.deepEqual(SORT_ORDERS, ["ASC", "DESC"]);
    assert.deepEqual(PROJECT_SORTS, ["create", "name", "update"]);
    assert.deepEqual(PAGE_SIZES, [10, 12, 15, 20, 24, 27, 50, 100]);
    assert.deepEqual(SELF_HOSTED_PROJECT_STATES, ["RUNNING", "FINISHED"]);
  });
});

describe("validateEnum()", () => {
  it("returns a member unchanged", () => {
    assert.equal(validateEnum("op", "NOT IN", FILTER_OPS), "NOT IN");
    assert.equal(validateEnum("size", 27, PAGE_SIZES), 27);
  });

  it("is case-sensitive and lists the allowed values", () => {
    throwsValidation(
      () => validateEnum("level", "info", LOG_LEVELS),
      "level",
      'Cannot parse level "info": expected one of "DEBUG", "INFO", "WARN", "ERROR"',
    );
  });

  it("does not confuse numbers with numeric strings", () => {
    throwsValidation(() => validateEnum("size", "20", PAGE_SIZES), "size", /"20"/);
  });

  it("names the kind of a non-primitive value", () => {
    throwsValidation(
      () => validateEnum("visibility", {}, VISIBILITIES),
      "visibility",
      /got an object$/,
    );
    throwsValidation(
      () => validateEnum("visibility", undefined, VISIBILITIES),
      "visibility",
      /got undefined$/,
    );
  });

  it("accepts exactly the members of every enum", () => {
    const enums = [
      RUN_STATES,
      VISIBILITIES,
      WORKSPACE_TYPES,
      ROLES,
      COLUMN_CLASSES,
      COLUMN_TYPES,
      METRIC_TYPES,
      LOG_LEVELS,
      FILTER_TYPES,
      FILTER_OPS,
      STABLE_KEYS,
      SORT_ORDERS,
      PROJECT_SORTS,
      SELF_HOSTED_PROJECT_STATES,
    ] as const;
    const allValues = enums.flatMap((e) => [...e] as string[]);
    fc.assert(
      fc.property(
        fc.constantFrom(...enums),
        fc.oneof(
          fc.constantFrom(...allValues),
          fc.constantFrom(...allValues).map((s) => s.toLowerCase()),
          fc.string({ maxLength: 8 }),
        ),
        (allowed, value) => {
          const members = allowed as readonly string[];
          const error = caught(() => validateEnum("field", value, members));
          assert.equal(error === undefined, members.includes(value));
          if (error !== undefined) {
            assert.ok(error instanceof ValidationError && error.field === "field");
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Numbers and paging
// ---------------------------------------------------------------------------------------------

describe("validatePaging()", () => {
  it("accepts page >= 1 and an allowed size", () => {
    assert.deepEqual(validatePaging({ page: 3, size: 100 }), { page: 3, size: 100 });
  });

  it("rejects page 0, fractional pages and sizes the server does not offer", () => {
    throwsValidation(
      () => validatePaging({ page: 0, size: 20 }),
      "page",
      "Cannot parse page 0: expected an integer >= 1",
    );
    throwsValidation(() => validatePaging({ page: 1.5, size: 20 }), "page");
    throwsValidation(() => validatePaging({ page: "1", size: 20 }), "page");
    throwsValidation(
      () => validatePaging({ page: 1, size: 30 }),
      "size",
      "Cannot parse size 30: expected one of 10, 12, 15, 20, 24, 27, 50, 100",
    );
  });

  it("accepts exactly positive integer pages and the listed sizes", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.double()),
        fc.oneof(fc.constantFrom(...PAGE_SIZES), fc.integer({ min: -1, max: 200 })),
        (page, size) => {
          const pageOk = Number.isSafeInteger(page) && page >= 1;
          const ok = pageOk &&
            (PAGE_SIZES as readonly number[]).includes(size);
          const error = caught(() => validatePaging({ page, size }));
          assert.equal(error === undefined, ok);
          if (error !== undefined) {
            assert.ok(error instanceof ValidationError);
            assert.equal(error.field, pageOk ? "size" : "page");
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("validatePositiveInt() and validateNonNegativeInt()", () => {
  it("accept integers in range and reject the rest", () => {
    assert.equal(validatePositiveInt("sample", 1), 1);
    assert.equal(validateNonNegativeInt("start", 0), 0);
    throwsValidation(
      () => validatePositiveInt("sample", 0),
      "sample",
      "Cannot parse sample 0: expected an integer >= 1",
    );
    throwsValidation(
      () => validateNonNegativeInt("start", -1),
      "start",
      /expected an integer >= 0/,
    );
    throwsValidation(() => validateNonNegativeInt("start", NaN), "start");
    throwsValidation(() => validatePositiveInt("rows", 2 ** 60), "rows");
  });
});

describe("validateNonBlank() and validateMetricKeys()", () => {
  it("rejects blank strings", () => {
    assert.equal(validateNonBlank("key", " loss "), " loss ");
    throwsValidation(
      () => validateNonBlank("key", "  "),
      "key",
      'Cannot parse key "  ": expected a non-blank string',
    );
  });

  it("de-duplicates keys in order and names the bad item", () => {
    assert.deepEqual(validateMetricKeys(["loss", "acc", "loss"]), ["loss", "acc"]);
    throwsValidation(() => validateMetricKeys([]), "keys", /expected a non-empty array/);
    throwsValidation(() => validateMetricKeys(["loss", ""]), "keys[1]");
    throwsValidation(() => validateMetricKeys("loss"), "keys");
  });
});

// ---------------------------------------------------------------------------------------------
// Filters, groups, sorts
// ---------------------------------------------------------------------------------------------

describe("validateFilters()", () => {
  it("adds active: true, overriding the caller, and passes extra fields through", () => {
    const input = [{
      key: "state",
      type: "STABLE",
      op: "EQ",
      value: ["FINISHED"],
      active: false,
      extra: 1,
    }];
    assert.deepEqual(validateFilters(input), [
      { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"], active: true, extra: 1 },
    ]);
    assert.equal(input[0]?.active, false, "the caller's object is unchanged");
  });

  it("accepts any key for CONFIG and SCALAR filters and the NOT IN operator", () => {
    const wire = validateFilters([
      { key: "param_2", type: "CONFIG", op: "NOT IN", value: ["0.01"] },
      { key: "loss", type: "SCALAR", op: "LTE", value: [0.5] },
    ]);
    assert.equal(wire.length, 2);
  });

  it("rejects a non-array instead of ignoring it", () => {
    throwsValidation(
      () => validateFilters({ key: "state" }),
      "filters",
      "Cannot parse filters: expected an array, got an object",
    );
    throwsValidation(() => validateFilters("[]"), "filters");
  });

  it("names the bad item and field", () => {
    const good = { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] };
    throwsValidation(
      () => validateFilters([good, null]),
      "filters[1]",
      /expected an object with key, type, op and value/,
    );
    throwsValidation(() => validateFilters([good, { ...good, key: undefined }]), "filters[1].key");
    throwsValidation(() => validateFilters([good, { ...good, type: "stable" }]), "filters[1].type");
    throwsValidation(
      () => validateFilters([good, { ...good, key: "loss" }]),
      "filters[1].key",
      /expected a STABLE key/,
    );
    throwsValidation(() => validateFilters([good, { ...good, op: "NOTIN" }]), "filters[1].op");
    throwsValidation(
      () => validateFilters([good, { ...good, value: "FINISHED" }]),
      "filters[1].value",
    );
  });

  it("accepts a random filter exactly when every field is valid", () => {
    const keyArb = fc.oneof(
      fc.constantFrom(...STABLE_KEYS),
      fc.constantFrom("lr", "loss", ""),
      fc.constant(undefined),
    );
    const typeArb = fc.oneof(
      fc.constantFrom(...FILTER_TYPES),
      fc.constantFrom("stable", "X"),
      fc.constant(undefined),
    );
    const opArb = fc.oneof(
      fc.constantFrom(...FILTER_OPS),
      fc.constantFrom("NOTIN", "eq", "NOT_IN"),
      fc.constant(null),
    );
    const valueArb = fc.oneof(
      fc.array(fc.string(), { maxLength: 2 }),
      fc.constantFrom("x", 1, null),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: keyArb, type: typeArb, op: opArb, value: valueArb }), {
          maxLength: 3,
        }),
        (items) => {
          let expected: string | undefined;
          items.forEach((item, i) => {
            if (expected !== undefined) return;
            const at = `filters[${i}]`;
            if (typeof item.key !== "string" || item.key === "") expected = `${at}.key`;
            else if (!(FILTER_TYPES as readonly unknown[]).includes(item.type)) {
              expected = `${at}.type`;
            } else if (
              item.type === "STABLE" && !(STABLE_KEYS as readonly string[]).includes(item.key)
            ) {
              expected = `${at}.key`;
            } else if (!(FILTER_OPS as readonly unknown[]).includes(item.op)) expected = `${at}.op`;
            else if (!Array.isArray(item.value)) expected = `${at}.value`;
          });
          const error = caught(() => validateFilters(items));
          if (expected === undefined) {
            assert.equal(error, undefined);
            assert.ok(validateFilters(items).every((item) => item.active === true));
          } else {
            assert.ok(error instanceof ValidationError);
            assert.equal(error.field, expected);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("validateGroups() and validateSorts()", () => {
  it("add active: true to groups and sorts", () => {
    assert.deepEqual(validateGroups([{ key: "job", type: "STABLE", active: false }]), [
      { key: "job", type: "STABLE", active: true },
    ]);
    assert.deepEqual(validateSorts([{ key: "loss", type: "SCALAR", order: "DESC" }]), [
      { key: "loss", type: "SCALAR", order: "DESC", active: true },
    ]);
  });

  it("apply the type and STABLE-key checks and require a sort order", () => {
    throwsValidation(() => validateGroups([{ key: "nope", type: "STABLE" }]), "groups[0].key");
    throwsValidation(() => validateGroups([{ key: "lr" }]), "groups[0].type");
    throwsValidation(
      () => validateSorts([{ key: "name", type: "STABLE" }]),
      "sorts[0].order",
      /got undefined$/,
    );
    throwsValidation(
      () => validateSorts([{ key: "name", type: "STABLE", order: "asc" }]),
      "sorts[0].order",
    );
    throwsValidation(() => validateSorts(undefined), "sorts");
  });
});

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

describe("parseCreatedAtSeconds()", () => {
  it("parses the forms in the wire reference", () => {
    assert.equal(parseCreatedAtSeconds("2024-08-01T00:00:00.000Z"), 1722470400);
    assert.equal(parseCreatedAtSeconds("2024-08-01T00:00:00Z"), 1722470400);
    assert.equal(parseCreatedAtSeconds("2024-08-01T00:00:00"), 1722470400, "no offset means UTC");
    assert.equal(parseCreatedAtSeconds("2024-08-01"), 1722470400, "date only");
    assert.equal(parseCreatedAtSeconds("2024-08-01T08:00:00+08:00"), 1722470400);
    assert.equal(parseCreatedAtSeconds("2024-07-31 19:00:00.999-0500"), 1722470400);
    assert.equal(parseCreatedAtSeconds(1722470400), 1722470400);
    assert.equal(parseCreatedAtSeconds("1722470400"), 1722470400);
    assert.equal(parseCreatedAtSeconds(1722470400123), 1722470400, "milliseconds");
    assert.equal(parseCreatedAtSeconds("1722470400123456"), 1722470400, "microseconds");
    assert.equal(parseCreatedAtSeconds("1722470400123456789"), 1722470400, "nanoseconds");
  });

  it("throws a ResponseError naming the value for missing or bad data", () => {
    for (
      const bad of [
        null,
        undefined,
        "",
        0,
        -5,
        1.5,
        "yesterday",
        "2024-02-30",
        "2024-13-01",
        "2024-08-01T24:00:00",
      ]
    ) {
      assert.throws(() => parseCreatedAtSeconds(bad), ResponseError, String(bad));
    }
    assert.throws(
      () => parseCreatedAtSeconds("yesterday"),
      {
        name: "ResponseError",
        message:
          'Cannot parse createdAt "yesterday": expected a Unix timestamp or an ISO-8601 date',
      },
    );
  });

  it("knows the Gregorian leap years, and the years before 100 as years, not 1900-1999", () => {
    assert.equal(parseCreatedAtSeconds("2024-02-29T12:00:00Z"), 1709208000);
    // Divisible by 400: a leap year (a day, though before the range).
    assert.throws(() => parseCreatedAtSeconds("2000-02-29"), /got 951782400$/);
    for (const notADay of ["2023-02-29", "2100-02-29", "2024-04-31", "2024-06-31", "2024-01-32"]) {
      assert.throws(
        () => parseCreatedAtSeconds(notADay),
        /expected a Unix timestamp or an ISO-8601 date/,
        notADay,
      );
    }
    assert.equal(parseCreatedAtSeconds("2286-11-20T17:46:39Z"), 9_999_999_999);
    // The year 99 began 59,042,995,200 seconds before 1970 (`Date.UTC` alone would say 1999).
    assert.throws(() => parseCreatedAtSeconds("0099-01-01"), /got -59042995200$/);
  });

  it("reads the servers' form (T, seconds, any fraction, Z) like every other ISO form", () => {
    for (const fraction of ["", ".0", ".999", ".123456789", ".12345678901234567890"]) {
      assert.equal(parseCreatedAtSeconds(`2024-08-01T00:00:00${fraction}Z`), 1722470400, fraction);
      assert.equal(parseCreatedAtSeconds(`2024-08-01T00:00:00${fraction}z`), 1722470400, fraction);
    }
    assert.equal(parseCreatedAtSeconds("2024-08-01T00:00:00,5Z"), 1722470400, "comma fraction");
    for (
      const notADate of [
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00.000Z",
        "2024-08-01T24:00:00Z",
        "2024-08-01T00:60:00Z",
        "2024-08-01T00:00:60Z",
        "2024-08-01T00:00:00.Z",
        "2024-08-01T00:00:00.1aZ",
        "2024-08-0xT00:00:00Z",
        "2024-08-01X00:00:00Z",
        "+2024-08-01T00:00:00Z",
      ]
    ) {
      assert.throws(
        () => parseCreatedAtSeconds(notADate),
        /expected a Unix timestamp or an ISO-8601 date/,
        notADate,
      );
    }
  });

  it("rejects times outside 10-digit seconds", () => {
    assert.throws(
      () => parseCreatedAtSeconds(999_999_999),
      /expected a time between 2001-09-09 and 2286-11-20/,
    );
    assert.throws(() => parseCreatedAtSeconds("1990-01-01"), ResponseError);
    assert.equal(parseCreatedAtSeconds(1_000_000_000), 1_000_000_000);
    assert.equal(parseCreatedAtSeconds(9_999_999_999), 9_999_999_999);
  });

  it("returns the same second for seconds, milliseconds, microseconds and ISO forms", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (seconds, millis, offsetMinutes) => {
          assert.equal(parseCreatedAtSeconds(seconds), seconds);
          assert.equal(parseCreatedAtSeconds(seconds * 1000 + millis), seconds);
          assert.equal(
            parseCreatedAtSeconds(`${seconds}${String(millis).padStart(3, "0")}123`),
            seconds,
          );
          assert.equal(
            parseCreatedAtSeconds(new Date(seconds * 1000 + millis).toISOString()),
            seconds,
          );
          const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${
            String(abs % 60).padStart(2, "0")
          }`;
          assert.equal(parseCreatedAtSeconds(local + offset), seconds);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("padTimestampMs()", () => {
  it("pads 10-digit seconds to milliseconds", () => {
    assert.equal(padTimestampMs(1715769600), 1715769600000);
    assert.equal(padTimestampMs("1715769600"), 1715769600000);
  });

  it("multiplies small values by 10 until they have 13 digits", () => {
    assert.equal(padTimestampMs(17), 1_700_000_000_000);
    assert.equal(padTimestampMs(1), 1_000_000_000_000);
    assert.equal(padTimestampMs(" 99 "), 9_900_000_000_000);
  });

  it("leaves 13-digit and longer values, zero and negatives unchanged", () => {
    assert.equal(padTimestampMs(1715769600000), 1715769600000);
    assert.equal(padTimestampMs(1715769600000000), 1715769600000000);
    assert.equal(padTimestampMs(0), 0);
    assert.equal(padTimestampMs(-5), -5);
  });

  it("rejects fractions and non-numeric strings with a ValidationError", () => {
    throwsValidation(
      () => padTimestampMs(1.5),
      "timestamp",
      "Cannot parse timestamp 1.5: expected an integer timestamp",
    );
    throwsValidation(() => padTimestampMs("1.5", "rangeQuery.start"), "rangeQuery.start");
    throwsValidation(() => padTimestampMs("abc"), "timestamp");
    throwsValidation(() => padTimestampMs(NaN), "timestamp");
  });

  it("is idempotent and leaves values of 13 or more digits alone", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_000_000_000_000 }), (value) => {
        const padded = padTimestampMs(value);
        assert.ok(padded >= 1e12);
        assert.equal(padTimestampMs(padded), padded);
        assert.equal(padTimestampMs(String(value)), padded);
        if (value >= 1e12) assert.equal(padded, value);
        else assert.equal(String(padded).startsWith(String(value)), true);
      }),
      { numRuns: RUNS },
    );
  });
});
