import Foundation
import Synchronization

/// Per-client counters in this process: the limiter without Redis, and the fallback while
/// Redis does not answer.
final class MemoryRateLimiter: RateLimiter {
    private struct Counter {
        var window: Int
        var count: Int
    }

    private let limit: Int
    private let counters = Mutex<[String: Counter]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    func admit(_ client: String) async -> RateDecision {
        let (window, remaining) = RateWindow.current()
        let count = counters.withLock { counters in
            // Counters of past windows are dead weight: drop them when the table grows.
            if counters.count > 10_000 { counters = counters.filter { $0.value.window == window } }
            var counter = counters[client].flatMap { $0.window == window ? $0 : nil } ?? Counter(window: window, count: 0)
            counter.count += 1
            counters[client] = counter
            return counter.count
        }
        return RateDecision(allowed: count <= limit, retryAfterSeconds: remaining)
    }
}
