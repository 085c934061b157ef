// One options vocabulary for every call: a signal, and for what lives in a project, the project
// (the connection's unless the call names its own). Each family's options extend one of these.

/** What every call takes. */
export interface CallOptions {
  /** Aborts the call: AbortError, nothing left half-done by the library. */
  signal?: AbortSignal;
}

/** A call on something that lives in a project (instances, images, files, profiles, …). */
export interface ProjectOptions extends CallOptions {
  /** The project, instead of the connection's (or the server's default). */
  project?: string;
}
