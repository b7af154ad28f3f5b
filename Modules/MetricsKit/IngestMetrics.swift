import Prometheus

/// Records ingest requests and their latency by outcome.
///
/// Obtain one from ``RecallMetrics/ingest``. Both series for each status exist from the start, so
/// a rejection-rate alert has data (zero) before the first rejection.
public struct IngestMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets. Ingest answers after validation and an
    /// enqueue, not after embedding, so the interesting range is milliseconds to a few seconds.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private let requests: [IngestStatus: Counter]
    private let latency: [IngestStatus: DurationHistogram]

    init(registry: PrometheusCollectorRegistry) {
        var requests: [IngestStatus: Counter] = [:]
        var latency: [IngestStatus: DurationHistogram] = [:]
        for status in IngestStatus.allCases {
            let labels = [(MetricLabels.status, status.rawValue)]
            requests[status] = registry.makeCounter(descriptor: MetricDescriptors.ingestRequests, labels: labels)
            latency[status] = registry.makeDurationHistogram(
                descriptor: MetricDescriptors.ingestLatency,
                labels: labels,
                buckets: Self.latencyBuckets
            )
        }
        self.requests = requests
        self.latency = latency
    }

    /// Records one ingest request with its outcome and how long it took to answer.
    public func record(_ status: IngestStatus, latency duration: Duration) {
        requests[status]?.increment()
        // A clock step backwards must not make the histogram's sum go down.
        latency[status]?.record(max(duration, .zero))
    }
}
