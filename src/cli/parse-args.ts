// The flag parser: node:util's `parseArgs` in strict mode with positionals allowed, same tokens,
// same values and the same error codes and messages (test/cli-parse-args.test.ts compares the
// two). Its own file because in the native command (Bun) importing node:util costs every
// command about 2–6 MiB of peak memory (docs/native-cli.md), for one function of it. Only what
// the CLI uses: no defaults, no `allowNegative`, no tokens in the result.

export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

type Value<S extends FlagSpec> = S["type"] extends "string" ? string : boolean;

/** The parsed values: each flag given is there, an array when `multiple`. */
export type FlagValues<O extends Record<string, FlagSpec>> = {
  -readonly [K in keyof O]?: O[K]["multiple"] extends true ? Value<O[K]>[] : Value<O[K]>;
};

/** The error node:util throws (a TypeError with a `code`), so callers tell usage errors apart the same way. */
export class ParseArgsError extends TypeError {
  constructor(
    readonly code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" | "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    message: string,
  ) {
    super(message);
  }
}

interface OptionToken {
  name: string;
  rawName: string;
  value: string | undefined;
  inlineValue: boolean;
}

/** Strict parsing of `args` against `options`; every word that is not a flag is a positional. */
export function parseFlags<O extends Record<string, FlagSpec>>(
  args: readonly string[],
  options: O,
): { values: FlagValues<O>; positionals: string[] } {
  const spec = (name: string): FlagSpec | undefined => (Object.hasOwn(options, name) ? options[name] : undefined);
  const longFor = (short: string) => Object.keys(options).find((k) => options[k]!.short === short) ?? short;
  const isString = (name: string) => spec(name)?.type === "string";

  // Words into tokens first, as node:util does; the checks run on the tokens in order.
  const tokens: (OptionToken | string)[] = [];
  const rest = [...args];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg === "--") {
      tokens.push(...rest);
      break;
    }
    if (arg.length === 2 && arg[0] === "-" && arg[1] !== "-") {
      // -c [value]: a string flag takes the next word, whatever it looks like (checked below).
      const name = longFor(arg[1]!);
      const takes = isString(name) && rest.length > 0;
      tokens.push({ name, rawName: arg, value: takes ? rest.shift() : undefined, inlineValue: false });
      continue;
    }
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
      const first = longFor(arg[1]!);
      if (!isString(first)) {
        // -tf or -tcVALUE: one flag per letter, and a string flag takes the rest of the word.
        const expanded: string[] = [];
        for (let i = 1; i < arg.length; i++) {
          const letter = arg[i]!;
          if (!isString(longFor(letter)) || i === arg.length - 1) expanded.push(`-${letter}`);
          else {
            expanded.push(`-${arg.slice(i)}`);
            break;
          }
        }
        rest.unshift(...expanded);
        continue;
      }
      tokens.push({ name: first, rawName: `-${arg[1]}`, value: arg.slice(2), inlineValue: true });
      continue;
    }
    if (arg.length > 2 && arg.startsWith("--")) {
      const eq = arg.indexOf("=", 3);
      if (eq < 0) {
        const name = arg.slice(2);
        const takes = isString(name) && rest.length > 0;
        tokens.push({ name, rawName: arg, value: takes ? rest.shift() : undefined, inlineValue: false });
      } else {
        const name = arg.slice(2, eq);
        tokens.push({ name, rawName: `--${name}`, value: arg.slice(eq + 1), inlineValue: true });
      }
      continue;
    }
    tokens.push(arg);
  }

  const values: Record<string, string | boolean | (string | boolean)[]> = Object.create(null);
  const positionals: string[] = [];
  for (const token of tokens) {
    if (typeof token === "string") {
      positionals.push(token);
      continue;
    }
    const option = spec(token.name);
    if (!option) {
      throw new ParseArgsError(
        "ERR_PARSE_ARGS_UNKNOWN_OPTION",
        `Unknown option '${token.rawName}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- ${JSON.stringify(token.rawName)}`,
      );
    }
    const shortAndLong = `${option.short ? `-${option.short}, ` : ""}--${token.name}`;
    if (option.type === "string" && token.value === undefined) {
      throw new ParseArgsError("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", `Option '${shortAndLong} <value>' argument missing`);
    }
    if (option.type === "boolean" && token.value !== undefined) {
      throw new ParseArgsError("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", `Option '${shortAndLong}' does not take an argument`);
    }
    if (!token.inlineValue && token.value !== undefined && token.value.length > 1 && token.value[0] === "-") {
      const example = token.rawName.startsWith("--") ? `'${token.rawName}=-XYZ'` : `'--${token.name}=-XYZ' or '${token.rawName}-XYZ'`;
      throw new ParseArgsError(
        "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
        `Option '${token.rawName}' argument is ambiguous.\nDid you forget to specify the option argument for '${token.rawName}'?\nTo specify an option argument starting with a dash use ${example}.`,
      );
    }
    const value = token.value ?? true;
    const previous = values[token.name];
    if (!option.multiple) values[token.name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else values[token.name] = [value];
  }
  return { values: values as FlagValues<O>, positionals };
}
