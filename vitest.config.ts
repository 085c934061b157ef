import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    environment: "node",
    // Node 20 has no global WebSocket without it; MSW's WebSocket mocks need one.
    execArgv: ["--experimental-websocket"],
    // The real-LXD suites share one daemon: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
