import { afterEach, describe, expect, it } from "vitest";
import { FaultQueue } from "../../sandbox/fault-queue.ts";
import { matchesPathPattern, pathPatternProblem } from "../../sandbox/path-pattern.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { startHarness, type ZillizHarness } from "./zilliz-helpers.ts";

/*
 * Faults and chaos select requests by path. The path used to be a caller's regular
 * expression: `(a+)+$` against a long path froze the whole runtime for seconds per request.
 * Now it is a pattern our code matches segment by segment; nothing the caller sends is
 * ever compiled to a RegExp.
 */

describe("path patterns", () => {
  it("match exact paths, * for one segment and ** for any number", () => {
    expect(matchesPathPattern("/v2/backups", "/v2/backups")).toBe(true);
    expect(matchesPathPattern("/v2/backups", "/v2/backups/x")).toBe(false);
    expect(matchesPathPattern("/v2/jobs/*", "/v2/jobs/job-1")).toBe(true);
    expect(matchesPathPattern("/v2/jobs/*", "/v2/jobs/")).toBe(false);
    expect(matchesPathPattern("/v2/jobs/*", "/v2/jobs/a/b")).toBe(false);
    expect(matchesPathPattern("/v2/jobs/**", "/v2/jobs")).toBe(true);
    expect(matchesPathPattern("/v2/jobs/**", "/v2/jobs/a/b")).toBe(true);
    expect(matchesPathPattern("/v2/jobs/**", "/v2/jobsx")).toBe(false);
    expect(matchesPathPattern("/**/backups", "/indexes/i/backups")).toBe(true);
    expect(matchesPathPattern("/**/backups", "/v2/clusters/c/backups/create")).toBe(false);
    expect(matchesPathPattern("/v2/*/instances/*/backups", "/v2/p/instances/i/backups")).toBe(true);
    expect(matchesPathPattern("/a/**/b", "/a/b")).toBe(true);
    expect(matchesPathPattern("/a/**/b/c", "/a/c")).toBe(false);
  });

  it("take everything but * and ** literally", () => {
    expect(matchesPathPattern("/(a+)+$", "/(a+)+$")).toBe(true);
    expect(matchesPathPattern("/(a+)+$", "/aaaa")).toBe(false);
    expect(matchesPathPattern("/v2/job.", "/v2/jobs")).toBe(false);
  });

  it("refuse what is not a pattern: no leading /, * inside a segment, two **", () => {
    expect(pathPatternProblem("(a+)+$")).toMatch(/starts with "\/"/);
    expect(pathPatternProblem("^/v2/jobs/")).toMatch(/not a regular expression/);
    expect(pathPatternProblem("/v2/job*")).toMatch(/whole segments/);
    expect(pathPatternProblem("/**/a/**")).toMatch(/at most one/);
    expect(pathPatternProblem(`/${"a".repeat(2000)}`)).toMatch(/at most 1024/);
    expect(pathPatternProblem("/v2/jobs/**")).toBeUndefined();
    expect(() =>
      new FaultQueue().add({ kind: "delay", delayMs: 1, match: { path: "(a+)+$" } }),
    ).toThrow(RangeError);
  });
});

describe("a hostile path pattern over HTTP", () => {
  const harnesses: ZillizHarness[] = [];
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.sim.close()));
  });

  async function admin(h: ZillizHarness, method: string, path: string, body: unknown) {
    const response = await sandboxAdmin(h.sim, method, path, body);
    return { status: response.status, json: (await response.json()) as any };
  }

  it("is refused (400) as a fault or as chaos, and a literal one costs nothing", async () => {
    const h = await startHarness();
    harnesses.push(h);
    const regex = await admin(h, "POST", "/__sandbox/faults", {
      kind: "status",
      status: 503,
      match: { path: "(a+)+$" },
    });
    const chaos = await admin(h, "PUT", "/__sandbox/chaos", {
      seed: 1,
      rate: 1,
      kinds: ["status"],
      match: { path: "^(a|a)*$" },
    });
    expect(regex.status).toBe(400);
    expect(JSON.stringify(regex.json)).toContain("not a regular expression");
    expect(chaos.status).toBe(400);
    expect(h.sim.faults.size).toBe(0);

    // The same characters as a literal pattern: queued, and matched only by that very path.
    const literal = await admin(h, "POST", "/__sandbox/faults", {
      kind: "status",
      status: 503,
      match: { path: "/(a+)+$" },
    });
    expect(literal.status).toBe(201);
    const started = Date.now();
    const long = await h.call("GET", `/${"a".repeat(8_000)}!`);
    expect(long.status).toBe(404);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.sim.faults.size).toBe(1);
    expect((await h.call("GET", "/(a+)+$")).status).toBe(503);
  });
});
