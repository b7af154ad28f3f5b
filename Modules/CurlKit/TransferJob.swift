import Synchronization

/// One ``HTTPClient/send(_:)`` call on its way through the worker pool.
///
/// The continuation is resumed exactly once, by whoever gets to it first: the worker that ran
/// the transfer, the pool when the client shuts down, or the cancellation handler when the job
/// was still queued. The cancelled flag is read by the running transfer's progress callback,
/// which then aborts it.
final class TransferJob: Sendable {
    let request: HTTPRequest
    let deadline: ContinuousClock.Instant
    let timeout: Duration
    private let continuation = Mutex<CheckedContinuation<HTTPResponse, any Error>?>(nil)
    private let cancelled = Atomic<Bool>(false)

    init(request: HTTPRequest, timeout: Duration) {
        self.request = request
        self.timeout = timeout
        self.deadline = ContinuousClock.now + timeout
    }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    func markCancelled() { cancelled.store(true, ordering: .relaxed) }

    /// Stores the continuation; returns false (and resumes it with `CancellationError`) when the
    /// job was cancelled before it could be queued.
    func install(_ continuation: CheckedContinuation<HTTPResponse, any Error>) -> Bool {
        self.continuation.withLock { $0 = continuation }
        if isCancelled {
            finish(.failure(CancellationError()))
            return false
        }
        return true
    }

    /// Resumes the caller, the first time only.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        let waiting = continuation.withLock { stored -> CheckedContinuation<HTTPResponse, any Error>? in
            defer { stored = nil }
            return stored
        }
        waiting?.resume(with: result)
    }
}
