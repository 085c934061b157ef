// Fields that Incus 6.0 adds to, or names differently in, the answers and bodies the helpers
// touch, typed by hand from Incus's own API description (rest-api-6.0.4.yaml, tag v6.0.4) so
// that both servers' answers type-check. The generated types stay LXD's (one spec, one
// generator); these are optional additions, never removals. Each names its API extension.

/** `InstanceState` additions (`instance_state_started_at`; `os_info` from the guest agent, null for containers). */
export interface IncusInstanceStateFields {
  /** When the instance started (RFC 3339). */
  started_at?: string;
  os_info?: { os?: string; os_version?: string; kernel_version?: string; hostname?: string; fqdn?: string } | null;
}

/**
 * `CertificatesPost` in Incus: the trust token goes in `trust_token`, where LXD 5.0 takes it in
 * `password` (which Incus no longer has), and a certificate may carry a `description`.
 */
export interface IncusCertificatesPostFields {
  trust_token?: string;
  description?: string;
}

/** Lifecycle event metadata additions (`event_lifecycle_name_and_project`). */
export interface IncusLifecycleFields {
  /** The name of the entity the event is about (an instance's name, ...). */
  name?: string;
  project?: string;
}
