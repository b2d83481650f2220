/**
 * Restores lockfile entries for optional platform packages that this machine's npm
 * registry mirror does not serve (e.g. `@biomejs/cli-darwin-arm64`: 404 here).
 *
 * npm leaves such optional dependencies out of package-lock.json, and `npm ci` then
 * refuses the lock as "not in sync" — on this very machine. Each restored entry names
 * its os/cpu/libc, so `npm ci` skips it on any other platform without fetching it.
 * Run after any `npm install` that rewrote the lock:
 *
 *   node scripts/lock-platforms.ts        # fix package-lock.json
 *   node scripts/lock-platforms.ts --check  # exit 1 if an entry is missing
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

interface LockEntry {
  version?: string;
  dev?: boolean;
  license?: string;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

const OS = ["android", "darwin", "freebsd", "linux", "openbsd", "sunos", "win32", "aix", "netbsd"];
const CPU = ["arm64", "x64", "arm", "ia32", "ppc64", "s390x", "riscv64", "loong64", "mips64el"];

/** os/cpu/libc from a platform package name such as `cli-linux-x64-musl`. */
export function platformOf(name: string): { os: string; cpu: string; libc?: string } | undefined {
  const parts = name.split("/").pop()?.split("-") ?? [];
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return undefined;
  return { os, cpu, ...(parts.includes("musl") ? { libc: "musl" } : {}) };
}

/** Adds the missing entries; returns their names. */
export function restore(lock: { packages: Record<string, LockEntry> }): string[] {
  const added: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const key = `node_modules/${dep}`;
      const nested = `${path}/node_modules/${dep}`;
      if (lock.packages[key] || lock.packages[nested]) continue;
      const platform = platformOf(dep);
      if (!platform) continue;
      lock.packages[key] = {
        version,
        ...(entry.dev ? { dev: true } : {}),
        optional: true,
        os: [platform.os],
        cpu: [platform.cpu],
        ...(platform.libc ? { libc: [platform.libc] } : {}),
        ...(entry.license ? { license: entry.license } : {}),
      };
      added.push(dep);
    }
  }
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return added;
}

if (import.meta.main) {
  const file = resolve(import.meta.dirname, "..", "package-lock.json");
  const lock = JSON.parse(readFileSync(file, "utf8"));
  const added = restore(lock);
  if (process.argv.includes("--check")) {
    if (added.length > 0) {
      console.error(
        `package-lock.json lacks ${added.join(", ")}: run node scripts/lock-platforms.ts`,
      );
      process.exit(1);
    }
    console.log("package-lock.json has every optional platform entry");
  } else {
    writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(added.length > 0 ? `restored ${added.join(", ")}` : "nothing to restore");
  }
}
