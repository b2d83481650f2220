import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createConsole } from "../../console/server.ts";
import { parseFlags } from "../args.ts";
import { isLoopback } from "../connection.ts";
import { EXIT, usageError } from "../errors.ts";
import { openSession } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = { port: { type: "string" }, host: { type: "string" } } as const;

/** Where `warden console` listens unless told otherwise (the local runtime has 8787). */
export const CONSOLE_PORT = 8790;

/**
 * `warden console --api https://…`: the operator console for a deployed API, served on
 * this machine. Its calls to the API are signed with the user's AWS credentials (SigV4),
 * as the CLI's are — no new public endpoint, no second auth system. It listens on
 * loopback only (a console on another interface would lend the user's credentials to
 * the network) and signs people in with a one-time link or a token of its own.
 */
export const consoleCommand: Command = {
  name: "console",
  summary:
    "serve the operator console for an API (a deployed one: signed with your AWS credentials)",
  usage: `usage: warden console [--api URL] [--region R] [--port N]

  Serves the console at http://127.0.0.1:${CONSOLE_PORT}/ (--port moves it; 0 picks a free
  one) until Ctrl-C, and prints a one-time sign-in link. Every page is the API's data and
  every action an API call, signed with SigV4 from your AWS credentials (a loopback --api
  uses the local token). \`npm start\` serves the same console itself.

  --host H       a loopback address to listen on (default 127.0.0.1)`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const port = values.port === undefined ? CONSOLE_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw usageError("--port must be a whole number from 0 to 65535");
    const host = values.host ?? "127.0.0.1";
    if (!isLoopback(host))
      throw usageError(`--host ${host} is not a loopback address`, [
        "the console signs its calls with your credentials: it is served to this machine only",
      ]);
    const session = openSession(io, values);
    // Fails here, with the CLI's message, when the API does not answer or refuses us.
    await session.client.call("GET", "/targets", { query: { limit: 1 } });
    const token = randomBytes(24).toString("base64url");
    const operatorConsole = createConsole({
      api: session.client,
      token,
      log: (message, fields) => session.note(`${message}: ${JSON.stringify(fields)}`),
    });
    const server = createServer(operatorConsole.listener);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const { port: bound } = server.address() as AddressInfo;
    const origin = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
    session.out(`console  ${origin}${operatorConsole.loginPath()}   (a one-time sign-in link)`);
    session.out(`         or sign in at ${origin}/ with the token ${token}`);
    session.out(`         for ${session.client.connection.apiUrl}; Ctrl-C stops`);
    const trap = io.trapInterrupt?.();
    await new Promise<void>((resolve) => {
      if (!trap) return resolve();
      if (trap.signal.aborted) return resolve();
      trap.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    trap?.release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return EXIT.ok;
  },
};
