// The optional result mutator every operations call takes as its last argument (the shape of the
// original PHP helpers), built once here for every call instead of overloads per method.
import { checkFunction, checkOptions, checkSignal } from "./validate.js";

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
  return (async (...all: unknown[]) => {
    const [a, b] = all.slice(positional);
    const [given, mutator] = typeof a === "function" ? [undefined, a] : [a, b];
    checkFunction(where, "mutator", mutator);
    const options = checkOptions(where, given as O | undefined);
    checkSignal(where, options.signal);
    const value = await call(all.slice(0, positional) as A, options);
    return typeof mutator === "function" ? mutator(value) : value;
  }) as WithMutator<A, O, T>;
}

/** A helper `(remote, ...args, options?)` that also takes a mutator after its options (or instead of them). */
export interface Call<A extends unknown[], O, T> {
  (remote?: string, ...args: [...A, options?: O]): Promise<T>;
  <R>(remote: string | undefined, ...args: [...A, mutator: Mutator<T, R>]): Promise<Awaited<R>>;
  <R>(remote: string | undefined, ...args: [...A, options: O | undefined, mutator: Mutator<T, R>]): Promise<Awaited<R>>;
}

/** withMutator for a helper whose first argument is the remote and then `arity` positional ones. */
export function call<A extends unknown[], O extends { signal?: AbortSignal | undefined }, T>(
  where: string,
  arity: number,
  run: (remote: string | undefined, args: A, options: O) => Promise<T>,
): Call<A, O, T> {
  // Call is WithMutator with the remote spelled out (optional in the first form).
  return withMutator<[string | undefined, ...A], O, T>(where, arity + 1, ([remote, ...args], options) =>
    run(remote, args as unknown as A, options),
  ) as unknown as Call<A, O, T>;
}
