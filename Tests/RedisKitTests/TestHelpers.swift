import Foundation
import RedisKit
import Synchronization
import TestSupport

/// The shared test Redis that `make test` provides.
func sharedConfiguration(poolSize: Int = 4, commandTimeout: Duration = .seconds(2)) throws -> RedisConfiguration {
    try RedisConfiguration(url: TestServices.url(.redis), poolSize: poolSize, commandTimeout: commandTimeout)
}

/// A key prefix no other test (or earlier run) uses, so suites can share one Redis.
func uniquePrefix(_ name: String) -> String {
    "recall-test:\(name):\(UUID().uuidString.prefix(8)):"
}

/// Retries `attempt` every 50 ms until it returns true or `timeout` passes.
func eventually(timeout: Duration, _ attempt: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await attempt() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await attempt()
}

/// Collects a subscriber's events in the background, so a test can wait for one with a deadline
/// instead of hanging on a stream that never yields.
final class EventRecorder: Sendable {
    private final class Log: Sendable {
        let events = Mutex<[SubscriberEvent]>([])
    }

    private let log = Log()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<SubscriberEvent>) {
        let log = self.log
        task = Task {
            for await event in stream {
                log.events.withLock { $0.append(event) }
            }
        }
    }

    deinit {
        task.cancel()
    }

    var all: [SubscriberEvent] { log.events.withLock { $0 } }

    /// Waits until an event after index `from` satisfies `match`; returns its index.
    func waitFor(after from: Int = -1, timeout: Duration = .seconds(10),
                 _ match: (SubscriberEvent) -> Bool) async -> Int? {
        var found: Int?
        _ = await eventually(timeout: timeout) {
            let snapshot = all
            found = snapshot.indices.first { $0 > from && match(snapshot[$0]) }
            return found != nil
        }
        return found
    }
}
