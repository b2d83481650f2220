import type { WorkflowName } from "./definitions.ts";

/**
 * Starts workflow executions. Names are deterministic, so starting the same name twice
 * starts one execution: that is what makes duplicated requests and ticks harmless.
 */
export interface WorkflowStarter {
  /** Starts `workflow` as `name`; `started: false` when that name already ran or runs. */
  start(
    workflow: WorkflowName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<{ started: boolean }>;
}

/**
 * An execution name: Step Functions allows 80 characters of `[A-Za-z0-9_-]`.
 *
 * @example executionName("create-backup", "bk_01j…") // "create-backup-bk_01j…"
 */
export function executionName(workflow: WorkflowName, ...parts: string[]): string {
  return [workflow, ...parts]
    .join("-")
    .replace(/[^A-Za-z0-9_-]/g, "_")
    .slice(0, 80);
}
