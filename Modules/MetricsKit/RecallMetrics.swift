import CoreMetrics
import Prometheus

/// Recall's metrics: one Prometheus registry, the recorders built on it, and its exposition.
///
/// Each instance owns its registry, so tests make their own and read exact counts without a
/// process-wide bootstrap. A program makes one at start-up, passes it to the parts that record,
/// serves ``exposition()`` at `/metrics`, and may call ``bootstrapSwiftMetrics()`` so that
/// libraries using swift-metrics (Hummingbird's middleware, for example) report into the same
/// registry.
///
/// ```swift
/// let metrics = RecallMetrics()
/// metrics.cache(.memory).recordHit()
/// metrics.ingest.record(.accepted, latency: .milliseconds(12))
/// let body = metrics.exposition()
/// ```
public final class RecallMetrics: Sendable {
    /// The `Content-Type` of ``exposition()``: Prometheus text format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry every series of this instance lives in.
    public let registry: PrometheusCollectorRegistry
    /// Ingest request counts and latencies.
    public let ingest: IngestMetrics
    /// Background job counts, durations and queue depth.
    public let jobs: JobMetrics
    /// HTTP request counts and durations by route template.
    public let http: HTTPMetrics

    private let redisCache: CacheMetrics
    private let memoryCache: CacheMetrics

    /// Creates the recorders, with every bounded series registered at zero.
    ///
    /// Registering up front means `/metrics` lists every series from the first scrape, so a rate
    /// or ratio query has data before the first event.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        redisCache = CacheMetrics(registry: registry, backend: .redis)
        memoryCache = CacheMetrics(registry: registry, backend: .memory)
        ingest = IngestMetrics(registry: registry)
        jobs = JobMetrics(registry: registry)
        http = HTTPMetrics(registry: registry)
    }

    /// The cache recorders for one backend.
    public func cache(_ backend: CacheBackendLabel) -> CacheMetrics {
        switch backend {
        case .redis: redisCache
        case .memory: memoryCache
        }
    }

    /// Every registered series in Prometheus text format, for `GET /metrics`.
    public func exposition() -> String {
        registry.emitToString()
    }

    /// Makes swift-metrics report into this registry, for libraries that record through it.
    ///
    /// swift-metrics allows one bootstrap per process and traps on a second, so only a
    /// program's entry point calls this, never a library or a test.
    public func bootstrapSwiftMetrics() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}
