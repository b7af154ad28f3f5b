import Foundation
import Synchronization

@testable import CacheKit

/// A clock that moves only when a test says so, so TTL tests take no wall time.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { current.withLock { $0 } }

    func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }

    /// The closure `InProcessTTLCache` takes.
    var source: @Sendable () -> ContinuousClock.Instant {
        { self.now }
    }
}

/// A backend that fails every operation, as Redis does while it is down.
struct FailingBackend: CacheBackend {
    struct Outage: Error {}

    var kind: CacheBackendKind = .redis

    func get(_ key: String) async throws -> Data? { throw Outage() }
    func set(_ key: String, value: Data, ttl: Duration) async throws { throw Outage() }
    func delete(_ key: String) async throws -> Bool { throw Outage() }
    func clear() async throws -> Int { throw Outage() }
    func exists(_ key: String) async throws -> Bool { throw Outage() }
    func invalidate(pattern: String) async throws -> Int { throw Outage() }
    func stats() async throws -> CacheStats { throw Outage() }
}

/// Counts calls from many tasks at once.
final class CallCounter: Sendable {
    private let count = Atomic<Int>(0)

    @discardableResult
    func increment() -> Int { count.add(1, ordering: .relaxed).newValue }

    var value: Int { count.load(ordering: .relaxed) }
}

/// Waits (briefly polling) until `condition` holds, failing after `timeout` so a broken test
/// cannot hang the suite.
func waitUntil(
    timeout: Duration = .seconds(10),
    _ condition: @Sendable () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut() }
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct TimedOut: Error {}
