import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalAws, startLocalAws } from "../../local/aws/gateway.ts";
import type { IamStatement } from "../../local/aws/iam.ts";

const ARNS = { region: "eu-west-1", account: "123456789012" };
const POLICIES: Record<string, IamStatement[]> = {
  api: [
    { actions: ["lambda:InvokeFunction"], resources: ["*"] },
    { actions: ["secretsmanager:*"], resources: ["*"] },
  ],
  sweep: [],
};

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({
    arns: ARNS,
    policyOf: (identity) => POLICIES[identity],
    backends: {
      dynamodbEndpoint: "http://127.0.0.1:9",
      secret: async (id) => (id === "providers/zilliz" ? '{"apiKey":"k"}' : undefined),
      startExecution: async () => undefined,
      putEvents: async () => {},
      invoke: async (name, payload) =>
        name === "validate-target" ? { result: { echoed: payload } } : undefined,
    },
  });
});
afterAll(() => aws.close());

const client = <T>(Client: new (config: object) => T, identity: string): T =>
  new Client({
    endpoint: aws.url,
    region: ARNS.region,
    credentials: { accessKeyId: identity, secretAccessKey: "local" },
    maxAttempts: 1,
  });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => ({
      name: error.name,
      status: error.$metadata.httpStatusCode,
      message: error.message,
    }),
  );

describe("the local AWS endpoint, as the SDK clients see it", () => {
  it("answers the operations it speaks, and AWS's error for one it does not", async () => {
    const secrets = client(SecretsManagerClient, "api");
    const found = await secrets.send(new GetSecretValueCommand({ SecretId: "providers/zilliz" }));
    expect(found).toMatchObject({ Name: "providers/zilliz", SecretString: '{"apiKey":"k"}' });
    expect(
      await failure(secrets.send(new GetSecretValueCommand({ SecretId: "providers/none" }))),
    ).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
    expect(await failure(secrets.send(new ListSecretsCommand({})))).toMatchObject({
      name: "UnknownOperationException",
      message: "unsupported ListSecrets",
    });
  });

  it("runs a function it knows, and answers 404 and 403 like Lambda", async () => {
    const lambda = client(LambdaClient, "api");
    const ran = await lambda.send(
      new InvokeCommand({ FunctionName: "validate-target", Payload: '{"a":1}' }),
    );
    expect(JSON.parse(new TextDecoder().decode(ran.Payload))).toEqual({ echoed: { a: 1 } });
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: "ghost" })))).toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
      message: "Function not found: ghost",
    });
    const refused = await failure(
      client(LambdaClient, "sweep").send(new InvokeCommand({ FunctionName: "validate-target" })),
    );
    expect(refused).toMatchObject({ name: "AccessDeniedException", status: 403 });
    expect(refused.message).toContain("lambda:InvokeFunction");
    expect(aws.denials.map((d) => `${d.identity} ${d.call.action}`)).toEqual([
      "sweep lambda:InvokeFunction",
    ]);
  });
});
