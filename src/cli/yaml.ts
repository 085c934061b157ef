// The YAML package, imported only by the commands that need it. Its CommonJS build's exports
// object is the default export both bundled into the CLI (where a named import finds nothing)
// and under Node's own loader.
export async function loadYaml(): Promise<typeof import("yaml")> {
  return (await import("yaml")).default;
}
