// The `lxd-fetch` executable as a compiled Bun binary (scripts/build-native.mjs). Unlike
// src/cli.ts it imports no node:v8 or node:module: Bun implements those in JavaScript, and each
// built-in module loaded adds to the start-up memory the binary exists to keep low.
const { main } = await import("./cli/main.js");
process.exitCode = await main(process.argv.slice(2));
