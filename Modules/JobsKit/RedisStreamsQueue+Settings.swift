import ConfigKit
import Logging
import MetricsKit
import RedisKit

extension JobQueueOptions {
    /// Retries, leases and retention as `JOB_MAX_ATTEMPTS`, `JOB_BACKOFF_BASE_MS`,
    /// `JOB_BACKOFF_MAX_MS`, `JOB_LEASE_SECONDS` and `JOB_RETENTION_SECONDS` set them.
    public init(settings jobs: JobSettings) {
        self.init(
            retry: RetryPolicy(
                maxAttempts: jobs.maxAttempts,
                baseDelay: .milliseconds(jobs.backoffBaseMilliseconds),
                maxDelay: .milliseconds(jobs.backoffMaxMilliseconds)
            ),
            lease: .seconds(jobs.leaseSeconds),
            retention: .seconds(jobs.retentionSeconds)
        )
    }
}

extension RedisStreamsQueue {
    /// The queue every Recall program shares: on the broker (`BROKER_URL`, else the cache's
    /// Redis) under `JOB_KEY_PREFIX`, with the options from the settings.
    ///
    /// - Returns: `nil` when no broker is configured (no Redis at all); the caller owns the
    ///   returned client and shuts it down.
    /// - Throws: `RedisError` when the broker URL cannot be used.
    public static func open(
        settings: Settings, metrics: RecallMetrics? = nil, logger: Logger? = nil
    ) throws -> (queue: RedisStreamsQueue, redis: RedisClient)? {
        guard let broker = settings.jobs.broker else { return nil }
        let configuration = try RedisConfiguration(url: broker.url, poolSize: settings.redisPoolSize)
        let redis = RedisClient(configuration: configuration, logger: logger)
        let queue = RedisStreamsQueue(redis: redis, keyPrefix: settings.jobs.keyPrefix,
                                      options: JobQueueOptions(settings: settings.jobs), metrics: metrics, logger: logger)
        return (queue, redis)
    }
}
