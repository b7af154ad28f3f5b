import Foundation
import Logging

/// What a job handler gets besides its payload: who it is, a progress reporter and a logger.
///
/// Cancellation is Swift's own: the handler's task is cancelled when the job times out, when its
/// lease is lost to another worker, or when a shutdown's grace period runs out. Long handlers
/// should check `Task.isCancelled` (or call `try Task.checkCancellation()`) between steps, and
/// can rely on cancellable awaits (`Task.sleep`, cooperative I/O) to end early.
public struct JobContext: Sendable {
    /// The job's id.
    public let jobID: String
    /// The task name the job was enqueued under.
    public let type: String
    /// Which attempt this is, from 1.
    public let attempt: Int
    /// The JSON payload given at enqueue.
    public let payload: Data
    /// A logger with `job.id`, `job.type` and `job.attempt` set.
    public let logger: Logger

    private let progressSink: @Sendable (Double, String?) async -> Void

    init(jobID: String, type: String, attempt: Int, payload: Data, logger: Logger,
         progress: @escaping @Sendable (Double, String?) async -> Void) {
        self.jobID = jobID
        self.type = type
        self.attempt = attempt
        self.payload = payload
        self.logger = logger
        self.progressSink = progress
    }

    /// The payload decoded from JSON.
    ///
    /// - Throws: ``JobFailure/permanent(_:)`` when it does not decode: the same payload will not
    ///   decode on a retry either.
    public func decodePayload<Payload: Decodable>(as type: Payload.Type = Payload.self) throws -> Payload {
        do {
            return try JSONDecoder().decode(Payload.self, from: payload)
        } catch {
            throw JobFailure.permanent("the payload of this \(self.type) job is not a valid \(Payload.self): \(error)")
        }
    }

    /// Records how far the job has come, from 0 to 1, with an optional message for operators.
    ///
    /// Best effort: a report that cannot be stored (the broker is unreachable, the lease was
    /// lost) is logged and dropped rather than failing the job.
    public func reportProgress(_ fraction: Double, message: String? = nil) async {
        await progressSink(fraction, message)
    }
}
