import type { ParseArgsOptionsConfig } from "node:util";
import { stringify } from "yaml";
import type * as z from "zod";
import { expectPositionals, parseFlags, required } from "./args.ts";
import type { Command } from "./commands/command.ts";
import { loadChecked } from "./documents.ts";
import { EXIT, usageError } from "./errors.ts";
import type { CliIo } from "./io.ts";
import { listAll, parseItems } from "./pages.ts";
import { openSession, type Session } from "./session.ts";

/** How one configuration entity (targets, policies) is read and shown by its commands. */
export interface EntityCli<T extends { id: string }> {
  /** `target`, `policy`. */
  name: string;
  /** `/targets`, `/policies`. */
  path: string;
  schema: z.ZodType<T>;
  create: z.ZodType;
  table(items: T[]): string;
  /** Printed when there is none yet: how to make the first. */
  emptyNote: string;
}

/** `ls`: every entity, as a table (or JSON). */
async function listEntities<T extends { id: string }>(
  entity: EntityCli<T>,
  session: Session,
  positionals: string[],
): Promise<number> {
  expectPositionals(positionals, []);
  const items = await listAll(session, entity.path);
  if (session.json) session.printJson(items);
  else if (items.length === 0) session.note(entity.emptyNote);
  else session.out(entity.table(parseItems(entity.schema, items, entity.name)));
  return EXIT.ok;
}

/** `get <id>`: one entity, as YAML (or JSON). */
async function getEntity<T extends { id: string }>(
  entity: EntityCli<T>,
  session: Session,
  positionals: string[],
): Promise<number> {
  const [id] = expectPositionals(positionals, [`${entity.name}-id`]);
  const { body } = await session.client.call("GET", `${entity.path}/${encodeURIComponent(id!)}`);
  if (session.json) session.printJson(body);
  else session.out(stringify(body).trimEnd());
  return EXIT.ok;
}

/** `add --file <f>`: creates an entity from a YAML or JSON file, checked before sending. */
async function addEntity<T extends { id: string }>(
  entity: EntityCli<T>,
  io: CliIo,
  session: Session,
  positionals: string[],
  file: string | undefined,
): Promise<number> {
  expectPositionals(positionals, []);
  const input = loadChecked(io, required(file, "--file"), entity.create);
  const { body } = await session.client.call("POST", entity.path, { body: input });
  if (session.json) session.printJson(body);
  else session.out(`created ${entity.name} ${entity.schema.parse(body).id}`);
  return EXIT.ok;
}

/** Runs `ls`, `get` or `add` for an entity; `undefined` for another subcommand. */
function entitySubcommand<T extends { id: string }>(
  entity: EntityCli<T>,
  sub: string,
  context: { io: CliIo; session: Session; positionals: string[]; file: string | undefined },
): Promise<number> | undefined {
  const { io, session, positionals, file } = context;
  if (sub === "ls") return listEntities(entity, session, positionals);
  if (sub === "get") return getEntity(entity, session, positionals);
  if (sub === "add") return addEntity(entity, io, session, positionals, file);
  return undefined;
}

/**
 * The `warden targets` / `warden policies` command: `ls` by default, `get`, `add`, and an
 * `rm` of the entity's own (what deleting one means differs).
 */
export function entityCommand<T extends { id: string }, F extends ParseArgsOptionsConfig>(
  entity: EntityCli<T>,
  command: {
    name: string;
    summary: string;
    /** The `rm` line of the usage, after `warden <name> `. */
    rmUsage: string;
    /** Usage paragraphs after the subcommands. */
    notes: string;
    /** Flags besides --file and the common ones. */
    flags: F;
    rm(context: {
      session: Session;
      positionals: string[];
      values: ReturnType<typeof parseFlags<F & typeof FILE_FLAG>>["values"];
    }): Promise<number>;
  },
): Command {
  return {
    name: command.name,
    summary: command.summary,
    usage: entityUsage(entity, command),
    async run(args, io) {
      const [sub = "ls", ...rest] = args[0]?.startsWith("-") ? ["ls", ...args] : args;
      const { values, positionals } = parseFlags(rest, { ...FILE_FLAG, ...command.flags });
      const session = openSession(io, values);
      const file = (values as { file?: string }).file;
      const shared = entitySubcommand(entity, sub, { io, session, positionals, file });
      if (shared) return shared;
      if (sub === "rm") return command.rm({ session, positionals, values });
      throw usageError(`unknown subcommand "${command.name} ${sub}"`, [
        `see warden ${command.name} --help`,
      ]);
    },
  };
}

const FILE_FLAG = { file: { type: "string", short: "f" } } as const;

/** The usage text: `ls`, `get` and `add` as every entity has them, then the entity's own. */
function entityUsage(
  entity: EntityCli<{ id: string }>,
  command: { name: string; rmUsage: string; notes: string },
): string {
  const lines = [
    ["[ls] [--json]"],
    [`get <${entity.name}-id> [--json]`],
    [
      `add --file ${entity.name}.yaml [--json]`,
      `the body of POST /v1${entity.path} (YAML or JSON)`,
    ],
    command.rmUsage.split(/ {2,}/),
  ].map(([syntax, comment]) => [`  warden ${command.name} ${syntax}`, comment] as const);
  const width = Math.max(...lines.filter(([, c]) => c).map(([s]) => s.length)) + 3;
  const body = lines.map(([s, c]) => (c ? s.padEnd(width) + c : s)).join("\n");
  return `usage:\n${body}\n\n${command.notes}`;
}
