/// An error a job handler throws to say whether another attempt could succeed.
///
/// Any other error a handler throws counts as retryable: it is recorded, and the job runs again
/// after a backoff until its attempts are used up. Throw ``permanent(_:)`` for failures that no
/// retry can fix (a payload that does not decode, a document type that cannot be read), so the
/// job goes straight to ``JobStatus/failed`` instead of wasting its attempts.
public struct JobFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, stored in the job record: keep secrets and user data out of it.
    public let message: String
    /// Whether the job should run again (subject to its remaining attempts).
    public let isRetryable: Bool

    /// A failure that retrying cannot fix: the job becomes ``JobStatus/failed`` at once.
    public static func permanent(_ message: String) -> JobFailure {
        JobFailure(message: message, isRetryable: false)
    }

    /// A failure that may pass, such as an upstream outage: the job runs again after a backoff.
    public static func retryable(_ message: String) -> JobFailure {
        JobFailure(message: message, isRetryable: true)
    }

    public var description: String { message }
}
