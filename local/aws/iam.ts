/**
 * Just enough of IAM for the local runtime and the permission matrix: which action and
 * resource an AWS API call is, and whether a set of Allow statements permits it. Written
 * by hand because no library evaluates IAM offline; it covers what our functions send
 * (identity-based Allow statements, `*` and `?` wildcards, no conditions, no Deny).
 */

/** One call as IAM sees it: an action on one or more resources (all must be allowed). */
export interface IamCall {
  action: string;
  resources: string[];
}

/** An identity's Allow statements. */
export interface IamStatement {
  actions: readonly string[];
  resources: readonly string[];
}

/** Where ARNs are built for calls that name a resource by name. */
export interface ArnContext {
  partition?: string;
  region: string;
  account: string;
}

function arn(ctx: ArnContext, service: string, resource: string): string {
  return `arn:${ctx.partition ?? "aws"}:${service}:${ctx.region}:${ctx.account}:${resource}`;
}

/** A name, or an ARN as given (several APIs accept either). */
function named(value: unknown, build: (name: string) => string): string {
  const text = String(value ?? "");
  return text.startsWith("arn:") ? text : build(text);
}

/**
 * The IAM action and resources of one API call, from its service prefix, operation name
 * (`GetItem`, `StartExecution`, …) and input. Documented resource types: a DynamoDB table
 * or index, a secret, a state machine, an event bus, a function, a queue.
 */
export function iamCallOf(
  service: string,
  operation: string,
  input: Record<string, unknown>,
  ctx: ArnContext,
): IamCall {
  const action = `${service}:${operation}`;
  switch (service) {
    case "dynamodb": {
      const table = named(input.TableName, (n) => arn(ctx, "dynamodb", `table/${n}`));
      const index =
        typeof input.IndexName === "string" ? `${table}/index/${input.IndexName}` : undefined;
      return { action, resources: [index ?? table] };
    }
    case "secretsmanager":
      return {
        action,
        resources: [named(input.SecretId, (n) => arn(ctx, "secretsmanager", `secret:${n}`))],
      };
    case "states":
      return {
        action,
        resources: [String(input.stateMachineArn ?? input.executionArn ?? "*")],
      };
    case "events": {
      const entries = Array.isArray(input.Entries) ? input.Entries : [];
      const buses = new Set(
        entries.map((e: { EventBusName?: unknown }) =>
          named(e.EventBusName ?? "default", (n) => arn(ctx, "events", `event-bus/${n}`)),
        ),
      );
      return { action, resources: [...buses] };
    }
    case "lambda":
      return {
        action: operation === "Invoke" ? "lambda:InvokeFunction" : action,
        resources: [named(input.FunctionName, (n) => arn(ctx, "lambda", `function:${n}`))],
      };
    case "sqs": {
      // A queue is named by its URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`);
      // SendMessageBatch is authorized as SendMessage (it has no IAM action of its own).
      const url = /^https?:\/\/[^/]+\/(\d+)\/([^/?#]+)/.exec(String(input.QueueUrl ?? ""));
      const queue = url
        ? `arn:${ctx.partition ?? "aws"}:sqs:${ctx.region}:${url[1]}:${url[2]}`
        : "*";
      return {
        action: operation === "SendMessageBatch" ? "sqs:SendMessage" : action,
        resources: [queue],
      };
    }
    default:
      return { action, resources: ["*"] };
  }
}

/**
 * IAM's wildcard match: `*` any run of characters, `?` one character. Actions compare
 * case-insensitively, resources (ARNs) case-sensitively.
 */
function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? "i" : "-"}${pattern}`;
  let regex = PATTERNS.get(key);
  if (!regex) {
    const source = [...pattern]
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    regex = new RegExp(`^${source}$`, ignoreCase ? "i" : "");
    PATTERNS.set(key, regex);
  }
  return regex.test(value);
}

/** Each pattern compiled once: every local AWS call is matched against the same few. */
const PATTERNS = new Map<string, RegExp>();

/** The resources of `call` that no statement allows (empty: the call is allowed). */
export function deniedResources(statements: readonly IamStatement[], call: IamCall): string[] {
  return call.resources.filter(
    (resource) =>
      !statements.some(
        (s) =>
          s.actions.some((a) => wildcardMatch(a, call.action, true)) &&
          s.resources.some((r) => wildcardMatch(r, resource)),
      ),
  );
}

/** The message AWS answers a denied call with (an AccessDeniedException). */
export function accessDeniedMessage(
  identity: string,
  call: IamCall,
  resource: string,
  ctx: ArnContext,
): string {
  return `User: arn:${ctx.partition ?? "aws"}:sts::${ctx.account}:assumed-role/${identity}/${identity} is not authorized to perform: ${call.action} on resource: ${resource} because no identity-based policy allows the ${call.action} action`;
}
