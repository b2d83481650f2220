import { rmSync } from "node:fs";
import { AWS_CALLS_DIR } from "../support/aws-calls.ts";

/** Once per `vitest run`: the permission matrix reads only this run's calls. */
export default function setup(): void {
  rmSync(AWS_CALLS_DIR, { recursive: true, force: true });
}
