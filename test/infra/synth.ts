/**
 * Offline synth: evaluates `sst.config.ts` the way the SST 4.17.1 CLI does for
 * `sst deploy`, but under Pulumi mocks, with no AWS credentials and no network (the only
 * socket is a loopback RPC server standing in for the CLI). Prints one JSON document:
 * `{ app, outputs, resources, builds, invokes }`.
 *
 *   node test/infra/synth.ts <stage>         (after `sst install`)
 *
 * It reproduces the CLI (pkg/project/stack.go, pkg/js/js.go; docs/deploy.md, "Offline checks"):
 * 1. bundle the config with `$config = c => c` and call `app({ stage })` → `$app`;
 * 2. start a loopback server answering the CLI's RPC methods: `Provider.Aws.Bootstrap`,
 *    `Runtime.AddTarget`, and `Runtime.Build`, which bundles the handler with the same
 *    options the stacks deploy (stacks/bundle.ts) and checks it exports the handler;
 * 3. bundle `src/auto/run.ts` + the config with the CLI's defines, shim and externals;
 * 4. run it inside `runInPulumiStack` with mocks that record every resource and answer
 *    the few invokes SST makes; anything else fails loudly ("unmocked invoke", "rpc: can't
 *    find method"), which is what an SST upgrade breaking this harness looks like.
 *
 * Pinned to the internals of sst 4.17.1 (the `$cli` shape, RPC names, run.ts/shim paths).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import {
  buildFunction,
  buildFunctions,
  type FunctionBundle,
} from "../../scripts/build-functions.ts";
import { FUNCTION_BUNDLE } from "../../stacks/bundle.ts";

/** The SST version this harness reproduces; anything else must be re-verified first. */
export const SST_VERSION = "4.17.1";

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";

export interface SynthResource {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  retainOnDelete?: boolean;
  protect?: boolean;
  parent?: string;
}

export interface SynthBuild {
  functionID: string;
  handler: string;
  entry: string;
  file: string;
  bytes: number;
  /** Source files in the bundle, relative to the project root. */
  inputs: string[];
  properties: Record<string, unknown>;
}

export interface SynthResult {
  app: { name: string; stage: string; removal?: string; protect?: boolean; home?: string };
  outputs: Record<string, unknown>;
  resources: SynthResource[];
  builds: SynthBuild[];
  invokes: string[];
}

const ROOT = resolve(import.meta.dirname, "../..");
const PLATFORM = join(ROOT, ".sst", "platform");
const DEFAULT_CONFIG = join(ROOT, "sst.config.ts");
/** Scratch space of one stage's synth (bundles, zips); stages can synth in parallel. */
const workDir = (stage: string) => join(ROOT, ".sst", "synth", stage);

/** Pulumi marks secret values with this signature when (de)serializing. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function debug(message: string): void {
  if (process.env.SYNTH_DEBUG)
    process.stderr.write(`[synth] ${(performance.now() / 1000).toFixed(2)}s ${message}\n`);
}

function unsecret(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unsecret);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] !== undefined && "value" in record) return unsecret(record.value);
    if (record[SECRET_SIG] !== undefined && "path" in record) return { asset: record.path };
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unsecret(v)]));
  }
  return value;
}

function checkPlatform(): void {
  const versionFile = join(PLATFORM, "version");
  if (!existsSync(versionFile)) {
    throw new Error(
      ".sst/platform is missing: run `sst install` first (see scripts in docs/deploy.md)",
    );
  }
  const version = readFileSync(versionFile, "utf8").trim();
  if (version !== SST_VERSION) {
    throw new Error(
      `this harness reproduces sst ${SST_VERSION} but .sst/platform is ${version}: re-verify it`,
    );
  }
}

/** Pass 1: `app({ stage })` from the config. */
async function evaluateApp(stage: string, config: string): Promise<SynthResult["app"]> {
  const outfile = join(PLATFORM, `sst.config.app.${process.pid}.${Date.now()}.mjs`);
  await esbuild.build({
    stdin: {
      contents: `import mod from ${JSON.stringify(config)};\nexport default mod;`,
      resolveDir: ROOT,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    banner: { js: "const $config = (c) => c;" },
    bundle: true,
    format: "esm",
    platform: "node",
    external: ["@pulumi/*", "@aws-sdk/*"],
    outfile,
    logLevel: "silent",
  });
  try {
    const mod = await import(pathToFileURL(outfile).href);
    const app = await mod.default.app({ stage });
    return { ...app, stage };
  } finally {
    rmSync(outfile, { force: true });
  }
}

/** The CLI's RPC server, as far as SST's components call it during `deploy`. */
function startRpcServer(
  builds: SynthBuild[],
  rpcLog: Set<string>,
  prebuilt: Promise<Map<string, FunctionBundle>>,
  work: string,
) {
  const methods: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
    "Provider.Aws.Bootstrap": async () => ({
      asset: "sst-asset-synth",
      assetEcrRegistryId: ACCOUNT,
      assetEcrUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/sst-asset`,
      state: "sst-state-synth",
      appsyncHttp: "synth.appsync-api.local",
      appsyncRealtime: "synth.appsync-realtime-api.local",
    }),
    "Runtime.AddTarget": async () => null,
    "Runtime.Build": (args) => buildHandler(args, builds, prebuilt, work),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", async () => {
      const { method, params } = JSON.parse(body) as { method: string; params: unknown[] };
      rpcLog.add(method);
      debug(`rpc ${method} ${body.length}b`);
      const handler = methods[method];
      let reply: { result?: unknown; error?: string };
      if (!handler) reply = { error: `rpc: can't find method ${method}` };
      else {
        try {
          reply = { result: await handler((params[0] ?? {}) as Record<string, unknown>) };
        } catch (error) {
          reply = { error: error instanceof Error ? error.message : String(error) };
        }
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: null, ...reply }));
    });
  });
  return new Promise<{ url: string; close: () => void }>((resolvePromise) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolvePromise({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

/**
 * `Runtime.Build` for Node handlers. All entry points are bundled up front in one esbuild
 * call (scripts/build-functions.ts, the options the stacks deploy with); a function whose
 * `nodejs` options differ from those gets its own build, so the result always reflects
 * what SST would be asked to build.
 */
async function buildHandler(
  args: Record<string, unknown>,
  builds: SynthBuild[],
  prebuilt: Promise<Map<string, FunctionBundle>>,
  work: string,
) {
  const functionID = String(args.functionID);
  const handler = String(args.handler);
  const properties = (args.properties ?? {}) as Record<string, unknown>;
  const dot = handler.lastIndexOf(".");
  const base = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const entry = [".ts", ".mts", ".js", ".mjs"]
    .map((ext) => join(ROOT, base + ext))
    .find((candidate) => existsSync(candidate));
  const fail = (error: string) => ({ handler, out: "", errors: [error], sourcemaps: [] });
  if (!entry) return fail(`Could not find handler file for "${handler}" (function ${functionID})`);

  const sameOptions =
    (properties.format ?? "esm") === FUNCTION_BUNDLE.format &&
    (properties.minify ?? true) === FUNCTION_BUNDLE.minify;
  let bundle = sameOptions ? (await prebuilt).get(entry) : undefined;
  if (!bundle) {
    try {
      bundle = await buildFunction(functionID, entry, join(work, "artifacts"), {
        minify: properties.minify !== false,
        format: properties.format === "cjs" ? "cjs" : "esm",
        // esbuild splits ESM only.
        splitting: properties.format !== "cjs",
        logLevel: "silent",
      });
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
  }
  if (!bundle.exports.includes(exportName)) {
    return fail(
      `"${relative(ROOT, entry)}" does not export "${exportName}" (function ${functionID})`,
    );
  }
  builds.push({
    functionID,
    handler,
    entry: relative(ROOT, entry),
    file: relative(ROOT, bundle.file),
    bytes: bundle.bytes,
    inputs: bundle.inputs,
    properties,
  });
  return {
    handler: `index.${exportName}`,
    out: dirname(bundle.file),
    errors: [],
    sourcemaps: [],
  };
}

/** Outputs a mocked resource reports besides its inputs (ARNs, names, endpoints). */
function mockState(type: string, name: string, inputs: Record<string, unknown>) {
  const physical = typeof inputs.name === "string" ? inputs.name : name;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  const id = `${name.toLowerCase()}-${createHash("sha1").update(name).digest("hex").slice(0, 8)}`;
  switch (type) {
    case "aws:lambda/function:Function":
      return {
        name: physical,
        arn: arn("lambda", `function:${physical}`),
        qualifiedArn: arn("lambda", `function:${physical}:$LATEST`),
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn("lambda", `function:${physical}`)}/invocations`,
        version: "$LATEST",
      };
    case "aws:dynamodb/table:Table": {
      const tableArn = arn("dynamodb", `table/${physical}`);
      return {
        name: physical,
        arn: tableArn,
        streamArn: inputs.streamEnabled ? `${tableArn}/stream/2026-01-01T00:00:00.000` : undefined,
      };
    }
    case "aws:sfn/stateMachine:StateMachine":
      return { name: physical, arn: arn("states", `stateMachine:${physical}`) };
    case "aws:iam/role:Role":
      return { name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physical, arn: arn("logs", `log-group:${physical}`) };
    case "aws:apigatewayv2/api:Api":
      return {
        apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}`,
        arn: `arn:aws:apigateway:${REGION}::/apis/${id}`,
      };
    case "aws:cloudwatch/eventBus:EventBus":
      return { name: physical, arn: arn("events", `event-bus/${physical}`) };
    case "aws:cloudwatch/eventRule:EventRule":
      return { name: physical, arn: arn("events", `rule/${physical}`) };
    case "aws:sqs/queue:Queue":
      return {
        name: physical,
        arn: arn("sqs", physical),
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`,
      };
    case "aws:apigatewayv2/stage:Stage":
      return { invokeUrl: `https://${id}.execute-api.${REGION}.amazonaws.com/` };
    case "random:index/randomBytes:RandomBytes":
      return {
        base64: Buffer.alloc(Number(inputs.length ?? 32), 7).toString("base64"),
        hex: Buffer.alloc(Number(inputs.length ?? 32), 7).toString("hex"),
      };
    default:
      return { name: physical, arn: arn(type.split(":")[1]?.split("/")[0] ?? "unknown", physical) };
  }
}

type Statement = {
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
};

/** `aws.iam.getPolicyDocument`, computed locally (SST's function roles are built from it). */
function policyDocument(inputs: { statements?: Statement[] }) {
  const Statement = (inputs.statements ?? []).map((s) => ({
    Effect: s.effect ?? "Allow",
    ...(s.actions ? { Action: s.actions } : {}),
    ...(s.resources ? { Resource: s.resources } : {}),
    ...(s.principals
      ? { Principal: Object.fromEntries(s.principals.map((p) => [p.type, p.identifiers])) }
      : {}),
    ...(s.conditions?.length
      ? {
          Condition: Object.fromEntries(
            s.conditions.map((c) => [c.test, { [c.variable]: c.values }]),
          ),
        }
      : {}),
  }));
  return {
    id: "policy",
    json: JSON.stringify({ Version: "2012-10-17", Statement }),
    statements: inputs.statements ?? [],
  };
}

/**
 * Evaluates the config for `stage` and returns everything it would deploy.
 * `config` defaults to sst.config.ts; tests pass broken fixtures to prove failures surface.
 */
export async function synth(
  stage: string,
  { config = DEFAULT_CONFIG, timeoutMs = 60_000 } = {},
): Promise<SynthResult> {
  checkPlatform();
  const work = workDir(stage);
  // Bundling every handler is the slowest step: start it first, in esbuild's own process,
  // and let `Runtime.Build` wait for it. Fixture configs build only what they name.
  debug("bundling handlers");
  const prebuilt =
    config === DEFAULT_CONFIG
      ? buildFunctions(join(work, "functions"), {}, ROOT).then(
          (bundles) => new Map(bundles.map((b) => [b.entry, b])),
        )
      : Promise.resolve(new Map<string, FunctionBundle>());
  prebuilt.catch(() => undefined);
  const requirePlatform = createRequire(join(PLATFORM, "package.json"));
  // The platform's own CommonJS instance, the one the evaluated program uses.
  const pulumi = requirePlatform("@pulumi/pulumi") as any;

  debug("pass 1");
  const app = await evaluateApp(stage, config);
  debug(`app ${JSON.stringify(app)}`);
  const builds: SynthBuild[] = [];
  const rpcLog = new Set<string>();
  const invokes = new Set<string>();
  const resources = new Map<string, SynthResource>();
  const duplicates: string[] = [];
  const options = new Map<string, Partial<SynthResource>>();
  const server = await startRpcServer(builds, rpcLog, prebuilt, work);

  process.env.SST_SERVER = server.url;
  process.env.PULUMI_CONFIG = JSON.stringify({ "aws:region": REGION });
  process.env.SST_AWS_REGION = REGION;

  debug("mocks");
  await pulumi.runtime.setMocks(
    {
      newResource(args: {
        type: string;
        name: string;
        inputs: Record<string, unknown>;
        custom?: boolean;
      }) {
        const inputs = unsecret(args.inputs) as Record<string, unknown>;
        const key = `${args.type}::${args.name}`;
        if (resources.has(key)) duplicates.push(key);
        resources.set(key, { type: args.type, name: args.name, custom: !!args.custom, inputs });
        return {
          id: `${args.name}-id`,
          state: { ...inputs, ...mockState(args.type, args.name, inputs) },
        };
      },
      call(args: { token: string; inputs: Record<string, unknown> }) {
        invokes.add(args.token);
        switch (args.token) {
          case "aws:index/getRegion:getRegion":
            return {
              id: REGION,
              name: REGION,
              region: REGION,
              endpoint: `ec2.${REGION}.amazonaws.com`,
            };
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
              id: ACCOUNT,
              accountId: ACCOUNT,
              arn: `arn:aws:iam::${ACCOUNT}:user/synth`,
              userId: "SYNTH",
            };
          case "aws:index/getPartition:getPartition":
            return {
              id: "aws",
              partition: "aws",
              dnsSuffix: "amazonaws.com",
              reverseDnsPrefix: "com.amazonaws",
            };
          case "aws:iam/getPolicyDocument:getPolicyDocument":
            return policyDocument(unsecret(args.inputs) as { statements?: Statement[] });
          default:
            throw new Error(`unmocked invoke ${args.token}`);
        }
      },
    },
    app.name,
    stage,
    false,
  );

  const cli = {
    command: "deploy",
    rpc: server.url,
    paths: { home: join(work, "home"), root: ROOT, work, platform: PLATFORM },
    state: { version: {} },
  };
  mkdirSync(work, { recursive: true });
  const outfile = join(PLATFORM, `sst.config.synth.${process.pid}.${Date.now()}.mjs`);
  const globalsFor = (path: string) =>
    path === config || path.startsWith(`${join(ROOT, "stacks")}/`);
  await esbuild.build({
    stdin: {
      contents: [
        `import { run } from ${JSON.stringify(join(PLATFORM, "src/auto/run.ts"))};`,
        `import mod from ${JSON.stringify(config)};`,
        "const result = await run(async () => { globalThis.__synthHook?.(); return mod.run(); });",
        "export default result;",
      ].join("\n"),
      resolveDir: ROOT,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    define: {
      $app: JSON.stringify({ ...app, providers: app.home === "aws" ? { aws: {} } : {} }),
      $cli: JSON.stringify(cli),
      $dev: "false",
    },
    inject: [join(PLATFORM, "src/shim/run.js")],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
      ].join("\n"),
    },
    nodePaths: [join(PLATFORM, "node_modules")],
    // esbuild's sync API starts a worker from its own file; bundled, that file would be
    // this program and the worker would never answer.
    external: ["@pulumi/*", "@aws-sdk/*", "esbuild"],
    mainFields: ["module", "main"],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "silent",
    plugins: [
      {
        name: "sst-globals",
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (args) => {
            if (!globalsFor(args.path)) return undefined;
            const source = readFileSync(args.path, "utf8");
            return {
              contents: `import * as aws from "@pulumi/aws";\nimport * as sst from ${JSON.stringify(join(PLATFORM, "src/components/index.ts"))};\n${source}`,
              loader: "ts",
            };
          });
        },
      },
    ],
  });

  debug("pass 2 built");
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  (globalThis as { __synthHook?: () => void }).__synthHook = () => {
    pulumi.runtime.registerStackTransformation(
      (args: { type: string; name: string; opts: Record<string, unknown> }) => {
        const parent = args.opts.parent as { __name?: string } | undefined;
        options.set(`${args.type}::${args.name}`, {
          retainOnDelete: args.opts.retainOnDelete as boolean | undefined,
          protect: args.opts.protect as boolean | undefined,
          parent: parent?.__name,
        });
        return undefined;
      },
    );
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const evaluation = (async () => {
      const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        debug("importing program");
        const mod = await import(pathToFileURL(outfile).href);
        debug("program evaluated");
        return mod.default;
      });
      // Registrations started inside apply() callbacks (routes, roles, code uploads) finish
      // after the program returns; the real engine waits for them the same way.
      await pulumi.runtime.waitForRPCs();
      debug(`rpcs settled: ${resources.size} resources`);
      const resolved = await new Promise<Record<string, unknown>>((ok) =>
        pulumi.output(outputs ?? {}).apply((value: Record<string, unknown>) => ok(value)),
      );
      return resolved;
    })();
    debug("waiting");
    const failure = new Promise<never>((_, reject) => {
      const started = Date.now();
      timer = setInterval(() => {
        if (process.env.SYNTH_DEBUG === "2") debug(`tick ${resources.size} resources`);
        if (rejections.length > 0) {
          setTimeout(() => reject(asError(rejections[0])), 300);
        } else if (Date.now() - started > timeoutMs) {
          reject(new Error(`synth timed out after ${timeoutMs} ms`));
        }
      }, 50);
    });
    const outputs = await Promise.race([evaluation, failure]);
    // Let registrations that were started in apply() callbacks settle.
    await new Promise((ok) => setTimeout(ok, 200));
    if (rejections.length > 0) throw asError(rejections[0]);
    if (duplicates.length > 0) throw new Error(`duplicate resource(s): ${duplicates.join(", ")}`);
    const list = [...resources.entries()].map(([key, resource]) => ({
      ...resource,
      ...options.get(key),
    }));
    return {
      app,
      outputs: unsecret(outputs) as Record<string, unknown>,
      resources: list,
      builds,
      invokes: [...invokes, ...[...rpcLog].map((m) => `rpc: ${m}`)].sort(),
    };
  } finally {
    if (timer) clearInterval(timer);
    process.off("unhandledRejection", onRejection);
    server.close();
    rmSync(outfile, { force: true });
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

if (import.meta.main) {
  const stage = process.argv[2] ?? "ci";
  const config = process.argv[3] ? resolve(process.argv[3]) : undefined;
  synth(stage, config ? { config } : {})
    .then((result) => {
      // Exit only once the pipe has taken all of it (stdout to a pipe is asynchronous).
      process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `synth failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
}
