// `npm run bench`: runs every benchmark script in bench/ in its own process (so one's
// warm-up cannot help another) and lets each print its own numbers.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(dir).sort()) {
  if (!file.endsWith(".ts") || file === "index.ts") continue;
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  console.log(`\n## ${file}`);
  const run = spawnSync(process.execPath, [`${dir}${file}`], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
