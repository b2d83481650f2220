/**
 * One-line JSON logs (CloudWatch and terminals read them alike). Only ids, codes and our
 * own messages are logged: those are built to never contain secrets.
 */
export function log(
  level: "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown> = {},
): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields });
  if (level === "error") console.error(line);
  else if (process.env.WARDEN_QUIET !== "1") console.log(line);
}

/** The safe parts of an error: its name, code and message — never its stack or cause. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      errorName: error.name,
      errorMessage: error.message,
      ...(typeof code === "string" ? { errorCode: code } : {}),
    };
  }
  return { errorName: typeof error };
}
