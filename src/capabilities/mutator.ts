// The optional result mutator every operations call takes as its last argument (the shape of the
// original PHP helpers), built once here for every call instead of overloads per method.
import type { Where } from "../request/pipeline.js";
import { checkFunction, checkOptions, checkSignal } from "../utils/validate.js";

/** Transforms a call's result; may be async. */
export type Mutator<T, R> = (value: T) => R | Promise<R>;

/** A call `(...args, options?)` that also takes `(...args, mutator)` and `(...args, options, mutator)`. */
export interface WithMutator<A extends unknown[], O, T> {
  (...args: [...A, options?: O]): Promise<T>;
  <R>(...args: [...A, mutator: Mutator<T, R>]): Promise<Awaited<R>>;
  <R>(...args: [...A, options: O, mutator: Mutator<T, R>]): Promise<Awaited<R>>;
}

/**
 * Gives `call` its mutator forms. The first `positional` arguments go to `call` as they are; what
 * follows is `(options?, mutator?)`, either omitted. Options, their signal and the mutator are
 * checked before `call` runs, so nothing is sent for bad input.
 */
export function withMutator<A extends unknown[], O extends { signal?: AbortSignal | undefined }, T>(
  where: string,
  positional: A["length"],
  call: (args: A, options: O) => Promise<T>,
): WithMutator<A, O, T> {
  // The overloads are a typing of this one function: TypeScript cannot check a function against them.
  // Indexing, not destructuring: every call of the library runs through here.
  return (async (...all: unknown[]) => {
    const a = all[positional];
    const fn = typeof a === "function";
    const mutator = fn ? a : all[positional + 1];
    checkFunction(where, "mutator", mutator);
    const options = checkOptions(where, (fn ? undefined : a) as O | undefined);
    checkSignal(where, options.signal);
    if (all.length > positional) all.length = positional; // the rest array is this call's own
    const value = await call(all as A, options);
    return typeof mutator === "function" ? mutator(value) : value;
  }) as WithMutator<A, O, T>;
}

/**
 * What comes before a call's own arguments: the remote's name in the flat form
 * (`lxd.instances.get("local", "c1")`, undefined for the default remote, or a connection's
 * `scope`), nothing on a connection
 * (`lxd.remote("local").instances.get("c1")`). Every capability's API type takes it, so one
 * declaration types both forms (the connection binds the lead: connection.ts).
 */
export type Flat = [remote?: Where];
export type Lead = [] | Flat;

/** A call's parameters: the lead, then its own. */
export type Args<L extends Lead, A extends unknown[]> = [...L, ...A];

/** A helper `(lead..., ...args, options?)` that also takes a mutator after its options (or instead of them). */
export type Call<A extends unknown[], O, T, L extends Lead = Flat> = WithMutator<[...L, ...A], O, T>;

/** withMutator for a helper whose first argument is where it goes and then `arity` positional ones. */
export function call<A extends unknown[], O extends { signal?: AbortSignal | undefined }, T>(
  where: string,
  arity: number,
  run: (at: Where, args: A, options: O) => Promise<T>,
): Call<A, O, T> {
  return withMutator<[Where, ...A], O, T>(where, arity + 1, (all, options) =>
    run(all[0], all.slice(1) as unknown as A, options),
  ) as unknown as Call<A, O, T>;
}
