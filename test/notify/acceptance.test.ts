import { afterEach, describe, expect, it } from "vitest";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import { InProcessEventBus } from "../../lib/notify/in-process-bus.ts";
import { CountingMetrics, MetricName } from "../../lib/notify/metrics.ts";
import { SlackNotifier } from "../../lib/notify/slack/notifier.ts";
import { SlackSender } from "../../lib/notify/slack/sender.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { type SlackSink, startSlackSink } from "../../sandbox/slack-sink.ts";
import { failedRecord, fakeTime } from "./fixtures.ts";

let sink: SlackSink | undefined;
afterEach(async () => {
  await sink?.close();
});

/** The local wiring: bus → notifier → sender → sink, as the local runtime builds it. */
async function localStack() {
  sink = await startSlackSink();
  const time = fakeTime();
  const metrics = new CountingMetrics();
  const notifier = new SlackNotifier({
    sender: new SlackSender({ clock: time, sleep: time.sleep }),
    secrets: new StaticSecretSource({
      "sandbox/slack": { url: sink.webhookUrl("sandbox/alerts") },
    }),
    defaultWebhookRef: "sandbox/slack",
    allowLoopbackWebhooks: true,
    metrics,
  });
  const bus = new InProcessEventBus({ metrics });
  bus.subscribe((event) => notifier.notify(event));
  return { sink, bus, metrics };
}

describe("acceptance: a failing backup", () => {
  it("produces exactly one failure message with the vendor's reason", async () => {
    const { sink, bus } = await localStack();
    const creating = failedRecord({ status: "CREATING", lastError: undefined, version: 2 });
    const failed = failedRecord({
      lastError: {
        code: "ProviderQuota",
        class: "QUOTA",
        message: "Zilliz 96017: backup storage quota exceeded for project",
        at: "2026-11-02T02:34:17.000Z",
      },
    });

    await bus.publish([eventFromBackup("backup.created", creating)]);
    await bus.publish([eventFromBackup("backup.failed", failed)]);
    await bus.publish([eventFromBackup("backup.failed", failed)]); // a retried task republishes
    await bus.idle();

    expect(sink.messages).toHaveLength(1);
    const payload = JSON.stringify(sink.messages[0]?.payload);
    expect(payload).toContain("Backup failed");
    expect(payload).toContain("Zilliz 96017: backup storage quota exceeded for project");
    expect(payload).toContain("class `QUOTA`");
  });

  it("still completes the publish when Slack is down; the failure is counted", async () => {
    const { sink, bus, metrics } = await localStack();
    sink.faults.add({ kind: "status", status: 503, times: 10 });

    await expect(
      bus.publish([eventFromBackup("backup.failed", failedRecord())]),
    ).resolves.toBeUndefined();
    await bus.idle();

    expect(sink.messages).toHaveLength(0);
    expect(metrics.get(MetricName.notifyFailed, { type: "backup.failed" })).toBe(1);
    expect(bus.failures).toBe(0); // the notifier resolved: nothing escaped to the bus
  });
});
