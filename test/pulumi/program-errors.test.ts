/**
 * Invalid configuration stops the program before any resource is registered, naming
 * the key and the fix. Each case loads a freshly compiled copy of the program, so the
 * module-level code runs again with the new configuration.
 */
import { afterAll, describe, expect, it } from "vitest";
import { StackConfigError } from "../../config/stack";
import { PROJECT, SECRET_KEYS, loadProgramExpectingFailure, removeCompiled, stackConfig, type StackName } from "./harness";

async function failure(config: Record<string, string>, secretKeys = SECRET_KEYS, stack: StackName = "staging"): Promise<{ message: string; registered: string[] }> {
  const { error, registered } = await loadProgramExpectingFailure(stack, config, secretKeys);
  // The compiled program has its own copy of the class: compare by name.
  expect((error as Error).name).toBe(StackConfigError.name);
  return { message: (error as Error).message, registered };
}

describe("program: configuration errors", () => {
  afterAll(removeCompiled);
  it("names a malformed customer id by its key and registers nothing", async () => {
    const customers = JSON.parse(stackConfig("staging")[`${PROJECT}:customers`]) as { id: string }[];
    customers[1] = { id: "5A1D2E3F-4B5C-4D6E-8F70-8192A3B4C502" };
    const { message, registered } = await failure({ ...stackConfig("staging"), [`${PROJECT}:customers`]: JSON.stringify(customers) });
    expect(message).toContain("ve-infra:customers[1].id");
    expect(message).toContain("write it in lower case: 5a1d2e3f-4b5c-4d6e-8f70-8192a3b4c502");
    expect(registered).toEqual([]);
  });

  it("names the command that sets a missing password secret", async () => {
    const config = stackConfig("staging");
    delete config[`${PROJECT}:databasePassword`];
    const { message, registered } = await failure(config);
    expect(message).toContain("ve-infra:databasePassword: is not set");
    expect(message).toContain("pulumi config set --secret databasePassword");
    expect(registered).toEqual([]);
  });

  it("refuses a password set without --secret, without printing it", async () => {
    const { message } = await failure(stackConfig("staging"), [`${PROJECT}:planReaderPassword`]);
    expect(message).toContain("ve-infra:databasePassword: is stored in plain text");
    expect(message).not.toContain("db-Pa55word");
  });

  it("refuses prod without protectData", async () => {
    const { message, registered } = await failure({ ...stackConfig("prod"), [`${PROJECT}:protectData`]: "false" }, SECRET_KEYS, "prod");
    expect(registered).toEqual([]);
    expect(message).toContain("ve-infra:protectData: must be true on the prod stack");
  });
});
