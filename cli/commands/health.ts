import * as z from "zod";
import { parseFlags } from "../args.ts";
import { EXIT, usageError } from "../errors.ts";
import { openSession } from "../session.ts";
import type { Command } from "./command.ts";

const Health = z.looseObject({ status: z.string(), version: z.string().optional() });

/** `warden health`: is the API up (needs no token). */
export const healthCommand: Command = {
  name: "health",
  summary: "check that the API answers (no token needed)",
  usage: "usage: warden health [--json]",
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {});
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const session = openSession(io, values);
    const { body } = await session.client.call("GET", "/health", { auth: false });
    if (session.json) session.printJson(body);
    else {
      const health = Health.parse(body);
      session.out(
        `${health.status} (version ${health.version ?? "?"}) at ${session.client.connection.apiUrl}`,
      );
    }
    return EXIT.ok;
  },
};
