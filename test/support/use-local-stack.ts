import { type LocalStack, startLocalStack } from "./local-stack.ts";
import { suiteFixture } from "./suite-fixture.ts";

/** The local runtime for one suite: started before its first test, stopped after its last. */
export function useLocalStack(
  env: Record<string, string> = {},
  setup?: (stack: LocalStack) => Promise<void>,
): LocalStack {
  return suiteFixture(() => startLocalStack(env), setup);
}
