import { timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bearerMatches, sameSecret } from "../../local/bearer.ts";
import { startLocalHttpServer } from "../../local/http-server.ts";

/*
 * The local API's bearer check must not tell a caller anything about the token, its
 * length included: the comparison hashes both sides, so it always compares 32 bytes.
 */

vi.mock("node:crypto", { spy: true });

const TOKEN = "a-local-token-0123456789abcdef";

describe("sameSecret", () => {
  it("is true only for the very same value, whatever the lengths", () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(`${TOKEN.slice(0, -1)}X`, TOKEN)).toBe(false); // same length, one byte off
    expect(sameSecret(TOKEN.slice(0, 5), TOKEN)).toBe(false); // shorter
    expect(sameSecret(`${TOKEN}${TOKEN}`, TOKEN)).toBe(false); // longer
    expect(sameSecret("", TOKEN)).toBe(false);
    expect(sameSecret("é", "é")).toBe(true);
  });

  it("never throws on a length mismatch (a raw timingSafeEqual would)", () => {
    expect(() => sameSecret("x", "a much longer expected secret")).not.toThrow();
  });
});

describe("bearerMatches", () => {
  it("takes only `Bearer <token>`", () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(TOKEN, TOKEN)).toBe(false);
    expect(bearerMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches("Bearer ", TOKEN)).toBe(false);
    expect(bearerMatches("Bearer short", TOKEN)).toBe(false);
  });
});

describe("the local API's token check", () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const http = await startLocalHttpServer({
      port: 0,
      token: TOKEN,
      handler: async () => ({ statusCode: 200, body: "{}" }),
    });
    url = http.url;
    close = () => new Promise((done) => http.server.close(() => done()));
  });
  afterAll(() => close());

  const get = (authorization?: string) =>
    fetch(`${url}/v1/targets`, { headers: authorization ? { authorization } : {} });

  it("compares 32-byte digests for every token, and answers 401 for one of another length", async () => {
    const compared = vi.mocked(timingSafeEqual);
    compared.mockClear();
    const short = await get("Bearer x");
    expect(short.status).toBe(401);
    expect(short.headers.get("content-type")).toBe("application/problem+json");
    const long = await get(`Bearer ${TOKEN}${"y".repeat(1000)}`);
    expect(long.status).toBe(401);
    expect((await get()).status).toBe(401);
    expect((await get(`Bearer ${TOKEN}`)).status).toBe(200);

    // A length check before the comparison would skip it (and tell the length by timing).
    expect(compared).toHaveBeenCalledTimes(4);
    for (const [a, b] of compared.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });
});
