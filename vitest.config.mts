import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Each file runs in its own process (Pulumi's runtime state is process-global)
    // and works in a database of its own, so files run in parallel safely.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
