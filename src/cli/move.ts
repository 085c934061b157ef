// `move`: `copy`'s arguments and flags (copy.ts); within one server a rename or a move to another
// member or project, between servers a copy and then the source deleted.
import type { CommandContext } from "./flags.js";
import { run as copy } from "./copy.js";

export const run = (ctx: CommandContext): Promise<number> => copy(ctx, "move");
