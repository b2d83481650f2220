import { describe, expect, it } from "vitest";
import { signRequest } from "../../../lib/providers/huawei/signer.ts";
import type { SimRequest } from "../../../sandbox/http-sim-types.ts";
import { verifyGatewayAuth } from "../../../sandbox/huawei/verify.ts";

const KEYS = { ak: "AK123", sk: "SK456" };
const NOW = Date.parse("2026-03-02T09:00:00Z");
const AUTH = { ...KEYS, now: () => NOW };

/** A request as the simulator would receive it, signed over `signedBody`. */
function received(options: {
  body?: unknown;
  signedBody?: string;
  query?: string;
  at?: number;
}): SimRequest {
  const url = new URL(`http://127.0.0.1:4000/v3/p1/backups/create${options.query ?? ""}`);
  const body = options.body === undefined ? "" : JSON.stringify(options.body);
  const signed = { "content-type": "application/json", "x-project-id": "p1" };
  const auth = signRequest(
    { method: "POST", url, headers: signed, body: options.signedBody ?? body },
    KEYS,
    new Date(options.at ?? NOW),
  );
  return {
    method: "POST",
    path: url.pathname,
    query: url.searchParams,
    headers: { host: url.host, ...signed, ...auth },
    params: {},
    body: options.body,
    rawBody: body,
  };
}

describe("simulated gateway signature check", () => {
  it("hashes the body bytes as sent: pretty-printed JSON signed as sent is accepted", () => {
    const pretty = JSON.stringify({ instance_id: "abc", name: "backup-1" }, null, 2);
    const url = new URL("http://127.0.0.1:4000/v3/p1/backups/create");
    const signed = { "content-type": "application/json", "x-project-id": "p1" };
    const auth = signRequest(
      { method: "POST", url, headers: signed, body: pretty },
      KEYS,
      new Date(NOW),
    );
    const request: SimRequest = {
      method: "POST",
      path: url.pathname,
      query: url.searchParams,
      headers: { host: url.host, ...signed, ...auth },
      params: {},
      body: JSON.parse(pretty),
      rawBody: pretty,
    };
    expect(verifyGatewayAuth(request, AUTH)).toBeUndefined();
  });

  it("accepts what the production signer signed", () => {
    expect(
      verifyGatewayAuth(received({ body: { name: "a" }, query: "?b=2&a=1" }), AUTH),
    ).toBeUndefined();
  });

  it("rejects a body other than the one signed", () => {
    const reply = verifyGatewayAuth(
      received({ body: { name: "a" }, signedBody: '{"name":"b"}' }),
      AUTH,
    );

    expect(reply).toMatchObject({ status: 401, body: { error_code: "APIGW.0301" } });
  });

  it("rejects a changed query or a changed signed header", () => {
    const request = received({ body: {}, query: "?a=1" });
    const query = { ...request, query: new URLSearchParams("a=2") };
    const header = { ...request, headers: { ...request.headers, "x-project-id": "p2" } };

    expect(verifyGatewayAuth(query, AUTH)?.status).toBe(401);
    expect(verifyGatewayAuth(header, AUTH)?.status).toBe(401);
  });

  it("tolerates 15 minutes of clock skew either way, not more", () => {
    const at = (offsetMs: number) =>
      verifyGatewayAuth(received({ body: {}, at: NOW + offsetMs }), AUTH);

    expect(at(15 * 60_000)).toBeUndefined();
    expect(at(-15 * 60_000)).toBeUndefined();
    expect(at(15 * 60_000 + 1_000)?.status).toBe(401);
    expect(at(-15 * 60_000 - 1_000)?.status).toBe(401);
  });

  it("never echoes the keys in its answer", () => {
    const reply = verifyGatewayAuth(received({ body: {} }), { ...AUTH, sk: "OTHER" });

    expect(reply?.status).toBe(401);
    expect(JSON.stringify(reply)).not.toMatch(/AK123|SK456|OTHER/);
  });
});
