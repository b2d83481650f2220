import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Policy } from "../../lib/core/policy.ts";
import { Target } from "../../lib/core/target.ts";
import type { TableClient } from "../../lib/store/client.ts";
import { Keys } from "../../lib/store/keys.ts";
import { TargetRepository } from "../../lib/store/targets.ts";
import { targetsOf } from "../../lib/usecases/policy-targets.ts";
import { ENGINES, type TestTable } from "../support/dynamo-engines.ts";

/*
 * Selectors that scale (issue "5 of 7", item 3): a policy selecting targets by tags
 * Queries a tag index for them instead of paging through every target, and the index can
 * never make a policy miss a target or take one it should not — whatever crashed when.
 */

const AT = "2026-11-01T00:00:00.000Z";
const target = (id: string, tags: Record<string, string>, version = 0) =>
  Target.parse({
    id,
    name: id,
    provider: "zilliz",
    secretRef: "zilliz-main",
    resource: { clusterId: `in01-${id}` },
    tags,
    createdAt: AT,
    updatedAt: AT,
    version,
  });
const selecting = (selector: Record<string, string>) =>
  Policy.parse({
    id: "p",
    name: "p",
    schedule: { expression: "rate(1 day)" },
    targets: { selector },
    retention: { last: 1 },
    createdAt: AT,
    updatedAt: AT,
    version: 0,
  });

describe.each(ENGINES)("the tag index on $engine", ({ start }) => {
  let t: TestTable;
  let targets: TargetRepository;
  const queries: QueryCommandInput[] = [];

  beforeAll(async () => {
    t = await start();
    // Every Query the repository sends, to tell an index Query from a page through all.
    const db: TableClient = {
      ...t.db,
      get: (input) => t.db.get(input),
      put: (input) => t.db.put(input),
      update: (input) => t.db.update(input),
      delete: (input) => t.db.delete(input),
      query: (input) => {
        queries.push(input);
        return t.db.query(input);
      },
    };
    targets = new TargetRepository({ db, table: t.table });
    // 200 targets, two of them on team a, and one written before the index existed.
    for (let i = 0; i < 200; i++)
      await targets.create(
        target(`t${i}`, { team: i === 7 || i === 150 ? "a" : "b", env: "prod" }),
      );
    await t.db.put({
      TableName: t.table,
      Item: {
        ...Keys.target("legacy"),
        ...Keys.targetIndex(AT, "legacy"),
        entity: "target",
        ...target("legacy", { team: "a", env: "prod" }),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const ids = async (selector: Record<string, string>) =>
    (await targetsOf(selecting(selector), targets)).map((x) => x.id).sort();
  const pagedThroughAll = () =>
    queries.some((q) => q.ExpressionAttributeValues?.[":h"] === "TARGETS");

  it("pages through every target until the index is known complete, and misses none", async () => {
    queries.length = 0;
    expect(await ids({ team: "a" })).toEqual(["legacy", "t150", "t7"]);
    expect(pagedThroughAll()).toBe(true);
  });

  it("indexes what was written before it, then Queries the index alone", async () => {
    expect(await targets.indexUnindexed()).toBe(1);
    expect(await targets.indexUnindexed()).toBe(0);
    queries.length = 0;

    expect(await ids({ team: "a" })).toEqual(["legacy", "t150", "t7"]);
    expect(await ids({ team: "a", env: "prod" })).toEqual(["legacy", "t150", "t7"]);
    expect(pagedThroughAll()).toBe(false);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[":tag"])).toEqual([
      "TAG#team=a",
      "TAG#team=a",
    ]);
  });

  it("follows a target's tags as they change, and forgets a deleted one", async () => {
    await targets.replace(target("t7", { team: "c", env: "prod" }, 1), 0);
    await targets.delete("t150");

    expect(await ids({ team: "a" })).toEqual(["legacy"]);
    expect(await ids({ team: "c" })).toEqual(["t7"]);
    const gone = await t.db.get({ TableName: t.table, Key: Keys.targetTag("t7", "team", "a") });
    expect(gone.Item).toBeUndefined();
  });

  it("selects nothing through a stale entry a crash left behind", async () => {
    // As if a write died between indexing a new tag and storing the target with it.
    await t.db.put({
      TableName: t.table,
      Item: {
        ...Keys.targetTag("t8", "team", "a"),
        gsi1pk: Keys.tagPartition("team", "a"),
        gsi1sk: `${AT}#t8`,
        entity: "target-tag",
        targetId: "t8",
      },
    });
    await t.db.put({
      TableName: t.table,
      Item: {
        ...Keys.targetTag("ghost", "team", "a"),
        gsi1pk: Keys.tagPartition("team", "a"),
        gsi1sk: `${AT}#ghost`,
        entity: "target-tag",
        targetId: "ghost",
      },
    });

    expect(await ids({ team: "a" })).toEqual(["legacy"]);
  });

  it("leaves the target listing as it was: targets only, newest first", async () => {
    const page = await targets.list({ limit: 500 });
    expect(page.items).toHaveLength(200);
    expect(page.items.every((x) => x.provider === "zilliz")).toBe(true);
  });
});
