import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ZILLIZ_CLUSTER } from "../../sandbox/zilliz.ts";
import { iso, startHarness, T0, type ZillizHarness } from "./zilliz-helpers.ts";

const SECOND_CLUSTER = "in01-0c4e8a2b6d9f135";
let harness: ZillizHarness;

afterEach(async () => {
  await harness.sim.close();
});

describe("Zilliz simulator: backup lifecycle", () => {
  it("runs a cluster backup from PENDING through IN_PROGRESS to SUCCESSFUL and AVAILABLE", async () => {
    harness = await startHarness({ jobDurationMs: 20_000 });
    const { cluster, call } = harness;

    const created = await harness.create();
    expect(created.status).toBe(200);
    expect(created.json.code).toBe(0);
    const { backupId, backupName, jobId } = created.json.data;
    expect(backupId).toMatch(/^backup\d+_[0-9a-f]{15}$/);
    expect(jobId).toMatch(/^job-[0-9a-z]{22}$/);
    expect(backupName).toBe("Dedicated-01_backup1");

    const pending = await call("GET", `/v2/jobs/${jobId}`);
    expect(pending.json).toEqual({
      code: 0,
      data: {
        jobId,
        type: "BACKUP",
        status: "PENDING",
        progress: "0",
        startTime: iso(T0),
        endTime: "",
        reason: "",
      },
    });
    const creating = await call("GET", `/v2/clusters/${cluster}/backups/${backupId}`);
    expect(creating.json.data.status).toBe("CREATING");
    expect(creating.json.data.size).toBe(0);

    harness.advance(11_000); // pending for 2 s, then 9 of 18 s in progress
    const running = await call("GET", `/v2/jobs/${jobId}`);
    expect(running.json.data).toMatchObject({ status: "IN_PROGRESS", progress: "50", endTime: "" });

    harness.advance(9_000);
    const done = await call("GET", `/v2/jobs/${jobId}`);
    expect(done.json.data).toMatchObject({
      status: "SUCCESSFUL",
      progress: "100",
      endTime: iso(T0 + 20_000),
    });
    const available = await call("GET", `/v2/clusters/${cluster}/backups/${backupId}`);
    expect(available.json.code).toBe(0);
    expect(available.json.data).toMatchObject({
      clusterId: cluster,
      clusterName: "Dedicated-01",
      projectId: harness.sim.projectId,
      backupId,
      backupName,
      backupType: "CLUSTER",
      creationMethod: "MANUAL",
      status: "AVAILABLE",
      regionId: "aws-us-west-2",
      createTime: iso(T0),
      collections: [
        { collectionName: "medium_articles", description: "", status: "LOADED" },
        { collectionName: "product_images", description: "", status: "LOADED" },
      ],
    });
    expect(available.json.data.size).toBeGreaterThan(1_000_000);
  });

  it("backs up only the requested collections of a COLLECTION backup", async () => {
    harness = await startHarness();

    const created = await harness.create({
      backupType: "COLLECTION",
      dbCollections: [{ collectionNames: ["product_images"] }],
    });
    const described = await harness.call(
      "GET",
      `/v2/clusters/${harness.cluster}/backups/${created.json.data.backupId}`,
    );

    expect(created.json.data.backupName).toBe("product_images_backup1");
    expect(described.json.data.backupType).toBe("COLLECTION");
    expect(
      described.json.data.collections.map((c: { collectionName: string }) => c.collectionName),
    ).toEqual(["product_images"]);
  });

  it("refuses a second manual backup on a cluster while the first job runs, with 96038", async () => {
    harness = await startHarness({
      jobDurationMs: 10_000,
      clusters: [DEFAULT_ZILLIZ_CLUSTER, SECOND_CLUSTER],
    });
    await harness.create();

    harness.advance(9_999);
    const refused = await harness.create();
    const otherCluster = await harness.create(undefined, SECOND_CLUSTER);
    harness.advance(1);
    const accepted = await harness.create();

    expect(refused.status).toBe(200);
    expect(refused.json.code).toBe(96038);
    expect(refused.json.message).toMatch(/^failed to create backup: .*already in progress/);
    expect(refused.json.data).toBeUndefined();
    expect(otherCluster.json.code).toBe(0);
    expect(accepted.json.code).toBe(0);
    expect(accepted.json.data.backupName).toBe("Dedicated-01_backup2");
  });

  it("answers 401 with code 21119 to a missing or wrong bearer token", async () => {
    harness = await startHarness({ apiKey: "right-key" });

    const missing = await harness.call("GET", "/v2/backups", { token: null });
    const wrong = await harness.call("GET", "/v2/backups", { token: "wrong-key" });
    const right = await harness.call("GET", "/v2/backups", { token: "right-key" });

    for (const reply of [missing, wrong]) {
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ code: 21119, message: "The apikey is illegal." });
    }
    expect(right.json.code).toBe(0);
  });

  it("validates create requests with the documented codes and creates nothing", async () => {
    harness = await startHarness({ serverlessClusters: ["in03-5d1e2f3a4b6c789"] });
    const { create } = harness;

    const cases = [
      [await create({ backupType: "FULL" }), 96029, /backupType/],
      [await create({}), 96029, /backupType/],
      [await create({ backupType: "COLLECTION" }), 96038, /dbCollections is required/],
      [
        await create({ backupType: "COLLECTION", dbCollections: [{ collectionNames: ["nope"] }] }),
        96038,
        /collection nope not found/,
      ],
      [await create(undefined, "in01-fffffffffffffff"), 96018, /not found/],
      [await create(undefined, "in03-5d1e2f3a4b6c789"), 96022, /Serverless/],
    ] as const;
    const listed = await harness.call("GET", "/v2/backups");

    for (const [reply, code, message] of cases) {
      expect(reply.status).toBe(200);
      expect(reply.json.code).toBe(code);
      expect(reply.json.message).toMatch(message);
    }
    expect(listed.json.data.count).toBe(0);
  });
});

describe("Zilliz simulator: listing", () => {
  it("pages through more than 100 backups newest first", async () => {
    harness = await startHarness({ jobDurationMs: 1_000 });
    for (let index = 0; index < 101; index += 1) {
      expect((await harness.create()).json.code).toBe(0);
      harness.advance(1_000);
    }

    const first = await harness.call("GET", "/v2/backups?pageSize=100&currentPage=1");
    const second = await harness.call("GET", "/v2/backups?pageSize=100&currentPage=2");
    const third = await harness.call("GET", "/v2/backups?pageSize=100&currentPage=3");
    const byDefault = await harness.call("GET", `/v2/backups?clusterId=${harness.cluster}`);

    expect(first.json.data).toMatchObject({ count: 101, currentPage: 1, pageSize: 100 });
    expect(first.json.data.backups).toHaveLength(100);
    expect(first.json.data.backups[0].backupName).toBe("Dedicated-01_backup101");
    expect(first.json.data.backups[0]).not.toHaveProperty("collections");
    expect(second.json.data.backups.map((b: { backupName: string }) => b.backupName)).toEqual([
      "Dedicated-01_backup1",
    ]);
    expect(third.json.data).toMatchObject({ count: 101, backups: [] });
    expect(byDefault.json.data).toMatchObject({ count: 101, pageSize: 10 });
    expect(byDefault.json.data.backups).toHaveLength(10);
  });

  it("rejects bad paging with 96008 and 96009 and filters by type and time", async () => {
    harness = await startHarness({ jobDurationMs: 1_000 });
    await harness.create();
    harness.advance(60_000);
    await harness.create({
      backupType: "COLLECTION",
      dbCollections: [{ collectionNames: ["medium_articles"] }],
    });
    const codeOf = async (query: string) =>
      (await harness.call("GET", `/v2/backups?${query}`)).json;

    expect((await codeOf("pageSize=0")).code).toBe(96008);
    expect((await codeOf("pageSize=101")).code).toBe(96008);
    expect((await codeOf("currentPage=0")).code).toBe(96009);
    expect((await codeOf("currentPage=two")).code).toBe(96009);
    expect((await codeOf("backupType=FULL")).code).toBe(96029);
    expect((await codeOf("creationMethod=SCHEDULED")).code).toBe(96030);
    expect((await codeOf("backupType=COLLECTION")).data.count).toBe(1);
    expect((await codeOf(`startTime=${iso(T0 + 30_000)}`)).data.backups[0].status).toBe("CREATING");
    expect((await codeOf("creationMethod=AUTO")).data.count).toBe(0);
    expect((await codeOf("clusterId=in01-0000000000000aa")).data.count).toBe(0);
  });
});

describe("Zilliz simulator: deletion, jobs and routes", () => {
  it("reports a deleted backup as DELETED for deleteDurationMs, then as not found", async () => {
    harness = await startHarness({ jobDurationMs: 1_000, deleteDurationMs: 5_000 });
    const { backupId, backupName } = (await harness.create()).json.data;
    harness.advance(1_000);
    const path = `/v2/clusters/${harness.cluster}/backups/${backupId}`;

    const deleted = await harness.call("DELETE", path);
    const during = await harness.call("GET", path);
    const listed = await harness.call("GET", "/v2/backups");
    const again = await harness.call("DELETE", path);
    harness.advance(5_000);
    const after = await harness.call("GET", path);

    expect(deleted.json).toEqual({ code: 0, data: { backupId, backupName } });
    expect(during.json.data.status).toBe("DELETED");
    expect(listed.json.data.count).toBe(0);
    for (const gone of [again, after]) {
      expect(gone.status).toBe(200);
      expect(gone.json.code).toBe(96019);
      expect(gone.json.message).toContain("not found");
    }
  });

  it("refuses to delete a CREATING backup and answers not found for unknown ones", async () => {
    harness = await startHarness();
    const { backupId } = (await harness.create()).json.data;

    const creating = await harness.call(
      "DELETE",
      `/v2/clusters/${harness.cluster}/backups/${backupId}`,
    );
    const unknown = await harness.call(
      "DELETE",
      `/v2/clusters/${harness.cluster}/backups/backup3_0123456789abcde`,
    );
    const stillThere = await harness.call(
      "GET",
      `/v2/clusters/${harness.cluster}/backups/${backupId}`,
    );

    expect(creating.json.code).toBe(96041);
    expect(creating.json.message).toMatch(/still being created/);
    expect(unknown.json.code).toBe(96019);
    expect(stillThere.json.data.status).toBe("CREATING");
  });

  it("answers 96026 for an unknown job", async () => {
    harness = await startHarness();

    const reply = await harness.call("GET", "/v2/jobs/job-0000000000000000000000");

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      code: 96026,
      message: "Job job-0000000000000000000000 not found.",
    });
  });

  it("answers unknown routes and methods with HTTP 404 and an envelope, even without a token", async () => {
    harness = await startHarness();

    const unknown = await harness.call("GET", "/v2/projects", { token: null });
    const wrongMethod = await harness.call("PUT", "/v2/backups");

    for (const reply of [unknown, wrongMethod]) {
      expect(reply.status).toBe(404);
      expect(reply.json.code).toBe(404);
      expect(reply.json.message).toMatch(/^no route for /);
    }
    expect(harness.sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /v2/projects 404",
      "PUT /v2/backups 404",
    ]);
  });
});
