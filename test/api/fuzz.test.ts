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

  it("answers 401 without credentials on every route but health", async () => {
    for (const route of routes) {
      const p = route.path.replace(/\{[A-Za-z]+\}/g, "demo-zilliz");
      const r = await stack.request(route.method, p, { auth: false });
      expect(r.status, `${route.method} ${route.path}`).toBe(route.auth ? 401 : 200);
    }
  });
});
