import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { apiEvent, scheduledEvent, sqsEvent } from "../../local/events.ts";
import { backupPastItsExpiry, useHarness } from "../support/use-harness.ts";

/*
 * Every kind of trigger, with the events AWS itself publishes as samples
 * (test/fixtures/aws-events/README.md says where each comes from): the envelope schemas
 * and the middleware of each handler run on them, in the functions as deployed.
 */

function sample<T = any>(name: string): T {
  return JSON.parse(
    readFileSync(resolve(import.meta.dirname, "../fixtures/aws-events", name), "utf8"),
  ) as T;
}

/** A sample HTTP API event, pointed at one of our routes. */
function request(name: string, method: string, path: string, body?: unknown) {
  const event = sample(name);
  event.routeKey = "$default";
  event.rawPath = path;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  if (body !== undefined) {
    event.body = JSON.stringify(body);
    event.headers["content-type"] = "application/json";
  }
  return event;
}

const h = useHarness({ slack: true }, (h) => h.zillizTarget("orders"));

/** What the API function answers an API Gateway event with. */
const api = async (event: unknown) =>
  (await h.invoke("api", event)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };

describe("API Gateway HTTP API events (payload 2.0)", () => {
  it("answers an IAM-authorized sample for a path we do not serve with a problem+json 404", async () => {
    const response = await api(sample("apigw-http-iam.json"));
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toBe("application/problem+json");
  });

  it("serves our routes from the IAM-authorized sample and records the caller it names", async () => {
    const backup = await api(request("apigw-http-iam.json", "POST", "/v1/targets/orders/backups"));
    expect(backup.statusCode).toBe(202);
    const { id } = JSON.parse(backup.body);
    await h.starter.idle();

    const held = await api(
      request("apigw-http-iam.json", "PUT", `/v1/backups/${id}/hold`, { reason: "audit" }),
    );

    expect(held.statusCode).toBe(200);
    expect(JSON.parse(held.body).hold.by).toBe(
      "arn:aws:sts::123456789012:assumed-role/Admin/aamorosi",
    );
  });

  it("serves health from the sample without an authorizer", async () => {
    const response = await api(request("apigw-http-no-auth.json", "GET", "/v1/health"));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: "ok" });
  });

  it("builds local events in the shape of the samples", () => {
    const local = apiEvent({ method: "GET", path: "/v1/health?x=1", headers: { a: "b" } });
    const aws = sample("apigw-http-iam.json");
    for (const key of Object.keys(aws).filter((k) => k !== "body"))
      expect(local).toHaveProperty(key);
    for (const key of Object.keys(aws.requestContext).filter((k) => k !== "authorizer"))
      expect(local.requestContext).toHaveProperty(key);
    expect(Object.keys(local.requestContext.http).sort()).toEqual(
      Object.keys(aws.requestContext.http).sort(),
    );
  });
});

describe("EventBridge scheduled events", () => {
  it("run the dispatcher, the sweeper and the digest from the sample", async () => {
    const tick = sample("eventbridge-scheduled.json");
    await expect(h.invoke("dispatch", tick)).resolves.toEqual({
      policies: 0,
      enqueued: 0,
      deferred: 0,
      outOfTime: false,
      failed: [],
    });
    await expect(h.invoke("sweep", tick)).resolves.toMatchObject({ errors: 0 });
    // The digest covers the 24 hours before the sample's `time`, 2016-12-30T18:44:49Z.
    await expect(h.invoke("slack-digest", tick)).resolves.toEqual({ outcomes: ["sent"] });
    expect(h.sink!.messages.at(-1)?.summary).toContain("Backup digest 2016-12-29");
  });

  it("are built locally in the shape of the sample", () => {
    const aws = sample("eventbridge-scheduled.json");
    const local = scheduledEvent("DispatchTick");
    expect(Object.keys(local).sort()).toEqual(Object.keys(aws).sort());
    expect(local["detail-type"]).toBe(aws["detail-type"]);
    expect(local.source).toBe(aws.source);
  });

  it("are refused when they are not EventBridge-shaped", async () => {
    await expect(h.invoke("dispatch", {})).rejects.toThrow("invalid scheduled event for dispatch");
  });
});

describe("SQS events (the launch queue)", () => {
  it("reports each message of the sample that is not a launch message, so only it comes back", async () => {
    const event = sample("sqs-batch.json");
    // The sample's second message becomes a launch of a run the table does not hold.
    event.Records[1].body = JSON.stringify({
      policyId: "nobody",
      targetId: "orders",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      backupId: "bk_01hybench00000000000000000",
    });
    await expect(h.invoke("launch-run", event)).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }],
    });
    expect(await h.container.backups.find("bk_01hybench00000000000000000")).toBeUndefined();
  });

  it("builds local events in the shape of the sample", () => {
    const aws = sample("sqs-batch.json").Records[0];
    const [local] = sqsEvent("arn:aws:sqs:local:000000000000:q", [
      { messageId: "m", body: "{}", receiveCount: 1, sentAt: 0 },
    ]).Records;
    expect(Object.keys(local!).sort()).toEqual(Object.keys(aws).sort());
    expect(Object.keys(local!.attributes).sort()).toEqual(Object.keys(aws.attributes).sort());
  });

  it("refuses an event that is not SQS-shaped", async () => {
    await expect(h.invoke("launch-run", { Records: [{}] })).rejects.toThrow(
      "invalid SQS event for launch-run",
    );
  });
});

describe("EventBridge custom events (our bus)", () => {
  it("reach Slack from the sample of a backup.failed event", async () => {
    const before = h.sink!.messages.length;
    await expect(h.invoke("notify-slack", sample("eventbridge-custom.json"))).resolves.toEqual({
      outcome: "sent",
    });
    expect(h.sink!.messages.slice(before).map((m) => m.summary)).toEqual([
      expect.stringContaining("insufficient storage quota for backup"),
    ]);
  });
});

describe("DynamoDB Streams TTL removals", () => {
  it("expire the backup of the marker TTL removed", async () => {
    const expired = await backupPastItsExpiry(h, "orders");
    const event = sample("dynamodb-ttl-remove.json");
    const record = event.Records[0];
    for (const image of [record.dynamodb.Keys, record.dynamodb.OldImage])
      image.pk.S = `EXPIRY#${expired}`;
    record.dynamodb.OldImage.backupId.S = expired;

    await expect(h.invoke("expiry-stream", event)).resolves.toEqual({ batchItemFailures: [] });
    await h.starter.idle();

    expect((await h.container.backups.get(expired)).status).toBe("DELETED");
  });

  it("ignore the same record when a user, not TTL, removed the marker", async () => {
    const event = sample("dynamodb-ttl-remove.json");
    delete event.Records[0].userIdentity;
    await expect(h.invoke("expiry-stream", event)).resolves.toEqual({ batchItemFailures: [] });
  });
});
