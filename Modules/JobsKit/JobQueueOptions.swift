/// What every queue backend needs to know about job semantics: retries, leases and retention.
///
/// Processes sharing one queue should use the same options; the apps build them from
/// `JOB_MAX_ATTEMPTS`, `JOB_BACKOFF_*`, `JOB_LEASE_SECONDS` and `JOB_RETENTION_SECONDS`.
public struct JobQueueOptions: Sendable, Hashable {
    /// Attempts and backoff.
    public var retry: RetryPolicy
    /// How long a running job stays with its worker without a renewal. Workers renew every
    /// third of it while a handler runs, so only a worker that died or stalled loses its jobs,
    /// and they are claimed again about this long after its last renewal.
    public var lease: Duration
    /// How long records of finished jobs, and idempotency keys, are kept.
    public var retention: Duration

    /// Options; the defaults match the settings' defaults.
    public init(retry: RetryPolicy = RetryPolicy(), lease: Duration = .seconds(30), retention: Duration = .seconds(604_800)) {
        self.retry = retry
        self.lease = max(lease, .milliseconds(100))
        self.retention = max(retention, .seconds(1))
    }
}
