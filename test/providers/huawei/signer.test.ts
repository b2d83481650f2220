import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  EMPTY_BODY_SHA256,
  huaweiEncode,
  parseAuthorization,
  parseSdkDate,
  sdkDate,
  signRequest,
} from "../../../lib/providers/huawei/signer.ts";

const KEY = { ak: "AKEXAMPLE", sk: "SKEXAMPLE" };
const AT = new Date("2025-01-01T00:00:00Z");

describe("Huawei SDK-HMAC-SHA256 signer", () => {
  it("reproduces the providers.md §5.1 vector byte for byte", () => {
    const url = new URL(
      "https://gaussdb.ap-southeast-3.myhuaweicloud.com/v3/0123456789abcdef0123456789abcdef/backups/create",
    );

    const headers = signRequest(
      {
        method: "POST",
        url,
        headers: { "Content-Type": "application/json" },
        body: '{"instance_id":"abc","name":"backup-1"}',
      },
      KEY,
      AT,
    );

    expect(headers).toEqual({
      "x-sdk-date": "20250101T000000Z",
      authorization:
        "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-sdk-date, " +
        "Signature=20ac0da46929ada46f9e69d3526047dac1b102fbf19b9d942b84524c6a655513",
    });
  });

  it("signs a GET with a sorted query, a trailing slash and the empty-body hash", () => {
    const url = new URL(
      "https://dcs.ap-southeast-1.myhuaweicloud.com/v2/p1/instances/i-1/backups?offset=0&limit=100&begin_time=20250101000000",
    );

    const { canonical, signedHeaders } = canonicalRequest(
      { method: "get", url, headers: { "X-Project-Id": "p1" } },
      "20250101T000000Z",
    );

    expect(canonical).toBe(
      [
        "GET",
        "/v2/p1/instances/i-1/backups/",
        "begin_time=20250101000000&limit=100&offset=0",
        "host:dcs.ap-southeast-1.myhuaweicloud.com\nx-project-id:p1\nx-sdk-date:20250101T000000Z\n",
        "host;x-project-id;x-sdk-date",
        EMPTY_BODY_SHA256,
      ].join("\n"),
    );
    expect(signedHeaders).toEqual(["host", "x-project-id", "x-sdk-date"]);
  });

  it("escapes ! ' ( ) * and spaces, which encodeURIComponent leaves or writes as +", () => {
    const params = new URLSearchParams();
    params.append("name", "it's (a) b*c!");
    params.append("a", "2");
    params.append("a", "1");

    expect(huaweiEncode("it's (a) b*c!~-_.")).toBe("it%27s%20%28a%29%20b%2Ac%21~-_.");
    expect(canonicalQuery(params)).toBe("a=1&a=2&name=it%27s%20%28a%29%20b%2Ac%21");
    expect(canonicalUri("/v3/p/backups/a%20b(1)")).toBe("/v3/p/backups/a%20b%281%29/");
    expect(canonicalUri("/")).toBe("/");
  });

  it("gives a different signature for another body, date or secret key", () => {
    const request = { method: "POST", url: new URL("https://h.example/x"), body: "{}" };
    const base = signRequest(request, KEY, AT).authorization;

    expect(signRequest({ ...request, body: "{ }" }, KEY, AT).authorization).not.toBe(base);
    expect(signRequest(request, KEY, new Date(AT.getTime() + 1000)).authorization).not.toBe(base);
    expect(signRequest(request, { ...KEY, sk: "OTHER" }, AT).authorization).not.toBe(base);
  });

  it("formats and parses X-Sdk-Date and the Authorization header", () => {
    const parsed = parseAuthorization(
      signRequest({ method: "GET", url: new URL("https://h/") }, KEY, AT).authorization,
    );

    expect(sdkDate(new Date("2026-03-02T09:08:07.654Z"))).toBe("20260302T090807Z");
    expect(parseSdkDate("20260302T090807Z")?.toISOString()).toBe("2026-03-02T09:08:07.000Z");
    expect(parseSdkDate("2026-03-02T09:08:07Z")).toBeUndefined();
    expect(parsed).toMatchObject({ access: "AKEXAMPLE", signedHeaders: ["host", "x-sdk-date"] });
    expect(parseAuthorization("Bearer abc")).toBeUndefined();
  });
});
