import Foundation

/// Everything the queue knows about one job: what it is, where it is, and how it went.
///
/// Returned by ``JobQueue/record(id:)`` and ``JobQueue/list(status:limit:)``. Timestamps come
/// from the broker's clock (Redis `TIME`), so records written by different hosts agree.
public struct JobRecord: Sendable, Equatable {
    /// The job's id, as returned by ``JobQueue/enqueue(type:payload:idempotencyKey:)``.
    public var id: String
    /// The task name, such as `process_document`.
    public var type: String
    /// Where the job is in its life.
    public var status: JobStatus
    /// The JSON payload given at enqueue.
    public var payload: Data
    /// Attempts started so far (reset to zero by ``JobQueue/retry(id:)``).
    public var attempts: Int
    /// Times a worker received the job, including deliveries that found it already finished;
    /// never reset.
    public var deliveries: Int
    /// The last progress the handler reported, from 0 to 1.
    public var progress: Double?
    /// The message that came with the last progress report.
    public var progressMessage: String?
    /// What the handler returned (JSON), once the job succeeded.
    public var result: Data?
    /// The error of the last failed attempt, if any failed.
    public var error: String?
    /// The idempotency key the job was enqueued with.
    public var idempotencyKey: String?
    /// The consumer name of the worker that started the last attempt.
    public var worker: String?
    /// When the job was enqueued.
    public var createdAt: Date
    /// When the record last changed.
    public var updatedAt: Date
    /// When the last attempt started.
    public var startedAt: Date?
    /// When the job reached its final status.
    public var finishedAt: Date?
    /// When a `retrying` job becomes due again.
    public var nextRunAt: Date?
    /// The backoff chosen after each failed attempt so far, oldest first.
    public var retryDelays: [Duration]

    /// Builds a record from a job hash as stored in Redis; `nil` when required fields are missing.
    init?(fields: [String: String]) {
        guard let id = fields["id"], let type = fields["type"],
              let status = fields["status"].flatMap(JobStatus.init(rawValue:)),
              let createdAt = fields["created_at"].flatMap(Self.date) else { return nil }
        self.id = id
        self.type = type
        self.status = status
        self.payload = Data((fields["payload"] ?? "").utf8)
        self.attempts = fields["attempts"].flatMap { Int($0) } ?? 0
        self.deliveries = fields["deliveries"].flatMap { Int($0) } ?? 0
        self.progress = fields["progress"].flatMap { Double($0) }
        self.progressMessage = fields["progress_message"]
        self.result = fields["result"].map { Data($0.utf8) }
        self.error = fields["error"]
        self.idempotencyKey = fields["idempotency_key"]
        self.worker = fields["worker"]
        self.createdAt = createdAt
        self.updatedAt = fields["updated_at"].flatMap(Self.date) ?? createdAt
        self.startedAt = fields["started_at"].flatMap(Self.date)
        self.finishedAt = fields["finished_at"].flatMap(Self.date)
        self.nextRunAt = fields["next_run_at"].flatMap(Self.date)
        self.retryDelays = (fields["backoff_ms"] ?? "").split(separator: ",").compactMap { Int($0) }.map { .milliseconds($0) }
    }

    /// A record made in memory, for ``InProcessQueue``.
    init(id: String, type: String, payload: Data, idempotencyKey: String?, now: Date) {
        self.id = id
        self.type = type
        self.status = .queued
        self.payload = payload
        self.attempts = 0
        self.deliveries = 0
        self.idempotencyKey = idempotencyKey
        self.createdAt = now
        self.updatedAt = now
        self.retryDelays = []
    }

    /// Milliseconds since 1970, as the Lua scripts write them.
    static func date(_ text: String) -> Date? {
        Int64(text).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}
