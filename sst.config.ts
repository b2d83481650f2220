/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  async app(input) {
    const { isProductionStage } = await import("./stacks/stage.ts");
    const production = isProductionStage(input?.stage);
    return {
      name: "backup-warden",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const { table } = await import("./stacks/storage.ts");
    const { PROVIDER_SECRET_PREFIX, WEBHOOK_SECRET_PREFIX, SLACK_WEBHOOK_SECRET } = await import(
      "./stacks/secrets.ts"
    );
    const { bus } = await import("./stacks/bus.ts");
    await import("./stacks/events.ts");
    const { stateMachines } = await import("./stacks/workflows.ts");
    const { api } = await import("./stacks/api.ts");
    await import("./stacks/expiry.ts");
    await import("./stacks/schedules.ts");
    const { alarmTopic } = await import("./stacks/alarms.ts");
    return {
      api: api.url,
      table: table.name,
      bus: bus.name,
      createBackup: stateMachines["create-backup"].arn,
      deleteBackup: stateMachines["delete-backup"].arn,
      restoreBackup: stateMachines["restore-backup"].arn,
      providerSecretPrefix: PROVIDER_SECRET_PREFIX,
      webhookSecretPrefix: WEBHOOK_SECRET_PREFIX,
      slackWebhookSecret: `${WEBHOOK_SECRET_PREFIX}${SLACK_WEBHOOK_SECRET}`,
      alarms: alarmTopic.arn,
    };
  },
});
