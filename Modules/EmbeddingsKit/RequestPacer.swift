import Synchronization

/// Spaces requests evenly to stay under a requests-per-minute limit.
///
/// Each caller reserves the next free slot under a lock and sleeps until it: no burst beyond the
/// configured rate, no thundering herd, and a cancelled sleeper simply loses its slot.
final class RequestPacer: Sendable {
    private let interval: Duration
    private let nextSlot = Mutex<ContinuousClock.Instant?>(nil)

    /// `requestsPerMinute` above zero; nil means no pacing.
    init?(requestsPerMinute: Int?) {
        guard let requestsPerMinute, requestsPerMinute > 0 else { return nil }
        interval = .seconds(60) / requestsPerMinute
    }

    /// Returns when the caller may send.
    func waitForTurn() async throws {
        let now = ContinuousClock.now
        let slot = nextSlot.withLock { next -> ContinuousClock.Instant in
            let slot = max(next ?? now, now)
            next = slot + interval
            return slot
        }
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
