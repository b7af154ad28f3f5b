/// The job queue, worker and beat settings (`BROKER_URL`, `JOB_*`, `WORKER_*`, `BEAT_*`).
///
/// Kept apart from the rest of ``Settings`` because only `recall-worker` and the server's
/// enqueueing side read them. `BEAT_SCHEDULE` is kept as written: its grammar (cron and
/// intervals) belongs to JobsKit, which reports a bad entry when the beat starts.
public struct JobSettings: Sendable, Equatable {
    /// The Redis that holds the queue: `BROKER_URL` when set, else the cache's Redis; `nil` when
    /// neither is configured (the in-process queue).
    public var broker: Settings.RedisEndpoint?
    /// True when `BROKER_URL` names a broker of its own rather than reusing the cache's Redis.
    public var brokerIsSeparate: Bool
    /// Prefix of every queue key in the broker.
    public var keyPrefix: String
    /// Attempts before a failing job is dead-lettered.
    public var maxAttempts: Int
    /// How long a running job's lease lasts without renewal, in seconds.
    public var leaseSeconds: Int
    /// How long finished records and idempotency keys are kept, in seconds.
    public var retentionSeconds: Int
    /// Delay before the first retry, in milliseconds.
    public var backoffBaseMilliseconds: Int
    /// Longest delay between attempts, in milliseconds.
    public var backoffMaxMilliseconds: Int
    /// Jobs one worker process runs at once.
    public var workerConcurrency: Int
    /// How long running jobs may take to finish after SIGTERM, in seconds.
    public var shutdownGraceSeconds: Int
    /// Address of the worker's `/metrics` and `/health`.
    public var metricsHost: String
    /// Port of the worker's `/metrics` and `/health`; 0 means not served.
    public var metricsPort: Int
    /// The beat's schedule as written in `BEAT_SCHEDULE`.
    public var beatSchedule: String
    /// The beat leadership lease, in seconds.
    public var beatLeaseSeconds: Int
}

extension Validation {
    mutating func jobSettings(cacheRedis: Settings.RedisEndpoint?) -> JobSettings {
        let brokerURL = optional("BROKER_URL")
        let broker = brokerURL.flatMap { parseRedisURL($0, variable: "BROKER_URL") }
        let base = integer("JOB_BACKOFF_BASE_MS", in: 1...86_400_000)
        let maximum = integer("JOB_BACKOFF_MAX_MS", in: 1...86_400_000)
        if maximum < base {
            report("JOB_BACKOFF_MAX_MS", String(maximum), "is below JOB_BACKOFF_BASE_MS (\(base))",
                   fix: "set JOB_BACKOFF_MAX_MS to at least JOB_BACKOFF_BASE_MS")
        }
        return JobSettings(
            broker: brokerURL == nil ? cacheRedis : broker,
            brokerIsSeparate: brokerURL != nil,
            keyPrefix: jobKeyPrefix(),
            maxAttempts: integer("JOB_MAX_ATTEMPTS", in: 1...1000),
            leaseSeconds: integer("JOB_LEASE_SECONDS", in: 1...86_400),
            retentionSeconds: integer("JOB_RETENTION_SECONDS", in: 60...31_536_000),
            backoffBaseMilliseconds: base,
            backoffMaxMilliseconds: max(base, maximum),
            workerConcurrency: integer("WORKER_CONCURRENCY", in: 1...1024),
            shutdownGraceSeconds: integer("WORKER_SHUTDOWN_GRACE_SECONDS", in: 0...3600),
            metricsHost: text("WORKER_METRICS_HOST"),
            metricsPort: integer("WORKER_METRICS_PORT", in: 0...65535),
            beatSchedule: text("BEAT_SCHEDULE"),
            beatLeaseSeconds: integer("BEAT_LEASE_SECONDS", in: 1...3600)
        )
    }

    /// Queue keys are built as `{prefix}:…`: braces or white space in the prefix would break the
    /// Redis Cluster hash tag that keeps every queue key in one slot.
    private mutating func jobKeyPrefix() -> String {
        let value = text("JOB_KEY_PREFIX")
        if value.isEmpty || value.contains(where: { $0 == "{" || $0 == "}" || $0.isWhitespace }) {
            report("JOB_KEY_PREFIX", value, "must be non-empty, without braces or white space",
                   fix: "set JOB_KEY_PREFIX to a plain name such as recall:jobs")
            return "recall:jobs"
        }
        return value
    }
}
