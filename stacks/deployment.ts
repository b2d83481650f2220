import type { Deployment } from "../functions/capabilities.ts";
import { physicalName, regionalArn } from "./account.ts";
import { bus } from "./bus.ts";
import { launchQueue } from "./queues.ts";
import { PROVIDER_SECRET_PREFIX, secretArns, WEBHOOK_SECRET_PREFIX } from "./secrets.ts";
import { table } from "./storage.ts";
import { stateMachineArn } from "./workflow-arns.ts";

/**
 * The validate-target function's fixed name: the API needs its ARN for its role, and a
 * fixed name lets the role be written before the function exists.
 */
export const VALIDATE_TARGET_FUNCTION = physicalName("validate-target");
/** The reconcile function's fixed name, for the same reason (the API invokes it). */
export const RECONCILE_FUNCTION = physicalName("reconcile");
/** The preview-restore function's fixed name, likewise. */
export const PREVIEW_RESTORE_FUNCTION = physicalName("preview-restore");

/**
 * Where this stage's resources are, for functions/capabilities.ts: every function's IAM
 * statements and environment are derived from its declaration and this.
 */
export const deployment: Deployment<$util.Input<string>> = {
  table: { name: table.name, arn: table.arn, indexesArn: $interpolate`${table.arn}/index/*` },
  bus: { name: bus.name, arn: bus.arn },
  workflows: {
    "create-backup": stateMachineArn("create-backup"),
    "delete-backup": stateMachineArn("delete-backup"),
    "restore-backup": stateMachineArn("restore-backup"),
  },
  secrets: {
    providers: { prefix: PROVIDER_SECRET_PREFIX, arns: secretArns(PROVIDER_SECRET_PREFIX) },
    webhooks: { prefix: WEBHOOK_SECRET_PREFIX, arns: secretArns(WEBHOOK_SECRET_PREFIX) },
  },
  validateTarget: {
    name: VALIDATE_TARGET_FUNCTION,
    arn: regionalArn("lambda", `function:${VALIDATE_TARGET_FUNCTION}`),
  },
  reconcile: {
    name: RECONCILE_FUNCTION,
    arn: regionalArn("lambda", `function:${RECONCILE_FUNCTION}`),
  },
  previewRestore: {
    name: PREVIEW_RESTORE_FUNCTION,
    arn: regionalArn("lambda", `function:${PREVIEW_RESTORE_FUNCTION}`),
  },
  launchQueue: { url: launchQueue.url, arn: launchQueue.arn },
};
