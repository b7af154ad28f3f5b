import Prometheus

/// Records cache hits, misses, evictions and errors for one backend.
///
/// Every series is created once, up front, and kept: recording is then one atomic add with no
/// registry lookup, cheap enough for the in-process cache's hot path. Obtain one from
/// ``RecallMetrics/cache(_:)``.
public struct CacheMetrics: Sendable {
    /// The backend whose operations this value records.
    public let backend: CacheBackendLabel
    /// Hits and misses recorded through this value, for a local hit rate.
    public let hitRate: HitRateTracker

    private let hits: Counter
    private let misses: Counter
    private let evictions: Counter
    private let errors: [CacheOperation: Counter]
    /// Only the shared (Redis) cache announces changes, so only it has this series.
    private let unconfirmedChanges: Counter?

    init(registry: PrometheusCollectorRegistry, backend: CacheBackendLabel) {
        self.backend = backend
        self.hitRate = HitRateTracker()
        let labels = [(MetricLabels.backend, backend.rawValue)]
        hits = registry.makeCounter(descriptor: MetricDescriptors.cacheHits, labels: labels)
        misses = registry.makeCounter(descriptor: MetricDescriptors.cacheMisses, labels: labels)
        evictions = registry.makeCounter(descriptor: MetricDescriptors.cacheEvictions, labels: labels)
        var errors: [CacheOperation: Counter] = [:]
        for operation in CacheOperation.allCases {
            errors[operation] = registry.makeCounter(
                descriptor: MetricDescriptors.cacheErrors,
                labels: labels + [(MetricLabels.operation, operation.rawValue)]
            )
        }
        self.errors = errors
        unconfirmedChanges = backend == .redis
            ? registry.makeCounter(descriptor: MetricDescriptors.cacheUnconfirmedChanges, labels: labels) : nil
    }

    /// Records a lookup that found a value.
    public func recordHit() {
        hits.increment()
        hitRate.recordHit()
    }

    /// Records a lookup that found nothing.
    public func recordMiss() {
        misses.increment()
        hitRate.recordMiss()
    }

    /// Records entries dropped to respect the size limit (not expiries, not explicit deletes).
    public func recordEvictions(_ count: Int = 1) {
        guard count > 0 else { return }
        evictions.increment(by: Int64(count))
    }

    /// Records a change that returned before every near cache confirmed it.
    public func recordUnconfirmedChange() {
        unconfirmedChanges?.increment()
    }

    /// Records a failed cache operation.
    public func recordError(_ operation: CacheOperation) {
        // Every operation's counter was made in `init`, so the lookup cannot miss.
        errors[operation]?.increment()
    }
}
