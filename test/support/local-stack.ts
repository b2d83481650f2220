import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalRuntime, startLocal } from "../../functions/local.ts";
import { assertNoSecrets } from "../setup/secrets-guard.ts";
import { awsCallLog } from "./aws-calls.ts";

/** A started local runtime, its data folder, and `request` for calling its API. */
export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

/** The local runtime in-process, on ephemeral ports and a throwaway data folder. */
export async function startLocalStack(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "warden-"));
  const runtime: LocalRuntime = await startLocal({
    WARDEN_DATA_DIR: dataDir,
    WARDEN_PORT: "0",
    WARDEN_SANDBOX_JOB_SECONDS: "1",
    WARDEN_POLL_SECONDS: "0.05",
    WARDEN_QUIET: "1",
    WARDEN_DEMO_POLICY: "0",
    WARDEN_AWS_CALL_LOG: awsCallLog(),
    ...env,
  });
  const request = async (
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string>; auth?: boolean } = {},
  ) => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        ...(init.auth === false ? {} : { authorization: `Bearer ${runtime.token}` }),
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body,
    });
    const text = await response.text();
    assertNoSecrets(text, `the response to ${method} ${path}`);
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: text ? JSON.parse(text) : undefined,
    };
  };
  return {
    runtime,
    dataDir,
    request,
    close: async () => {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
