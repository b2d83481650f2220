import * as z from "zod";
import { CliError, EXIT } from "./errors.ts";
import type { Session } from "./session.ts";

const Page = z.object({ items: z.array(z.unknown()), nextCursor: z.string().optional() });

/** One page of a listing, as raw items (validated by the caller) and the next cursor. */
export async function listPage(
  session: Session,
  path: string,
  query: Record<string, string | number | undefined>,
): Promise<{ items: unknown[]; nextCursor?: string | undefined }> {
  const { body } = await session.client.call("GET", path, { query });
  const page = Page.safeParse(body);
  if (!page.success)
    throw new CliError(EXIT.unexpected, `unexpected answer from GET ${path}: not a page`);
  return page.data;
}

/** Every item of a listing, following `nextCursor` (pages of 100). */
export async function listAll(
  session: Session,
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(session, path, { ...query, limit: 100, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Parses listed items with a schema, failing clearly when the server's shape differs. */
export function parseItems<T>(schema: z.ZodType<T>, items: unknown[], what: string): T[] {
  return items.map((item) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success)
      throw new CliError(
        EXIT.unexpected,
        `unexpected ${what} in the listing: ${parsed.error.message}`,
      );
    return parsed.data;
  });
}
