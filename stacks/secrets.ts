import { regionalArn } from "./account.ts";

/**
 * Provider credentials live in Secrets Manager under one name prefix per stage, e.g.
 * `backup-warden/prod/zilliz-main`; a target's `secretRef` is the part after the prefix.
 * The secrets themselves are created by an operator (docs/deploy.md), never by this app:
 * no credential appears in configuration, code or state.
 */
export const SECRET_PREFIX = `${$app.name}/${$app.stage}/`;

/**
 * What a function links to read provider credentials: `WARDEN_SECRET_PREFIX`
 * (functions/config.ts) and `GetSecretValue` on the prefix only. Secrets Manager appends a
 * random 6-character suffix to every secret ARN, hence the trailing `*`.
 */
export const providerSecrets = new sst.Linkable("ProviderSecrets", {
  properties: { prefix: SECRET_PREFIX },
  include: [
    sst.aws.permission({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [regionalArn("secretsmanager", `secret:${SECRET_PREFIX}*`)],
    }),
    sst.env({ WARDEN_SECRET_PREFIX: SECRET_PREFIX }),
  ],
});
