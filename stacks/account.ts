/** Where the stage is deployed, for ARNs that must be known before their resource exists. */
const partition = aws.getPartitionOutput().partition;
const region = aws.getRegionOutput().region;
export const accountId = aws.getCallerIdentityOutput().accountId;

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in the deployment's account. */
export function regionalArn(service: string, resource: $util.Input<string>) {
  return $interpolate`arn:${partition}:${service}:${region}:${accountId}:${resource}`;
}

/** A physical name unique to this app and stage, e.g. `backup-warden-prod-create-backup`. */
export function physicalName(suffix: string): string {
  return `${$app.name}-${$app.stage}-${suffix}`;
}
