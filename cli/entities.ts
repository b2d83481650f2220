import { stringify } from "yaml";
import type * as z from "zod";
import { expectPositionals, required } from "./args.ts";
import { loadChecked } from "./documents.ts";
import { EXIT } from "./errors.ts";
import type { CliIo } from "./io.ts";
import { listAll, parseItems } from "./pages.ts";
import type { Session } from "./session.ts";

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
export async function listEntities<T extends { id: string }>(
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
export async function getEntity<T extends { id: string }>(
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
export async function addEntity<T extends { id: string }>(
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
export function entitySubcommand<T extends { id: string }>(
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
