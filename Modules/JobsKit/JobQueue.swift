import Foundation

/// A durable queue of background jobs: what producers, operators and the `recall jobs` commands
/// see of it.
///
/// Two backends conform and pass the same conformance suite: ``RedisStreamsQueue``, shared by
/// every process on one Redis, and ``InProcessQueue``, the embedded default when there is no
/// Redis. Workers (``Worker``) and the scheduler (``Beat``) run against either.
///
/// Delivery is at least once: a job whose worker dies is run again, so handlers must be
/// idempotent (ingest keys its writes by content hash).
///
/// ```swift
/// let id = try await queue.enqueue(type: TaskName.scrapeURL,
///                                  payload: ScrapeURLPayload(jobID: ingestID, url: url),
///                                  idempotencyKey: "scrape:\(ingestID)")
/// let record = try await queue.record(id: id)   // status, attempts, progress, result or error
/// ```
public protocol JobQueue: Sendable {
    /// Puts a job on the queue and returns its id.
    ///
    /// - Parameters:
    ///   - type: The task name a worker's handler is registered under (see ``TaskName``).
    ///   - payload: The handler's input, as JSON.
    ///   - idempotencyKey: When given, a second enqueue with the same key within the retention
    ///     period creates nothing and returns the first job's id.
    /// - Throws: ``JobQueueError`` for an empty type, or the broker's error.
    @discardableResult
    func enqueue(type: String, payload: Data, idempotencyKey: String?) async throws -> String

    /// The job's record, or `nil` when there is no such job (or its record has expired).
    func record(id: String) async throws -> JobRecord?

    /// Up to `limit` jobs with this status, the most recently changed first.
    func list(status: JobStatus, limit: Int) async throws -> [JobRecord]

    /// How many jobs have each status.
    func counts() async throws -> [JobStatus: Int]

    /// Puts a `failed` or `dead` job back on the queue with its attempts reset, or runs a
    /// `retrying` job now instead of after its backoff.
    ///
    /// - Returns: `false` when the job does not exist or has another status.
    @discardableResult
    func retry(id: String) async throws -> Bool

    /// Deletes the records of every job with a final status (`succeeded`, `failed` or `dead`).
    ///
    /// Idempotency keys are kept until they expire, so purging does not let a finished job be
    /// enqueued again under the same key.
    ///
    /// - Returns: How many records were deleted.
    /// - Throws: ``JobQueueError`` (code `notPermitted`) for `queued`, `running` or `retrying`:
    ///   purging work in progress would lose it.
    @discardableResult
    func purge(status: JobStatus) async throws -> Int
}

extension JobQueue {
    /// Puts a job on the queue without an idempotency key.
    @discardableResult
    public func enqueue(type: String, payload: Data) async throws -> String {
        try await enqueue(type: type, payload: payload, idempotencyKey: nil)
    }

    /// Encodes `payload` as JSON and puts the job on the queue.
    @discardableResult
    public func enqueue(type: String, payload: some Encodable, idempotencyKey: String? = nil) async throws -> String {
        try await enqueue(type: type, payload: JSONEncoder().encode(payload), idempotencyKey: idempotencyKey)
    }

    /// Up to 100 jobs with this status, the most recently changed first.
    public func list(status: JobStatus) async throws -> [JobRecord] {
        try await list(status: status, limit: 100)
    }

    /// Up to `limit` jobs in any of `statuses`, the most recently changed first, each job once.
    ///
    /// The statuses are read one after another while workers run, so a job can move from one
    /// read status to the next (queued, then running) and be seen twice; its latest record wins.
    public func list(statuses: [JobStatus], limit: Int) async throws -> [JobRecord] {
        var records: [JobRecord] = []
        for status in statuses { records += try await list(status: status, limit: limit) }
        return Array(JobRecord.latestOfEach(records).prefix(limit))
    }
}

extension JobRecord {
    /// One record per job id, the most recently updated one, ordered most recently updated first
    /// (ties by id, so the order is stable).
    static func latestOfEach(_ records: [JobRecord]) -> [JobRecord] {
        var latest: [String: JobRecord] = [:]
        for record in records where latest[record.id].map({ $0.updatedAt < record.updatedAt }) ?? true {
            latest[record.id] = record
        }
        return latest.values.sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
    }
}

/// Checks shared by both backends, so they refuse the same arguments with the same words.
enum JobQueueArguments {
    static let maximumKeyLength = 512

    static func check(type: String, idempotencyKey: String?) throws {
        if type.isEmpty {
            throw JobQueueError(.invalidArgument, "a job needs a task name: type is empty")
        }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > maximumKeyLength {
            throw JobQueueError(
                .invalidArgument, "an idempotency key must have 1 to \(maximumKeyLength) bytes, got \(key.utf8.count)")
        }
    }

    static func check(limit: Int) throws {
        if limit < 1 {
            throw JobQueueError(.invalidArgument, "list needs a limit of at least 1, got \(limit)")
        }
    }

    static func checkPurgeable(_ status: JobStatus) throws {
        if !status.isFinal {
            throw JobQueueError(
                .notPermitted,
                "only succeeded, failed or dead jobs can be purged; \(status) jobs are still in progress")
        }
    }
}
