// What the CLI reads of the machine it runs on, under Node: files (its configuration), the home
// folder, and whether exec runs on a terminal. scripts/build-native.mjs puts host-bun.ts in this
// file's place in the native command, where node:fs, node:os, node:path and the process's std
// streams would cost every command several MiB of peak memory (docs/native-cli.md).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { PlainStdio } from "./plain-stdio.js";

export type { PlainStdio } from "./plain-stdio.js";

/** Whether something is at `path` (as `existsSync`). */
export const pathExists = async (path: string): Promise<boolean> => existsSync(path);

/** A text file's contents; rejects when it cannot be read. */
export const readText = async (path: string): Promise<string> => readFileSync(path, "utf8");

export const homeDir = (): string => homedir();

export const joinPath = join;

/** Whether stdin and stdout are both terminals: exec's default for `-t`. */
export const stdioIsTerminal = async (): Promise<boolean> => Boolean(process.stdin.isTTY && process.stdout.isTTY);

/**
 * The process's stdio as plain byte streams, for exec without a terminal, or undefined when the
 * process's own streams are the ones to use (here: always).
 */
export const plainStdio = (): PlainStdio | undefined => undefined;
