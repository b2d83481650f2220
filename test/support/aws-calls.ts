import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { jsonLinesSink, type RecordedCall } from "../../local/aws/recorder.ts";

/**
 * Where the suite records every AWS call each function makes (one JSON-lines file per
 * recorder). Emptied when a full run starts (test/setup/global.ts); read afterwards by the
 * permission-matrix check (test/permissions/matrix.ts).
 */
export const AWS_CALLS_DIR = resolve(import.meta.dirname, "../../.test-output/aws-calls");

/** A fresh file for one recorder (a harness, a local stack, a spawned `npm start`). */
export function awsCallLog(): string {
  return join(AWS_CALLS_DIR, `${process.pid}-${randomUUID()}.jsonl`);
}

/** A sink that records calls for the permission matrix. */
export function recordedCalls(): (call: RecordedCall) => void {
  return jsonLinesSink(awsCallLog());
}

/** Every call recorded so far, by every recorder of the run. */
export function readRecordedCalls(dir = AWS_CALLS_DIR): RecordedCall[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(".jsonl"))
    .flatMap((file) =>
      readFileSync(join(dir, file), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as RecordedCall),
    );
}
