import Foundation
import Logging
import MetricsKit
import RedisKit

/// The job queue on Redis Streams, shared by every server, worker and beat process on one Redis.
///
/// A job is a record (a hash) plus a stream entry that carries its id to a worker through the
/// consumer group `workers`. A worker acknowledges the entry only after the job is finished or
/// its failure recorded, in the same Lua script, so a worker that dies mid-job leaves the entry
/// pending; once its lease has run out another worker claims it (`XAUTOCLAIM`). Failed attempts
/// wait in a sorted set until their backoff is over; a job out of attempts lands in the
/// dead-letter set (the `dead` status index), where it can be inspected and re-queued.
///
/// Queue keys never expire; records of finished jobs expire after
/// ``JobQueueOptions/retention``. Give the broker an eviction policy that cannot evict keys
/// without a TTL (`noeviction` or `volatile-*`); ``checkEvictionPolicy()`` says when it can.
///
/// Lifecycle: the queue owns no connection of its own; it sends through the `RedisClient` it is
/// given, and a ``Worker`` opens one more, dedicated connection for its blocking reads while it
/// runs. Shutting the client down is the owner's business.
///
/// ```swift
/// let redis = RedisClient(configuration: try RedisConfiguration(url: brokerURL))
/// let queue = RedisStreamsQueue(redis: redis, options: JobQueueOptions(retry: RetryPolicy(maxAttempts: 5)))
/// let id = try await queue.enqueue(type: TaskName.cleanupFailedJobs, payload: Data("{}".utf8))
/// ```
public final class RedisStreamsQueue: JobQueue, Sendable {
    /// The prefix of every key of this queue (`JOB_KEY_PREFIX`).
    public var keyPrefix: String { keys.prefix }
    /// Retries, leases and retention.
    public let options: JobQueueOptions

    let redis: RedisClient
    let keys: JobKeys
    let metrics: JobMetricsSink
    let logger: Logger

    /// A queue on `redis` under `keyPrefix`.
    ///
    /// - Parameters:
    ///   - redis: The broker. Its command timeout must not be shorter than a script run; the
    ///     default 2 s is ample.
    ///   - keyPrefix: Every key of the queue starts with `{keyPrefix}:`. Processes with the same
    ///     prefix on the same Redis share one queue.
    ///   - options: Retries, leases and retention.
    ///   - metrics: Receives `jobs_enqueued_total` (and, through a ``Worker``, the other job
    ///     metrics); `nil` records nothing.
    ///   - logger: For broker trouble; `nil` logs nothing.
    public init(
        redis: RedisClient,
        keyPrefix: String = "recall:jobs",
        options: JobQueueOptions = JobQueueOptions(),
        metrics: RecallMetrics? = nil,
        logger: Logger? = nil
    ) {
        self.redis = redis
        self.keys = JobKeys(prefix: keyPrefix)
        self.options = options
        self.metrics = JobMetricsSink(metrics)
        self.logger = logger ?? Logger(label: "JobsKit", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    // MARK: - JobQueue

    @discardableResult
    public func enqueue(type: String, payload: Data, idempotencyKey: String?) async throws -> String {
        try await enqueue(type: type, payload: payload, idempotencyKey: idempotencyKey, keyTTL: options.retention).id
    }

    public func record(id: String) async throws -> JobRecord? {
        let reply = try await redis.send(["HGETALL", keys.record(id)])
        return try Self.fields(of: reply).flatMap(JobRecord.init(fields:))
    }

    public func list(status: JobStatus, limit: Int) async throws -> [JobRecord] {
        try JobQueueArguments.check(limit: limit)
        let reply = try await redis.send(["ZREVRANGE", keys.index(status), "0", String(limit - 1)])
        let ids = (reply.array ?? []).compactMap(\.string)
        guard !ids.isEmpty else { return [] }
        let replies = try await redis.pipeline(ids.map { ["HGETALL", keys.record($0)] })
        // A record that expired between the two round trips is simply left out.
        return try replies.compactMap { try Self.fields(of: $0).flatMap(JobRecord.init(fields:)) }
    }

    public func counts() async throws -> [JobStatus: Int] {
        let replies = try await redis.pipeline(JobKeys.indexedStatuses.map { ["ZCARD", keys.index($0)] })
        var counts: [JobStatus: Int] = [:]
        for (status, reply) in zip(JobKeys.indexedStatuses, replies) {
            counts[status] = try Self.integer(reply, from: "ZCARD")
        }
        return counts
    }

    @discardableResult
    public func retry(id: String) async throws -> Bool {
        try await run(JobScripts.retry, job: id, args: []).int == 1
    }

    @discardableResult
    public func purge(status: JobStatus) async throws -> Int {
        try JobQueueArguments.checkPurgeable(status)
        var deleted = 0
        while true {
            let page = try await redis.send(["ZRANGE", keys.index(status), "0", "499"])
            let ids = (page.array ?? []).compactMap(\.string)
            if ids.isEmpty { return deleted }
            // Every script drops its id from the index, so each page makes progress.
            deleted += try await withThrowingTaskGroup(of: Int.self) { group in
                for id in ids {
                    group.addTask { try await self.run(JobScripts.purge, job: id, args: [status.rawValue]).int ?? 0 }
                }
                return try await group.reduce(0, +)
            }
        }
    }

    /// Warns when the broker's eviction policy may evict queue keys.
    ///
    /// Under an `allkeys-*` policy a full Redis evicts any key, including the stream and the
    /// records of queued jobs, silently. Reads `CONFIG GET maxmemory-policy`, or `INFO memory`
    /// where `CONFIG` is disabled (managed Redis).
    ///
    /// - Returns: A warning for the operator, or `nil` when the policy is safe.
    public func checkEvictionPolicy() async throws -> String? {
        var policy = try? await redis.configGet("maxmemory-policy")["maxmemory-policy"]
        if policy == nil || policy == "" {
            policy = try await redis.info("memory")["maxmemory_policy"]
        }
        guard let policy, policy.hasPrefix("allkeys-") else { return nil }
        return "the job broker \(redis.configuration) has maxmemory-policy \(policy): when it fills up, Redis may evict "
            + "queued jobs and their records without any error. Give the broker maxmemory-policy noeviction or "
            + "volatile-lru (every cache key has a TTL), or point BROKER_URL at a Redis of its own."
    }

    // MARK: - Shared internals

    /// Runs a job script with the standard key layout for `job`; `args` follow the job id.
    func run(_ script: RedisScript, job id: String, unique: String? = nil, args: [String]) async throws -> RESPValue {
        try await redis.evalScript(script, keys: keys.scriptKeys(record: id, unique: unique), args: [id] + args)
    }

    func enqueue(type: String, payload: Data, idempotencyKey: String?, keyTTL: Duration) async throws -> (id: String, created: Bool) {
        try JobQueueArguments.check(type: type, idempotencyKey: idempotencyKey)
        guard let text = String(data: payload, encoding: .utf8) else {
            throw JobQueueError(.invalidArgument, "a job payload must be UTF-8 JSON")
        }
        let id = UUID().uuidString.lowercased()
        let reply = try await run(
            JobScripts.enqueue, job: id, unique: idempotencyKey,
            args: [type, text, String(Self.milliseconds(keyTTL)), idempotencyKey ?? ""]
        )
        guard let parts = reply.array, parts.count == 2, let jobID = parts[0].string, let created = parts[1].int else {
            throw JobQueueError(.unexpectedReply, "unexpected reply to the enqueue script: \(reply)")
        }
        if created == 1 { metrics.enqueued(type) }
        return (jobID, created == 1)
    }

    /// A hash reply (`HGETALL`) as a dictionary; `nil` for a key that does not exist.
    static func fields(of reply: RESPValue) throws -> [String: String]? {
        guard let elements = reply.array, elements.count % 2 == 0 else {
            throw JobQueueError(.unexpectedReply, "expected a hash from Redis, got \(reply)")
        }
        if elements.isEmpty { return nil }
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: elements.count, by: 2) {
            fields[elements[index].string ?? ""] = elements[index + 1].string ?? ""
        }
        return fields
    }

    static func integer(_ reply: RESPValue, from command: String) throws -> Int {
        guard case .integer(let value) = reply else {
            throw JobQueueError(.unexpectedReply, "unexpected reply to \(command): \(reply)")
        }
        return value
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
