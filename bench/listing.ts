// Listing one target's backups, as the table grows: p50/p99 of
// `GET /v1/backups?targetId=…&limit=50` through the local API (HTTP on loopback, the api
// function, dynalite) with 1,000 and with 100,000 backup records in the table. The target
// listed has the same 500 backups in both; the others belong to 200 other targets. A
// Query on the target's index partition should not care how big the table is: the goal is
// a p50 ratio ≤ 1.2× (issue "5 of 7", item 6). Absolute times vary by machine; the ratio
// is what to compare.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startLocal } from "../functions/local.ts";
import type { BackupRecord } from "../lib/core/backup.ts";
import { Keys } from "../lib/store/keys.ts";
import { ensureTable, LOCAL_AWS, startDynalite } from "../local/dynamo.ts";

const TABLE = "backup-warden";
const LISTED = "listed-target";
const LISTED_BACKUPS = 500;
const REQUESTS = 300;
const WARM_UP = 30;
const T0 = Date.parse("2026-01-01T00:00:00Z");

/** One AVAILABLE backup item, as BackupRepository.create writes it. */
function item(i: number, targetId: string): Record<string, unknown> {
  const createdAt = new Date(T0 + i * 60_000).toISOString();
  const record: BackupRecord = {
    id: `bk_${String(i).padStart(26, "0")}`,
    targetId,
    provider: "zilliz",
    status: "AVAILABLE",
    trigger: "schedule",
    providerBackupId: `backup${i}`,
    providerResourceId: "in01-7b3f9c2e5a1d804",
    sizeBytes: 1_000_000 + i,
    createdAt,
    updatedAt: createdAt,
    completedAt: createdAt,
    deadlineAt: createdAt,
    history: [{ at: createdAt, status: "AVAILABLE", cause: "bench seed" }],
    version: 2,
  };
  return { ...Keys.backup(record.id), ...Keys.backupIndexes(record), entity: "backup", ...record };
}

async function seed(endpoint: string, total: number): Promise<void> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint }));
  const items = Array.from({ length: total }, (_, i) =>
    item(i, i % Math.floor(total / LISTED_BACKUPS) === 0 ? LISTED : `other-${i % 200}`),
  );
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0 && attempt < 10; attempt++) {
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
      requests = (result.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
    }
    if (requests.length > 0) throw new Error("listing bench: seeding left items unwritten");
  }
  doc.destroy();
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(total: number): Promise<{ p50: number; p99: number; items: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "warden-bench-listing-"));
  try {
    const dynamo = await startDynalite({ path: join(dataDir, "dynamo") });
    await ensureTable(dynamo.endpoint, TABLE);
    await seed(dynamo.endpoint, total);
    await dynamo.close();
    // Nothing else runs while we measure: no sandbox, tickers far apart.
    const runtime = await startLocal({
      WARDEN_DATA_DIR: dataDir,
      WARDEN_PORT: "0",
      WARDEN_SANDBOX: "0",
      WARDEN_QUIET: "1",
      WARDEN_TICK_SECONDS: "3600",
      WARDEN_SWEEP_SECONDS: "86400",
      WARDEN_RECONCILE_SECONDS: "86400",
      WARDEN_TTL_SECONDS: "3600",
    });
    try {
      const url = `${runtime.url}/v1/backups?targetId=${LISTED}&limit=50`;
      const headers = { authorization: `Bearer ${runtime.token}` };
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < WARM_UP + REQUESTS; i++) {
        const started = performance.now();
        const response = await fetch(url, { headers });
        const body = (await response.json()) as { items?: unknown[] };
        const elapsed = performance.now() - started;
        if (response.status !== 200) throw new Error(`listing bench: HTTP ${response.status}`);
        items = body.items?.length ?? 0;
        if (i >= WARM_UP) times.push(elapsed);
      }
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p99: percentile(times, 99), items };
    } finally {
      await runtime.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.env.WARDEN_QUIET = "1";
// The small table is measured before and after the large one and the faster run kept: the
// process warms up as it goes, and the ratio must not flatter the large table for it.
const first = await measure(1_000);
const large = await measure(100_000);
const second = await measure(1_000);
const small = first.p50 <= second.p50 ? first : second;
for (const [total, r] of [
  [1_000, small],
  [100_000, large],
] as const) {
  console.log(
    `listing: ${total} backup records, GET /v1/backups?targetId=…&limit=50 (${r.items} items): p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms over ${REQUESTS} requests`,
  );
}
const ratio = large.p50 / small.p50;
console.log(
  `listing: p50 with 100000 records / with 1000 = ${ratio.toFixed(2)}× (p99 ${(large.p99 / small.p99).toFixed(2)}×) — goal ≤ 1.2×: ${ratio <= 1.2 ? "ok" : "OVER"}`,
);
