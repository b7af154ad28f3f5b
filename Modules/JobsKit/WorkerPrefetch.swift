import Synchronization

/// How many deliveries a worker fetches at once: beyond its free slots only as many as its
/// handlers are expected to get through within a short horizon.
///
/// A fetched delivery is pending on this worker, so every delivery held beyond the free slots is
/// one another idle worker cannot run, and one whose lease clock is ticking. Fast handlers
/// (no-op jobs, cache warmers) are worth a large batch: one read then feeds hundreds of starts.
/// Slow handlers (ingest) get exactly their free slots, as if there were no prefetch at all.
final class WorkerPrefetch: Sendable {
    /// The most deliveries one fetch takes.
    static let maximumBatch = 256
    /// The most jobs one start takes.
    static let maximumStartBatch = 64
    /// How much work, in handler time, a worker may hold beyond its free slots.
    static let horizon = Duration.milliseconds(20)

    private let concurrency: Int
    /// Moving average of handler durations in nanoseconds; nil before the first one finished.
    private let averageNanoseconds = Mutex<Double?>(nil)

    init(concurrency: Int) {
        self.concurrency = concurrency
    }

    /// Learns from one handler's run time.
    func record(_ duration: Duration) {
        let nanoseconds = Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
        averageNanoseconds.withLock { average in
            average = average.map { $0 * 0.9 + nanoseconds * 0.1 } ?? nanoseconds
        }
    }

    /// How many deliveries to ask for when `free` slots are free.
    func fetchSize(free: Int) -> Int {
        batchSize(free: free, maximum: Self.maximumBatch)
    }

    /// How many fetched deliveries to start at once when `free` slots are free. A started job
    /// counts an attempt, so a worker killed -9 leaves at most this many attempts counted
    /// without a run; with slow handlers it is the free slots, as without batching.
    func startSize(free: Int) -> Int {
        batchSize(free: free, maximum: Self.maximumStartBatch)
    }

    private func batchSize(free: Int, maximum: Int) -> Int {
        guard let average = averageNanoseconds.withLock({ $0 }) else { return free }
        let horizonNanoseconds = Double(Self.horizon.components.attoseconds) / 1e9 + Double(Self.horizon.components.seconds) * 1e9
        // A floor of 10 µs per job: the broker round trips cost at least that, whatever the handler.
        let expected = Double(concurrency) * horizonNanoseconds / max(average, 10_000)
        return min(maximum, max(free, Int(expected)))
    }
}
