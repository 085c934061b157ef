// Tokens in a file, for the CLI and scripts (Node, Bun): JSON, mode 0600, written whole through
// a temporary file and a rename, so a crash never leaves half a token file.
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { OidcTokens, TokenStore } from "./types.js";

export function fileTokenStore(path: string): TokenStore {
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, "utf8")) as OidcTokens;
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        // The file's text may hold a token: only the error's kind goes on.
        throw new Error(`token file ${path} is unreadable (${(err as { code?: string }).code ?? (err as Error).name})`);
      }
    },
    async save(tokens) {
      if (tokens === undefined) return rm(path, { force: true });
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(tokens), { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, path);
    },
  };
}
