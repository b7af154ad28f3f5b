import Prometheus
import Synchronization

/// Records HTTP requests by method, route template and status, and their duration.
///
/// Obtain it from ``RecallMetrics/http``. The route must be a template (`/api/v1/jobs/{id}`) or
/// `unmatched`, never a raw path, so the number of series stays bounded by the routes the server
/// registers. Series are created on first use and then kept.
public final class HTTPMetrics: Sendable {
    /// Upper bounds of the duration histogram's buckets: from a cached answer (well under a
    /// millisecond) to a generated one that waits seconds for a model.
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// The route label of requests that no route matched.
    public static let unmatchedRoute = "unmatched"

    private struct RouteKey: Hashable {
        let method: String
        let route: String
    }

    private struct StatusKey: Hashable {
        let route: RouteKey
        let status: Int
    }

    private let registry: PrometheusCollectorRegistry
    private let counters = Mutex<[StatusKey: Counter]>([:])
    private let histograms = Mutex<[RouteKey: DurationHistogram]>([:])

    private let answersComputed: Counter

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        answersComputed = registry.makeCounter(descriptor: MetricDescriptors.chatAnswersComputed)
    }

    /// Records one chat answer computed rather than read from the cache.
    public func recordAnswerComputed() {
        answersComputed.increment()
    }

    /// Records one answered request.
    public func record(method: String, route: String, status: Int, duration: Duration) {
        let routeKey = RouteKey(method: method, route: route)
        let counter = counters.withLock { counters in
            let key = StatusKey(route: routeKey, status: status)
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: MetricDescriptors.httpRequests, labels: [
                (MetricLabels.method, method), (MetricLabels.route, route), (MetricLabels.status, String(status)),
            ])
            counters[key] = counter
            return counter
        }
        let histogram = histograms.withLock { histograms in
            if let histogram = histograms[routeKey] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: MetricDescriptors.httpRequestDuration,
                labels: [(MetricLabels.method, method), (MetricLabels.route, route)],
                buckets: Self.durationBuckets
            )
            histograms[routeKey] = histogram
            return histogram
        }
        counter.increment()
        histogram.record(max(duration, .zero))
    }
}
