import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { redactUrl, SecretRedactor } from "../../src/core/redact.ts";

describe("redactUrl()", () => {
  const cases: [string, string[]][] = [
    [
      "https://b.s3.amazonaws.com/x.csv?X-Amz-Credential=AKIA&X-Amz-Signature=s3sig&X-Amz-Security-Token=tok",
      ["AKIA", "s3sig", "tok"],
    ],
    [
      "https://b.cos.ap-shanghai.myqcloud.com/x?q-sign-algorithm=sha1&q-signature=cossig&x-cos-security-token=costok",
      ["cossig", "costok"],
    ],
    [
      "https://b.oss-cn-hangzhou.aliyuncs.com/x?OSSAccessKeyId=LTAI&Signature=osssig&security-token=sts",
      ["LTAI", "osssig", "sts"],
    ],
    [
      "https://b.oss-cn-hangzhou.aliyuncs.com/x?x-oss-credential=LTAI4&x-oss-signature=v4sig&x-oss-security-token=sts4",
      ["LTAI4", "v4sig", "sts4"],
    ],
    ["https://storage.googleapis.com/b/x?X-Goog-Credential=gcred&X-Goog-Signature=gsig", [
      "gcred",
      "gsig",
    ]],
    ["https://a.blob.core.windows.net/c/x?sv=2022&sig=azsig", ["azsig"]],
    ["https://d.cloudfront.net/x?Policy=pol&Key-Pair-Id=kp&Signature=cfsig", [
      "pol",
      "kp",
      "cfsig",
    ]],
    ["http://127.0.0.1:9/exports/x.csv?X-Expires=1&X-Signature=local", ["local"]],
    ["https://user:pass@h/x", ["pass"]],
  ];
  for (const [url, secrets] of cases) {
    it(`removes every credential from ${new URL(url).hostname}`, () => {
      const redacted = redactUrl(url);
      for (const secret of secrets) {
        assert.ok(!redacted.includes(secret), `${secret} left in ${redacted}`);
      }
    });
  }

  it("keeps parameters that are not credentials, and leaves plain URLs unchanged", () => {
    assert.equal(redactUrl("https://h/x?page=2&size=10"), "https://h/x?page=2&size=10");
    assert.match(redactUrl("http://h/x?X-Expires=123&X-Signature=s"), /X-Expires=123/);
    assert.equal(redactUrl("not a url"), "not a url");
  });
});

describe("SecretRedactor", () => {
  it("hides registered secrets and URL signatures inside free text", () => {
    const redactor = new SecretRedactor();
    redactor.add("sk-live-123456");
    redactor.add("ab"); // too short to redact safely
    const text = redactor.redact("key sk-live-123456 failed at http://h/x?X-Signature=zzz (ab)");
    assert.ok(!text.includes("sk-live-123456"));
    assert.ok(!text.includes("zzz"));
    assert.ok(text.includes("(ab)"));
  });
});
