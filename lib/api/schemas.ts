import * as z from "zod";
import { BackupRecord } from "../core/backup.ts";
import { Policy } from "../core/policy.ts";
import { Target } from "../core/target.ts";

/** An RFC 9457 problem document, as every error answers. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** A page of a listing: `nextCursor` is opaque; absent on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() });
}

/** Named response shapes of the API (components of the OpenAPI document). */
export const TargetOut = Target;
export const BackupOut = BackupRecord;
export const PolicyOut = Policy;
export const Health = z.object({ status: z.literal("ok"), version: z.string() });

/** `GET /v1/policies/{id}/retention-plan`: per target, kept (with reasons), removed, guarded. */
export const RetentionPlanOut = z.object({
  policyId: z.string(),
  at: z.string(),
  removeAfter: z.string(),
  targets: z.array(
    z.object({
      targetId: z.string(),
      keep: z.array(
        z.object({ id: z.string(), createdAt: z.string(), reasons: z.array(z.string()) }),
      ),
      remove: z.array(z.object({ id: z.string(), createdAt: z.string() })),
      guarded: z.array(z.object({ id: z.string(), guard: z.string(), detail: z.string() })),
      /** Present when the target's retention is suspended as a whole (nothing is removed). */
      suspended: z.string().optional(),
    }),
  ),
});
