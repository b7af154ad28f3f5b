/// Where a job is in its life.
///
/// ```
/// queued ──▶ running ──▶ succeeded
///    ▲          │ └────▶ failed            (the handler said retrying cannot help)
///    │          ▼
///    └──── retrying ───▶ dead              (attempts used up, or the job kept losing its worker)
/// ```
///
/// `succeeded`, `failed` and `dead` are final: their records expire after the queue's retention
/// period. `failed` and `dead` jobs can be put back on the queue with ``JobQueue/retry(id:)``.
/// The raw values are stored in job records and shown by `recall jobs`, so they never change.
public enum JobStatus: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Waiting for a worker.
    case queued
    /// Delivered to a worker whose handler is running it.
    case running
    /// An attempt failed; the job waits out its backoff before the next one.
    case retrying
    /// The handler finished; ``JobRecord/result`` holds what it returned.
    case succeeded
    /// The handler reported a failure that retrying cannot fix (``JobFailure/permanent(_:)``).
    case failed
    /// Every attempt failed, or the job kept losing its worker: it sits in the dead-letter set.
    case dead

    /// True for `succeeded`, `failed` and `dead`, the statuses a job leaves only by
    /// ``JobQueue/retry(id:)``.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .dead: true
        case .queued, .running, .retrying: false
        }
    }

    public var description: String { rawValue }
}
