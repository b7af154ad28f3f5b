import Synchronization

/// Counts hits and misses in this process and reports their ratio.
///
/// Prometheus computes hit rates across the fleet from the counters; this tracker answers the
/// same question locally and at once (for the stats endpoint, `recall-top` and tests) without
/// parsing the exposition. Lock-free, so recording costs two relaxed atomic adds at most.
public final class HitRateTracker: Sendable {
    private let hitCount = Atomic<Int>(0)
    private let missCount = Atomic<Int>(0)

    /// Creates a tracker with no hits and no misses.
    public init() {}

    /// Records one lookup that found a value.
    public func recordHit() {
        hitCount.add(1, ordering: .relaxed)
    }

    /// Records one lookup that found nothing.
    public func recordMiss() {
        missCount.add(1, ordering: .relaxed)
    }

    /// The number of hits recorded so far.
    public var hits: Int { hitCount.load(ordering: .relaxed) }

    /// The number of misses recorded so far.
    public var misses: Int { missCount.load(ordering: .relaxed) }

    /// Hits divided by all lookups, in `0...1`; `0` before the first lookup rather than NaN, so
    /// that it can always be encoded as JSON.
    public var hitRate: Double {
        Self.rate(hits: hits, misses: misses)
    }

    /// The ratio of `hits` to `hits + misses`, or `0` when both are zero.
    public static func rate(hits: Int, misses: Int) -> Double {
        let total = hits + misses
        return total == 0 ? 0 : Double(hits) / Double(total)
    }
}
