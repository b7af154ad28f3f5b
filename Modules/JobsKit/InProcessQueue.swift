import Foundation
import MetricsKit
import Synchronization

/// A job queue inside one process: the embedded default when no Redis is configured (`make run`).
///
/// It keeps the same promises as ``RedisStreamsQueue`` within its process (they pass one
/// conformance suite): leases and reclaiming, fencing, retries with backoff, the dead-letter
/// set, idempotency keys and record retention. What it cannot do is outlive the process: its
/// jobs are gone when the process exits, so the server reports it as the in-process backend.
///
/// Lifecycle: nothing runs in the background; a ``Worker`` and a ``Beat`` drive it.
///
/// ```swift
/// let queue = InProcessQueue()
/// let worker = Worker(queue: queue, handlers: handlers, logger: logger)
/// try await queue.enqueue(type: TaskName.cleanupFailedJobs, payload: Data("{}".utf8))
/// ```
public final class InProcessQueue: JobQueue, Sendable {
    /// Retries, leases and retention.
    public let options: JobQueueOptions

    let metrics: JobMetricsSink
    let state = Mutex(InProcessQueueState())
    let ledger = InMemoryDiagnosticsLedger()
    let beatLeaseHolder = InProcessBeatLease.Holder()

    /// An empty queue.
    ///
    /// - Parameters:
    ///   - options: Retries, leases and retention.
    ///   - metrics: Receives `jobs_enqueued_total`; `nil` records nothing.
    public init(options: JobQueueOptions = JobQueueOptions(), metrics: RecallMetrics? = nil) {
        self.options = options
        self.metrics = JobMetricsSink(metrics)
    }

    // MARK: - JobQueue

    @discardableResult
    public func enqueue(type: String, payload: Data, idempotencyKey: String?) async throws -> String {
        try await enqueue(type: type, payload: payload, idempotencyKey: idempotencyKey, keyTTL: options.retention).id
    }

    public func record(id: String) async throws -> JobRecord? {
        let now = Date()
        return state.withLock { $0.live(id, now: now)?.record }
    }

    public func list(status: JobStatus, limit: Int) async throws -> [JobRecord] {
        try JobQueueArguments.check(limit: limit)
        let now = Date()
        let matching = state.withLock { state in
            _ = state.expire(now: now)
            return state.jobs.values.map(\.record).filter { $0.status == status }
        }
        return Array(matching.sorted { $0.updatedAt > $1.updatedAt }.prefix(limit))
    }

    public func counts() async throws -> [JobStatus: Int] {
        let now = Date()
        return state.withLock { state in
            _ = state.expire(now: now)
            var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
            for job in state.jobs.values { counts[job.record.status, default: 0] += 1 }
            return counts
        }
    }

    @discardableResult
    public func retry(id: String) async throws -> Bool {
        let now = Date()
        let (retried, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            guard let job = state.live(id, now: now), [.dead, .failed, .retrying].contains(job.record.status) else {
                return (false, [])
            }
            state.delayed.removeValue(forKey: id)
            if job.record.status != .retrying { state.jobs[id]?.record.attempts = 0 }
            state.jobs[id]?.expiresAt = nil
            state.jobs[id]?.token = nil
            state.jobs[id]?.record.finishedAt = nil
            state.jobs[id]?.record.nextRunAt = nil
            state.enqueueDelivery(of: id, now: now)
            return (true, state.takeWaiters())
        }
        waiters.forEach { $0.resume() }
        return retried
    }

    @discardableResult
    public func purge(status: JobStatus) async throws -> Int {
        try JobQueueArguments.checkPurgeable(status)
        let now = Date()
        return state.withLock { state in
            _ = state.expire(now: now)
            let doomed = state.jobs.filter { $0.value.record.status == status }.map(\.key)
            doomed.forEach { state.jobs.removeValue(forKey: $0) }
            return doomed.count
        }
    }

    // MARK: - Shared internals

    func enqueue(type: String, payload: Data, idempotencyKey: String?, keyTTL: Duration) async throws -> (id: String, created: Bool) {
        try JobQueueArguments.check(type: type, idempotencyKey: idempotencyKey)
        let now = Date()
        let expires = now.addingTimeInterval(Double(RedisStreamsQueue.milliseconds(keyTTL)) / 1000)
        let (result, waiters) = state.withLock { state -> ((String, Bool), [CheckedContinuation<Void, Never>]) in
            if let key = idempotencyKey, let taken = state.unique[key], taken.expires > now {
                return ((taken.id, false), [])
            }
            let id = UUID().uuidString.lowercased()
            if let key = idempotencyKey { state.unique[key] = (id, expires) }
            state.jobs[id] = .init(record: JobRecord(id: id, type: type, payload: payload, idempotencyKey: idempotencyKey, now: now))
            state.enqueueDelivery(of: id, now: now)
            return ((id, true), state.takeWaiters())
        }
        waiters.forEach { $0.resume() }
        if result.1 { metrics.enqueued(type) }
        return result
    }
}
