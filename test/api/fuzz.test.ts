import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apiRoutes } from "../../lib/api/routes.ts";
import { useLocalStack } from "../support/use-local-stack.ts";

const routes = apiRoutes({} as never);
const IDS = [
  "demo-zilliz",
  "demo-pinecone",
  "bk_missing",
  "demo-every-minute",
  "x".repeat(80),
  "%2e%2e",
  "a b",
  "ü",
  "",
];

/**
 * A path segment as a caller may send it: encoded properly, or raw — including broken
 * percent-encoding (`%`, `%E0%A4%A`, `%ZZ`), which no encoder would produce.
 */
const segment = fc.oneof(
  fc.oneof(fc.constantFrom(...IDS), fc.string()).map((v) => encodeURIComponent(v)),
  fc.constantFrom("%", "%E0%A4%A", "%ZZ", "%C3", "a%2", "%%"),
  fc.stringMatching(/^[A-Za-z0-9%]{1,12}$/),
);

/** A path of the route table with its parameters filled in by the generator. */
const path = fc
  .tuple(
    fc.constantFrom(...routes.map((r) => r.path)),
    fc.array(segment, { minLength: 3, maxLength: 3 }),
  )
  .map(([template, values]) => {
    let i = 0;
    return template.replace(/\{[A-Za-z]+\}/g, () => values[i++] ?? "");
  });

/** Keys an object answers to without having them: where `obj[key]` code goes wrong. */
const PROTOTYPE_KEYS = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"];
const tagKey = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, "env", "team"), fc.string());
/** Tags as JSON text: `__proto__` survives only as text, never as an object literal. */
const tags = fc.dictionary(tagKey, fc.oneof(fc.string(), fc.jsonValue()), { maxKeys: 4 }).map(
  (t) =>
    `{${Object.entries(t)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`)
      .join(",")}}`,
);

/**
 * A cursor as a forger makes it: a real key of one of the listings, with some of its
 * attributes dropped, others added, values swapped for empty, oversized, out-of-range,
 * foreign or mistyped ones — or not a key at all.
 */
const REAL_KEYS: Record<string, string>[] = [
  {
    gsi1pk: "TARGETS",
    gsi1sk: "2026-01-01T00:00:00.000Z#demo-zilliz",
    pk: "TARGET#demo-zilliz",
    sk: "TARGET",
  },
  { gsi1pk: "POLICIES", gsi1sk: "2026-01-01T00:00:00.000Z#p", pk: "POLICY#p", sk: "POLICY" },
  { gsi3pk: "BACKUPS", gsi3sk: "2026-01-01T00:00:00.000Z#bk_x", pk: "BACKUP#bk_x", sk: "BACKUP" },
  {
    gsi1pk: "TARGET#demo-zilliz",
    gsi1sk: "2026-01-01T00:00:00.000Z#bk_x",
    pk: "BACKUP#bk_x",
    sk: "BACKUP",
  },
  {
    gsi2pk: "STATUS#AVAILABLE",
    gsi2sk: "2026-01-01T00:00:00.000Z#bk_x",
    pk: "BACKUP#bk_x",
    sk: "BACKUP",
  },
];
const KEY_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"];
const keyValue = fc.oneof(
  fc.constantFrom("", "2020", "9999", "TARGETS", "BACKUPS", "TARGET#demo-pinecone"),
  fc.string(),
  fc.string({ minLength: 1025, maxLength: 1100 }),
  fc.integer(),
  fc.constant(null),
);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v) ?? "").toString("base64url");
const forgedCursor = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...REAL_KEYS),
      fc.subarray(KEY_ATTRIBUTES, { maxLength: 2 }),
      fc.dictionary(fc.constantFrom(...KEY_ATTRIBUTES, ...PROTOTYPE_KEYS, "zz"), keyValue, {
        maxKeys: 2,
      }),
    )
    .map(([real, dropped, changed]) => {
      const key: Record<string, unknown> = { ...real };
      for (const attribute of dropped) delete key[attribute];
      return b64({ ...key, ...changed });
    }),
  fc.constantFrom(...REAL_KEYS).map(b64),
  fc.jsonValue().map(b64),
  fc.string(),
);

/** The listings, with the filters that narrow their partition or range. */
const listing = fc.oneof(
  fc.constant("/v1/targets"),
  fc.constant("/v1/policies"),
  fc
    .record(
      {
        targetId: fc.constantFrom("demo-zilliz", "demo-pinecone"),
        status: fc.constantFrom("AVAILABLE", "FAILED"),
        createdAfter: fc.constantFrom("2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
        createdBefore: fc.constantFrom("2020-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
      },
      { requiredKeys: [] },
    )
    .map((q) => `/v1/backups?${new URLSearchParams(q)}`),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc
    .record(
      {
        id: fc.oneof(fc.string(), fc.constantFrom(...IDS)),
        name: fc.string(),
        provider: fc.constantFrom("zilliz", "pinecone", "huawei-dcs", "huawei-taurusdb", "mongo"),
        secretRef: fc.string(),
        resource: fc.dictionary(fc.string(), fc.jsonValue()),
        schedule: fc.record({ expression: fc.string(), timeZone: fc.string() }),
        retention: fc.dictionary(
          fc.constantFrom("last", "daily", "keepDays", "within", "tags"),
          fc.jsonValue(),
        ),
        reason: fc.string(),
        expiresAt: fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

const headers = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/json; charset=utf-8",
      "application/x-www-form-urlencoded",
      "",
    ),
    "idempotency-key": fc.string({ maxLength: 200 }),
    "if-match": fc.oneof(fc.string(), fc.nat().map(String)),
  },
  { requiredKeys: [] },
);

const query = fc.dictionary(
  fc.constantFrom(
    "limit",
    "cursor",
    "status",
    "targetId",
    "policyId",
    "createdAfter",
    "createdBefore",
    "backups",
    "junk",
  ),
  fc.string(),
);

describe("fuzzing the HTTP API", () => {
  const stack = useLocalStack();

  it("never answers 5xx, and every error is problem+json", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        path,
        query,
        headers,
        body,
        async (method, p, q, h, b) => {
          const search = new URLSearchParams(q).toString();
          const r = await stack
            .request(method, `${p}${search ? `?${search}` : ""}`, {
              headers: Object.fromEntries(
                Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)),
              ),
              ...(b === undefined || method === "GET" ? {} : { body: b }),
            })
            .catch((error: unknown) => ({
              status: 0,
              headers: new Headers(),
              text: String(error),
              json: undefined,
            }));
          expect(r.status, `${method} ${p} answered ${r.status}: ${r.text}`).toBeGreaterThanOrEqual(
            200,
          );
          expect(r.status, `${method} ${p} answered ${r.status}: ${r.text}`).toBeLessThan(500);
          if (r.status >= 400) {
            expect(r.headers.get("content-type")).toBe("application/problem+json");
            expect(r.json).toMatchObject({
              type: expect.any(String),
              title: expect.any(String),
              status: r.status,
              detail: expect.any(String),
            });
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);

  /** Answers 4xx problem+json, or success. */
  function expectNoServerError(
    r: { status: number; text: string; headers: Headers; json: any },
    what: string,
  ) {
    expect(r.status, `${what} answered ${r.status}: ${r.text}`).toBeLessThan(500);
    if (r.status >= 400) expect(r.headers.get("content-type")).toBe("application/problem+json");
  }

  it("takes no forged cursor for a real one: a 400, never a 500 from the database", async () => {
    await fc.assert(
      fc.asyncProperty(listing, forgedCursor, async (path, cursor) => {
        const url = `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`;
        expectNoServerError(await stack.request("GET", url), `GET ${url}`);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("stores no tag key an object answers to, and never fails on one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
        tags,
        tags,
        async (id, targetTags, selectorTags) => {
          const target = await stack.request("POST", "/v1/targets", {
            body: `{"id":"t-${id}","name":"n","provider":"zilliz","secretRef":"sandbox/zilliz","resource":{"clusterId":"in01-5e1d0a9c3b7f226"},"tags":${targetTags}}`,
          });
          expectNoServerError(target, `POST /v1/targets with tags ${targetTags}`);
          const policy = await stack.request("POST", "/v1/policies", {
            body: `{"id":"p-${id}","name":"n","selector":{"tags":${selectorTags}},"schedule":{"expression":"rate(1 day)"},"retention":{"last":2}}`,
          });
          expectNoServerError(policy, `POST /v1/policies selecting ${selectorTags}`);
        },
      ),
      { numRuns: 80 },
    );
  }, 120_000);

  it("answers 401 without credentials on every route but health", async () => {
    for (const route of routes) {
      const p = route.path.replace(/\{[A-Za-z]+\}/g, "demo-zilliz");
      const r = await stack.request(route.method, p, { auth: false });
      expect(r.status, `${route.method} ${route.path}`).toBe(route.auth ? 401 : 200);
    }
  });
});
