import type { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type {
  DeleteCommandInput,
  DeleteCommandOutput,
  DynamoDBDocumentClient,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";

/**
 * The item operations the repositories send, and nothing else (no Scan, no batch, no
 * table administration): `stacks/` grants exactly these, per function.
 */
export interface TableClient {
  get(input: GetCommandInput): Promise<GetCommandOutput>;
  put(input: PutCommandInput): Promise<PutCommandOutput>;
  update(input: UpdateCommandInput): Promise<UpdateCommandOutput>;
  delete(input: DeleteCommandInput): Promise<DeleteCommandOutput>;
  query(input: QueryCommandInput): Promise<QueryCommandOutput>;
}

/** Options of {@link createTableClient}. */
export interface TableClientOptions {
  config?: DynamoDBClientConfig;
  /** Called once with the low-level client when it is built (e.g. to add middleware). */
  onClient?: (client: DynamoDBClient) => void;
}

/**
 * A {@link TableClient} over the AWS SDK's document client, which drops `undefined`
 * (optional fields) instead of failing. The SDK is imported on the first call, not when
 * the client is created: a function pays for loading it only once it touches the table.
 *
 * @example const db = createTableClient({ config: { endpoint: "http://127.0.0.1:4567", region: "local" } });
 */
export function createTableClient(options: TableClientOptions = {}): TableClient {
  let client: Promise<{
    doc: DynamoDBDocumentClient;
    commands: typeof import("@aws-sdk/lib-dynamodb");
  }>;
  const load = () => {
    client ??= (async () => {
      const [{ DynamoDBClient }, commands] = await Promise.all([
        import("@aws-sdk/client-dynamodb"),
        import("@aws-sdk/lib-dynamodb"),
      ]);
      const base = new DynamoDBClient(options.config ?? {});
      options.onClient?.(base);
      const doc = commands.DynamoDBDocumentClient.from(base, {
        marshallOptions: { removeUndefinedValues: true },
      });
      return { doc, commands };
    })();
    return client;
  };
  type Commands = typeof import("@aws-sdk/lib-dynamodb");
  type Command = "GetCommand" | "PutCommand" | "UpdateCommand" | "DeleteCommand" | "QueryCommand";
  const send =
    <C extends Command>(name: C) =>
    async (input: ConstructorParameters<Commands[C]>[0]) => {
      const { doc, commands } = await load();
      return doc.send(new commands[name](input as never) as never);
    };
  return {
    get: send("GetCommand"),
    put: send("PutCommand"),
    update: send("UpdateCommand"),
    delete: send("DeleteCommand"),
    query: send("QueryCommand"),
  } as TableClient;
}
