import { defineConfig } from "vitest/config";

// Two groups, one after the other. First the files that need no server (MSW, the virtual LXD,
// local TLS servers) on both cores, with the one slow real-server file that is mostly waiting:
// the 60 s OIDC session against Incus, which nothing else touches while the first group runs.
// Then the real-server suites, one file at a time: they share the daemons, and some stop
// containers or restart a daemon.
const LONG_IDLE = ["test/integration/oidc-long-session.test.ts"];

export default defineConfig({
  test: {
    environment: "node",
    // Node 20 has no global WebSocket without it; MSW's WebSocket mocks need one.
    execArgv: ["--experimental-websocket"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "no-server",
          include: ["test/*.test.ts", "examples/**/*.test.ts", ...LONG_IDLE],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "real-servers",
          include: ["test/integration/**/*.test.ts"],
          exclude: LONG_IDLE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
