import type { Capability } from "./capabilities.ts";

/** What one Lambda declares: the capabilities its code uses, and nothing more. */
export interface FunctionDeclaration {
  uses: readonly Capability[];
}

/** Every item operation on the catalogue table, for functions whose code paths send them all. */
const TABLE = ["table:get", "table:query", "table:put", "table:update", "table:delete"] as const;

/**
 * Every function, by its entry file in `functions/handlers/`, with what its code paths use.
 * This is the only list: the composition root builds a function's ports from it, the stacks
 * derive its IAM statements and environment from it, and the local runtime authorizes its
 * calls by it. `npm test` checks it both ways against every AWS call each function makes
 * in the suite and against the synthesized roles (test/permissions/matrix.ts): a function
 * that calls what it does not declare fails, and so does a declaration nothing calls.
 *
 * To add a function: its entry file, a line here, and a `wardenFunction` in the stack that
 * triggers it (docs/architecture.md, "Add a function").
 */
export const FUNCTIONS = {
  /** Internet-facing: never holds vendor credentials; new targets are checked by validate-target. */
  api: {
    uses: [
      ...TABLE,
      "start:create-backup",
      "start:delete-backup",
      "start:restore-backup",
      "invoke:validate-target",
      "invoke:preview-restore",
      "invoke:reconcile",
    ],
  },
  /**
   * Checks a new target at its vendor for the API, with the target's credentials; its
   * calls count in the fleet's rate budget (an item update).
   */
  "validate-target": { uses: ["table:update", "secrets:providers"] },
  /** Finds due policies and their targets, claims their runs, hands them to the launch queue. */
  dispatch: {
    uses: ["table:get", "table:query", "table:put", "table:update", "queue:launch"],
  },
  /** The launch queue's consumer: takes the lease, records the backup, starts its workflow. */
  "launch-run": {
    uses: ["table:get", "table:put", "table:update", "table:delete", "start:create-backup"],
  },
  /** Due markers (re-armed or removed), re-plans, retries, resumes, retired targets, and the outbox's backstop. */
  sweep: {
    uses: [
      ...TABLE,
      "events:publish",
      "start:create-backup",
      "start:delete-backup",
      "start:restore-backup",
    ],
  },
  /** A due marker: re-plan or expire (a guarded backup's marker is re-armed). */
  "expiry-stream": {
    uses: ["table:get", "table:query", "table:put", "table:update", "start:delete-backup"],
  },
  /** Vendor backups against the catalogue: orphans recorded (and deleted after their grace), others imported, vanished ones marked. */
  reconcile: {
    uses: [
      "table:get",
      "table:query",
      "table:put",
      "table:update",
      "secrets:providers",
      "start:delete-backup",
    ],
  },
  /** The outbox's stream: an item's pending domain events to the bus, then cleared. */
  "publish-outbox": { uses: ["table:update", "events:publish"] },
  /** Routing is read from the policy; the webhook URL from its secret; handled events are remembered. */
  "notify-slack": { uses: ["table:get", "table:put", "secrets:webhooks"] },
  "slack-digest": { uses: ["table:get", "table:query", "secrets:webhooks"] },

  // create-backup tasks
  /**
   * Takes the lease (a put), and reads the target's recent good backups (a Query) to know
   * when to look first.
   */
  "start-backup": {
    uses: ["table:get", "table:query", "table:put", "table:update", "secrets:providers"],
  },
  /** Settling AVAILABLE writes the expiry marker and re-plans, which may expire older backups. */
  "poll-backup": {
    uses: [...TABLE, "secrets:providers", "start:delete-backup"],
  },
  /** Also finishes what settling AVAILABLE started, when a later step failed. */
  "record-failure": {
    uses: [...TABLE, "start:delete-backup"],
  },

  // delete-backup tasks
  /** Marks DELETING, asks the vendor; a delete confirmed at once writes the tombstone and drops the expiry marker. */
  "delete-provider-backup": {
    uses: ["table:get", "table:update", "table:delete", "secrets:providers"],
  },
  /** The poll that sees the backup gone writes the tombstone and drops the expiry marker. */
  "poll-deletion": { uses: ["table:get", "table:update", "table:delete", "secrets:providers"] },
  "record-delete-failure": { uses: ["table:get", "table:update"] },

  /** Asks the vendor what a restore would overwrite, for the API; its calls count in the budget. */
  "preview-restore": { uses: ["table:update", "secrets:providers"] },
  // restore-backup tasks
  /** Takes the destination's lease, asks the vendor, records the job (and finds a lost one). */
  "start-restore": { uses: ["table:get", "table:put", "table:update", "secrets:providers"] },
  /** The look that sees the end settles the restore, lifts the lease and the backup's mark. */
  "poll-restore": {
    uses: ["table:get", "table:update", "table:delete", "secrets:providers"],
  },
  "record-restore-failure": { uses: ["table:get", "table:update", "table:delete"] },
} as const satisfies Record<string, FunctionDeclaration>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Whether `name` declares `capability`. */
export function declares(name: FunctionName, capability: Capability): boolean {
  return (FUNCTIONS[name].uses as readonly Capability[]).includes(capability);
}
