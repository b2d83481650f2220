import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** How long a console session lasts without being used again. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** How long a one-time login link is valid. */
export const LINK_TTL_MS = 15 * 60_000;
/** The session cookie: HttpOnly, SameSite=Strict, never readable by a script. */
export const SESSION_COOKIE = "warden_console";

interface Session {
  csrf: string;
  expiresAt: number;
}

/** Equal strings, compared in constant time (of their SHA-256, so lengths do not leak). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const token = () => randomBytes(24).toString("base64url");

/**
 * Who may use the console, in memory (a console is one process: a restart logs everyone
 * out, which is what a local tool should do). People sign in with the API's token in a
 * form, or with a one-time link the runtime prints; scripts send `Authorization: Bearer`.
 * Each session has its own CSRF token, which every form carries and every write checks.
 */
export class ConsoleAuth {
  readonly #token: string;
  readonly #sessions = new Map<string, Session>();
  readonly #links = new Map<string, number>();
  readonly #now: () => number;

  /** @param token - what the login form and `Authorization: Bearer` must present */
  constructor(token: string, now: () => number = Date.now) {
    this.#token = token;
    this.#now = now;
  }

  /** Whether a bearer header carries the token (scripts: no session, no CSRF to check). */
  bearer(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/i.exec(header ?? "");
    return sameSecret(match?.[1], this.#token);
  }

  /** A new one-time login code (the path `/login/once?code=…` takes it, once). */
  issueLink(): string {
    this.#sweep();
    const code = token();
    this.#links.set(code, this.#now() + LINK_TTL_MS);
    return code;
  }

  /** A session for a correct token, else undefined. */
  signIn(given: string | undefined): string | undefined {
    return sameSecret(given, this.#token) ? this.#open() : undefined;
  }

  /** A session for a valid one-time code (which is then spent), else undefined. */
  redeem(code: string | undefined): string | undefined {
    if (!code) return undefined;
    const expiresAt = this.#links.get(code);
    this.#links.delete(code);
    return expiresAt !== undefined && expiresAt > this.#now() ? this.#open() : undefined;
  }

  /** The CSRF token of a live session (renewing it), or undefined. */
  session(id: string | undefined): { csrf: string } | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (!s || s.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    s.expiresAt = this.#now() + SESSION_IDLE_MS;
    return { csrf: s.csrf };
  }

  signOut(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  #open(): string {
    this.#sweep();
    const id = token();
    this.#sessions.set(id, { csrf: token(), expiresAt: this.#now() + SESSION_IDLE_MS });
    return id;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
    for (const [code, at] of this.#links) if (at <= now) this.#links.delete(code);
  }
}
