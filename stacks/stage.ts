/**
 * Stages whose data must survive a `sst remove` or a renamed resource: the table is
 * retained and deletion-protected, and the app is protected against removal.
 * Plain data (no SST globals) so that `app()` in sst.config.ts can use it before `$app` exists.
 */
export const PRODUCTION_STAGES: readonly string[] = ["prod", "production"];

/** Whether `stage` holds production data. */
export function isProductionStage(stage: string | undefined): boolean {
  return stage !== undefined && PRODUCTION_STAGES.includes(stage);
}
