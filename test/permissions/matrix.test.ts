/**
 * The permission-matrix check (test/permissions/matrix.ts) must fail for what it is there
 * to catch. The suite-wide check itself runs after the whole suite (`npm test`); here it
 * is run on calls recorded by this file alone, against the synthesized ci stage.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalFunctions } from "../../functions/local-runtime.ts";
import { contextOf } from "../../functions/root.ts";
import { createApiDispatcher } from "../../lib/api/index.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { nextRun } from "../../lib/schedule/index.ts";
import { BackupService } from "../../lib/usecases/backups.ts";
import { ComplianceService } from "../../lib/usecases/compliance.ts";
import { PolicyService } from "../../lib/usecases/policies.ts";
import { RestoreService } from "../../lib/usecases/restores.ts";
import { RetentionService } from "../../lib/usecases/retention.ts";
import { VendorTargetValidator } from "../../lib/usecases/target-validation.ts";
import { TargetService } from "../../lib/usecases/targets.ts";
import { UsageService } from "../../lib/usecases/usage.ts";
import type { RecordedCall } from "../../local/aws/recorder.ts";
import { startZillizSimulator, type ZillizSimulator } from "../../sandbox/zilliz.ts";
import type { SynthResult } from "../infra/synth.ts";
import { dynaliteTable, type TestTable } from "../support/dynamo-engines.ts";
import { checkPermissions, synthesize } from "./matrix.ts";

let ci: SynthResult;
let table: TestTable;
let sim: ZillizSimulator;

beforeAll(async () => {
  [ci, table, sim] = await Promise.all([
    synthesize("ci"),
    dynaliteTable(),
    startZillizSimulator({ clusters: ["in01-7b3f9c2e5a1d804"] }),
  ]);
}, 120_000);

afterAll(async () => {
  await sim.close();
  await table.close();
});

const target = () => ({
  id: "orders",
  name: "orders",
  provider: "zilliz",
  secretRef: "sandbox/zilliz",
  resource: { clusterId: sim.clusters[0], baseUrl: sim.url },
});

/** Runs `body` with every function local, recording their AWS calls here only. */
async function recording(
  body: () => Promise<void>,
): Promise<{ calls: RecordedCall[]; denied: string[] }> {
  const calls: RecordedCall[] = [];
  const functions = await startLocalFunctions({
    dynamodbEndpoint: table.endpoint,
    table: table.table,
    providerSecrets: new StaticSecretSource({
      "sandbox/zilliz": { vendor: "zilliz", apiKey: sim.apiKey },
    }),
    webhookSecrets: new StaticSecretSource(),
    env: { WARDEN_ALLOW_LOOPBACK_PROVIDERS: "1" },
    onCall: (call) => calls.push(call),
  });
  try {
    await body();
  } finally {
    await functions.close();
  }
  return { calls, denied: functions.aws.denials.map((d) => `${d.identity} ${d.call.action}`) };
}

describe("the permission matrix", () => {
  it("fails on the registration path as it was: the API validating with vendor credentials", async () => {
    let status = 0;
    const { calls, denied } = await recording(async () => {
      // The API before validate-target existed: it checked the vendor itself.
      const c = contextOf("api");
      const retention = new RetentionService({
        ...c.store,
        workflows: c.workflows,
        clock: c.clock,
      });
      const api = createApiDispatcher({
        targets: new TargetService({
          ...c.store,
          clock: c.clock,
          allowLoopback: true,
          validator: new VendorTargetValidator(c.providers),
          expire: (id, reason) => retention.expire(id, reason),
        }),
        backups: new BackupService({ ...c.store, workflows: c.workflows, clock: c.clock }),
        policies: new PolicyService({ ...c.store, clock: c.clock, nextRun }),
        restores: new RestoreService({
          ...c.store,
          workflows: c.workflows,
          previewer: c.restorePreviewer,
          clock: c.clock,
        }),
        retention,
        reconciliations: c.reconciliations,
        compliance: new ComplianceService({ ...c.store, clock: c.clock }),
        usage: new UsageService({ ...c.store, clock: c.clock }),
        version: "test",
      });
      const response = await api({
        method: "POST",
        path: "/v1/targets",
        query: {},
        headers: { "content-type": "application/json" },
        body: JSON.stringify(target()),
      });
      status = response.status;
    });

    // Locally, as on AWS, the read is refused and registration fails with a 500.
    expect(status).toBe(500);
    expect(denied).toEqual(["api secretsmanager:GetSecretValue"]);
    expect(checkPermissions(calls, ci)).toContain(
      "api calls secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:backup-warden/ci/providers/sandbox/zilliz, which its role does not allow (declare it in functions/manifest.ts)",
    );
  });

  it("passes the registration path as it is: validate-target reads the credentials", async () => {
    const { calls, denied } = await recording(async () => {
      const { handler } = await import("../../functions/handlers/api.ts");
      const { apiEvent } = await import("../../local/events.ts");
      const response = (await handler(
        apiEvent({ method: "POST", path: "/v1/targets", body: target() }),
        {} as never,
      )) as { statusCode: number };
      expect(response.statusCode).toBe(201);
    });
    expect(denied).toEqual([]);
    const registration = calls.map((c) => `${c.function} ${c.action}`);
    expect(registration).toContain("api lambda:InvokeFunction");
    expect(registration).toContain("validate-target secretsmanager:GetSecretValue");
    expect(
      checkPermissions(calls, ci).filter((e) => e.includes("which its role does not allow")),
    ).toEqual([]);
  });

  it("fails on an allowed action the suite never saw a function call", () => {
    const errors = checkPermissions(
      [{ function: "record-delete-failure", action: "dynamodb:GetItem", resources: ["{table}"] }],
      ci,
    );
    expect(errors).toContain(
      "record-delete-failure is allowed dynamodb:UpdateItem, which it never calls anywhere in the test suite",
    );
  });

  it("refuses to judge when nothing was recorded", () => {
    expect(checkPermissions([], ci)).toEqual([
      "no AWS call was recorded: is the call recorder installed?",
    ]);
  });
});
