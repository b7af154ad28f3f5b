import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a ``Worker`` runs: how many jobs at once, how long to drain, how long to block.
///
/// The job semantics (attempts, backoff, leases, retention) belong to the queue
/// (``JobQueueOptions``); these are the worker process's own knobs.
public struct WorkerConfiguration: Sendable {
    /// Jobs run at the same time (`WORKER_CONCURRENCY`, `run --concurrency`); at least 1. A
    /// worker holds more deliveries than that only while its handlers are fast: what they are
    /// expected to get through in about 20 ms, at most 256 (see ``Worker``).
    public var concurrency: Int
    /// After SIGTERM, how long running jobs may take to finish (`WORKER_SHUTDOWN_GRACE_SECONDS`).
    /// Jobs still running after it are cancelled and left unacknowledged: another worker claims
    /// them once their lease expires.
    public var shutdownGracePeriod: Duration
    /// The longest a read waits for a new job. Shutdown takes at most this long to stop fetching,
    /// so keep it short.
    public var pollInterval: Duration
    /// Return from ``Worker/run()`` once the whole queue has nothing queued, running or retrying,
    /// instead of waiting for more (for draining a backlog in a benchmark or a one-off job run).
    public var exitWhenIdle: Bool
    /// This worker's name in the consumer group and in job records; unique per process.
    public var consumerName: String

    /// A configuration; the defaults match the settings' defaults.
    public init(
        concurrency: Int = 4,
        shutdownGracePeriod: Duration = .seconds(25),
        pollInterval: Duration = .seconds(1),
        exitWhenIdle: Bool = false,
        consumerName: String = WorkerConfiguration.uniqueConsumerName()
    ) {
        self.concurrency = max(1, concurrency)
        self.shutdownGracePeriod = max(.zero, shutdownGracePeriod)
        self.pollInterval = min(max(pollInterval, .milliseconds(10)), .seconds(30))
        self.exitWhenIdle = exitWhenIdle
        self.consumerName = consumerName
    }

    /// `host-pid-random`: names the machine and process for an operator reading a job record,
    /// and stays unique when a pid is reused after a restart.
    public static func uniqueConsumerName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6).lowercased())"
    }
}
