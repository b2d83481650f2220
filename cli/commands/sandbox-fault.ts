import { parseFlags, required } from "../args.ts";
import { localToken, NO_TOKEN_HINT } from "../connection.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import type { Command } from "./command.ts";

/** Where `npm start` puts the Zilliz simulator (WARDEN_PORT + 1). */
const DEFAULT_SIMULATOR = "http://127.0.0.1:8788";

/**
 * `warden sandbox fault`: makes the local Zilliz simulator fail its next backup job, so a
 * failure can be watched end to end without curl.
 */
export const sandboxFaultCommand: Command = {
  name: "sandbox fault",
  summary: "make the Zilliz simulator fail its next backup job",
  usage: `usage: warden sandbox fault --reason R [--cluster ID] [--url URL] [--token T]

  Queues a fail-next-job fault on the Zilliz simulator: the next backup job (only of
  cluster ID when given) ends FAILED with reason R.
  --url     the simulator, default ${DEFAULT_SIMULATOR} (npm start's WARDEN_PORT + 1)
  --token   the local runtime's token (default WARDEN_TOKEN, else .warden/token)`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      reason: { type: "string" },
      cluster: { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
    });
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const reason = required(values.reason, "--reason");
    const base = (values.url ?? DEFAULT_SIMULATOR).replace(/\/+$/, "");
    const token = localToken(values, io);
    if (token === undefined) throw usageError("no token for the simulator", NO_TOKEN_HINT);
    const fault = {
      kind: "fail-next-job",
      reason,
      // The simulator matches faults on the request path, which names the cluster.
      ...(values.cluster ? { match: { path: `/v2/clusters/${values.cluster}/**` } } : {}),
    };
    let response: Response;
    try {
      response = await io.fetch(`${base}/__sandbox/faults`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(fault),
      });
    } catch {
      throw new CliError(EXIT.unavailable, `cannot reach the Zilliz simulator at ${base}`, {
        lines: ["is `npm start` running? (--url points elsewhere)"],
      });
    }
    if (response.status === 401) {
      throw new CliError(EXIT.usage, "the simulator refused the token (HTTP 401)", {
        lines: NO_TOKEN_HINT,
      });
    }
    if (!response.ok) {
      const status = response.status;
      throw new CliError(
        status >= 500 ? EXIT.unavailable : EXIT.refused,
        `the simulator refused the fault (HTTP ${status}): ${await response.text()}`,
      );
    }
    io.stdout.write(
      `the next backup job${values.cluster ? ` of ${values.cluster}` : ""} will fail: ${reason}\n`,
    );
    return EXIT.ok;
  },
};
