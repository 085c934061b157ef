// The optional result mutator every helper takes as its last argument, after its options:
// `lxd.instances.get("local", "c1", (i) => i.status)`. One implementation of the
// `(options?, mutator?)` tail, so each helper is written once, as `(remote, args, options)`.
import { checkFunction, checkOptions, checkSignal } from "./validate.js";

/** Transforms a call's result; may be async. */
export type Mutator<T, R> = (value: T) => R | Promise<R>;

/** A helper `(remote, ...args, options?)` that also takes a mutator after its options (or instead of them). */
export interface Call<A extends unknown[], O, T> {
  (remote?: string, ...args: [...A, options?: O]): Promise<T>;
  <R>(remote: string | undefined, ...args: [...A, mutator: Mutator<T, R>]): Promise<Awaited<R>>;
  <R>(remote: string | undefined, ...args: [...A, options: O | undefined, mutator: Mutator<T, R>]): Promise<Awaited<R>>;
}

/** Splits `(options?, mutator?)` where either may be omitted, and checks both. */
export function tail<O extends object, M>(where: string, a: O | M | undefined, b: M | undefined): [O, M | undefined] {
  const [options, mutator] = typeof a === "function" ? [undefined, a as M] : [a as O | undefined, b];
  checkFunction(where, "mutator", mutator);
  const o = checkOptions(where, options);
  checkSignal(where, (o as { signal?: unknown }).signal);
  return [o, mutator];
}

export async function apply<T>(value: T, mutator: Mutator<T, unknown> | undefined): Promise<unknown> {
  return mutator ? await mutator(value) : value;
}

/**
 * A helper with `arity` positional arguments after the remote, then `(options?, mutator?)`.
 * `run` gets the checked options; its result goes through the mutator.
 */
export function call<A extends unknown[], O extends object, T>(
  where: string,
  arity: number,
  run: (remote: string | undefined, args: A, options: O) => Promise<T>,
): Call<A, O, T> {
  return (async (remote: string | undefined, ...rest: unknown[]) => {
    const [options, mutator] = tail<O, Mutator<T, unknown>>(where, rest[arity] as O, rest[arity + 1] as Mutator<T, unknown>);
    return apply(await run(remote, rest.slice(0, arity) as A, options), mutator);
  }) as Call<A, O, T>;
}
