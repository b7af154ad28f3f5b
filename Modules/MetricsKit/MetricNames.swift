/// The metric names Recall exposes, exactly as the seed's dashboards and alert rules query them.
///
/// These strings are a contract with Prometheus rules and Grafana panels that live outside this
/// package: renaming one silently breaks a dashboard, so they are spelled out here once and every
/// recorder builds its series from these constants.
public enum MetricNames {
    /// Counter of cache lookups that found a value, labelled by ``MetricLabels/backend``.
    public static let cacheHits = "cache_hits_total"
    /// Counter of cache lookups that found nothing, labelled by ``MetricLabels/backend``.
    public static let cacheMisses = "cache_misses_total"
    /// Counter of entries the cache dropped to stay within its size limit, labelled by
    /// ``MetricLabels/backend``.
    public static let cacheEvictions = "cache_evictions_total"
    /// Counter of failed cache operations, labelled by ``MetricLabels/backend`` and
    /// ``MetricLabels/operation``.
    public static let cacheErrors = "cache_errors_total"
    /// Counter of ingest requests, labelled by ``MetricLabels/status``.
    public static let ingestRequests = "ingest_requests_total"
    /// Histogram of ingest request latency in seconds, labelled by ``MetricLabels/status``.
    public static let ingestLatency = "ingest_latency_seconds"
}

/// The label names Recall's metrics carry.
///
/// Every label value comes from a closed enumeration (``CacheBackendLabel``, ``CacheOperation``,
/// ``IngestStatus``), never from request data: a key, a question or a tenant id as a label value
/// would create one time series per value and exhaust Prometheus' memory.
public enum MetricLabels {
    /// Which cache backend served the operation: `redis` or `memory`.
    public static let backend = "backend"
    /// Which cache operation failed, for ``MetricNames/cacheErrors``.
    public static let operation = "operation"
    /// The outcome of an ingest request: `accepted` or `rejected`.
    public static let status = "status"
}
