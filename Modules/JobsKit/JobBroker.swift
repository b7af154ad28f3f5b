import Foundation
import Logging

/// One delivery of a job to a worker: which job, and the broker's handle on this delivery.
struct JobDelivery: Sendable, Hashable {
    /// The broker's id for this delivery (a stream entry id on Redis).
    let deliveryID: String
    let jobID: String
}

/// A started attempt. The token fences it: once another worker starts the job, every call
/// carrying this lease is refused, so a worker that stalled past its lease can neither renew,
/// report progress, complete nor fail a job that someone else now runs.
struct JobLease: Sendable, Hashable {
    let jobID: String
    let deliveryID: String
    let consumer: String
    let token: String
    let type: String
    /// 1 for the first attempt.
    let attempt: Int
}

/// A finished attempt to record as a success: the lease it ran under and the handler's result.
struct JobCompletion: Sendable {
    let lease: JobLease
    let result: Data?
}

/// What starting a delivered job decided.
enum StartOutcome: Sendable, Equatable {
    /// Run the handler.
    case run(JobLease, payload: Data)
    /// Nothing to run: the job is gone, already finished, or this delivery is stale. The
    /// delivery has been acknowledged.
    case skipped(reason: String)
    /// The job had used up its attempts without finishing any (its workers kept dying): it was
    /// dead-lettered instead of started.
    case deadLettered(type: String)
}

/// What recording a failed attempt decided.
enum FailOutcome: Sendable, Equatable {
    /// Waits in the delayed set until `at`.
    case retrying(at: Date)
    /// Final: ``JobStatus/failed``.
    case failed
    /// Final: ``JobStatus/dead``.
    case dead
    /// The lease was no longer valid; nothing was recorded.
    case stale
}

/// Reads deliveries for one worker, waiting up to a fixed time when there are none.
protocol JobFetcher: Sendable {
    func fetch(consumer: String, max: Int) async throws -> [JobDelivery]
    /// Frees what the fetcher holds (a dedicated blocking connection).
    func close() async
}

/// The worker-facing side of a queue backend, shared by ``Worker``, ``Beat`` and the cleanup
/// task. Internal on purpose: the public surface is ``JobQueue``, and only the two backends of
/// this module implement delivery, leases and fencing.
protocol JobBroker: JobQueue {
    var options: JobQueueOptions { get }

    /// Creates what delivery needs (the consumer group) and returns warnings for the operator.
    func prepare() async throws -> [String]
    /// A fetcher whose reads wait at most `wait`.
    func makeFetcher(wait: Duration) -> any JobFetcher
    /// Takes over deliveries whose lease expired (their worker died or stalled).
    func reclaim(consumer: String, max: Int) async throws -> [JobDelivery]
    func start(_ delivery: JobDelivery, consumer: String, token: String) async throws -> StartOutcome
    /// Starts several deliveries, one token each, in one broker call where the backend can;
    /// one outcome per delivery, in order.
    func start(_ deliveries: [JobDelivery], consumer: String, tokens: [String]) async throws -> [StartOutcome]
    /// Extends the lease; `false` when it was lost to another worker.
    func renew(_ lease: JobLease) async throws -> Bool
    func reportProgress(_ lease: JobLease, fraction: Double, message: String?) async throws -> Bool
    /// Records success and acknowledges; `false` when the lease was lost (nothing recorded).
    func complete(_ lease: JobLease, result: Data?) async throws -> Bool
    /// Records several successes in one broker call where the backend can; one answer per
    /// completion, in order, each meaning what ``complete(_:result:)`` returns.
    func complete(_ completions: [JobCompletion]) async throws -> [Bool]
    /// Records a failed attempt: `retryDelay` nil means permanent.
    func fail(_ lease: JobLease, error: String, retryDelay: Duration?) async throws -> FailOutcome
    /// Hands a delivery that `consumer` fetched (and perhaps started) but did not run back to
    /// the queue. Does nothing once another consumer owns the delivery: a worker that claimed it
    /// after its lease ran out may be running the job.
    func release(_ delivery: JobDelivery, consumer: String) async throws
    /// Moves retrying jobs whose backoff is over back to the queue; returns how many.
    func promoteDue(limit: Int) async throws -> Int
    /// Enqueues with an idempotency key that lives `keyTTL`; also says whether a job was created.
    func enqueue(type: String, payload: Data, idempotencyKey: String?, keyTTL: Duration) async throws -> (id: String, created: Bool)
    /// Repairs stuck work and removes expired bookkeeping (``TaskName/cleanupFailedJobs``).
    func cleanup(except consumer: String) async throws -> CleanupReport
    /// A leadership lease for the beat, shared by every beat on this queue.
    func makeBeatLease(name: String) -> any BeatLease
    /// The last tick the beat dispatched per schedule entry, and recording a new one.
    func lastBeatTick(_ entry: String) async throws -> Date?
    func setLastBeatTick(_ entry: String, _ tick: Date) async throws
    /// Where the diagnostics tasks record executions and completions.
    var diagnosticsLedger: any DiagnosticsLedger { get }
}

/// One call per job, for a backend where a batch costs no less than its parts (in process).
extension JobBroker {
    func start(_ deliveries: [JobDelivery], consumer: String, tokens: [String]) async throws -> [StartOutcome] {
        var outcomes: [StartOutcome] = []
        for (delivery, token) in zip(deliveries, tokens) {
            outcomes.append(try await start(delivery, consumer: consumer, token: token))
        }
        return outcomes
    }

    func complete(_ completions: [JobCompletion]) async throws -> [Bool] {
        var answers: [Bool] = []
        for completion in completions {
            answers.append(try await complete(completion.lease, result: completion.result))
        }
        return answers
    }
}

/// What a ``TaskName/cleanupFailedJobs`` run changed; stored as the job's result.
public struct CleanupReport: Sendable, Equatable, Codable {
    /// Jobs whose delivery had vanished (lost by the broker, trimmed, acknowledged by hand) and
    /// that were put back on the queue.
    public var requeued: Int
    /// Jobs in that state that had used up their attempts, moved to the dead-letter set.
    public var deadLettered: Int
    /// Index entries of records that expired or were deleted.
    public var removedIndexEntries: Int
    /// Worker identities with nothing pending that have been idle for a long time.
    public var removedConsumers: Int

    /// A report; all counts default to zero.
    public init(requeued: Int = 0, deadLettered: Int = 0, removedIndexEntries: Int = 0, removedConsumers: Int = 0) {
        self.requeued = requeued
        self.deadLettered = deadLettered
        self.removedIndexEntries = removedIndexEntries
        self.removedConsumers = removedConsumers
    }

    enum CodingKeys: String, CodingKey {
        case requeued
        case deadLettered = "dead_lettered"
        case removedIndexEntries = "removed_index_entries"
        case removedConsumers = "removed_consumers"
    }
}
