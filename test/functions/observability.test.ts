import { afterEach, describe, expect, it, vi } from "vitest";
import { appendLogKeys, errorFields, log, withLogKeys } from "../../functions/log.ts";
import { powertoolsMetrics } from "../../functions/metrics.ts";
import { ProviderError } from "../../lib/core/provider-error.ts";
import { METRICS_NAMESPACE, SERVICE_NAME } from "../../lib/notify/metrics.ts";

/** The JSON lines written to stdout and stderr while `body` runs. */
async function linesOf(body: () => unknown): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
  }
  await body();
  vi.restoreAllMocks();
  return written
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("log lines", () => {
  it("carry the invocation's ids, including ids added on the way, and scopes do not mix", async () => {
    const lines = await linesOf(() =>
      Promise.all([
        withLogKeys({ function: "poll-backup", requestId: "r-1", backupId: "bk_1" }, async () => {
          await new Promise((r) => setTimeout(r, 5));
          appendLogKeys({ targetId: "orders", vendor: "zilliz" });
          log("error", "poll-backup failed", { errorName: "ProviderThrottled" });
        }),
        withLogKeys({ function: "api", requestId: "r-2" }, async () => {
          log("error", "request failed");
        }),
      ]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: "ERROR",
          message: "poll-backup failed",
          service: SERVICE_NAME,
          function: "poll-backup",
          requestId: "r-1",
          backupId: "bk_1",
          targetId: "orders",
          vendor: "zilliz",
        }),
        expect.objectContaining({ message: "request failed", function: "api", requestId: "r-2" }),
      ]),
    );
    expect(lines.find((l) => l.requestId === "r-2")).not.toHaveProperty("backupId");
  });

  it("describe a vendor failure by its status and code, never its body or stack", () => {
    const error = new ProviderError({
      cls: "THROTTLED",
      provider: "zilliz",
      httpStatus: 429,
      providerCode: 429,
      message: "zilliz answered HTTP 429 code 429",
      cause: new Error("raw body with a token=abc"),
    });
    const fields = errorFields(error);
    expect(fields).toEqual({
      errorName: "ProviderThrottled",
      errorMessage: "zilliz answered HTTP 429 code 429",
      errorCode: "PROVIDER_ERROR",
      vendor: "zilliz",
      vendorStatus: 429,
      vendorCode: "429",
      vendorErrorClass: "THROTTLED",
    });
    expect(JSON.stringify(fields)).not.toContain("token=abc");
  });
});

describe("metrics", () => {
  it("are EMF lines with the service total the alarms watch, and the split series", async () => {
    const metrics = powertoolsMetrics();
    const [line] = await linesOf(() =>
      metrics.count("SlackNotificationFailed", { type: "backup.failed" }),
    );
    expect(line).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [["service"], ["service", "type"]],
            Metrics: [{ Name: "SlackNotificationFailed", Unit: "Count" }],
          },
        ],
      },
      service: SERVICE_NAME,
      type: "backup.failed",
      SlackNotificationFailed: 1,
    });
  });
});
