import Prometheus
import Synchronization

/// Records enqueues, outcomes, attempt durations, retries and queue depth of background jobs.
///
/// Obtain it from ``RecallMetrics/jobs``. Series are labelled by task name (`type`); they are
/// created on first use and then kept, and ``register(types:)`` creates them up front at zero
/// for the task names a worker serves, so that rate queries have data before the first job.
public final class JobMetrics: Sendable {
    /// Upper bounds of the attempt-duration histogram's buckets: from a no-op job to an ingest of a
    /// large document that embeds many batches.
    public static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300), .seconds(600),
    ]

    /// The series of one task name.
    private struct TypeSeries {
        let enqueued: Counter
        let completed: [JobOutcome: Counter]
        let retries: Counter
        let duration: DurationHistogram
    }

    private let registry: PrometheusCollectorRegistry
    private let series = Mutex<[String: TypeSeries]>([:])
    private let depth: [JobQueuePart: Gauge]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var depth: [JobQueuePart: Gauge] = [:]
        for part in JobQueuePart.allCases {
            depth[part] = registry.makeGauge(
                descriptor: MetricDescriptors.jobsQueueDepth, labels: [(MetricLabels.queue, part.rawValue)])
        }
        self.depth = depth
    }

    /// Creates every series of these task names at zero.
    public func register(types: some Sequence<String>) {
        for type in types { _ = series(for: type) }
    }

    /// Records a job put on the queue.
    public func recordEnqueued(type: String) {
        series(for: type).enqueued.increment()
    }

    /// Records a job that reached a final status.
    public func recordCompleted(type: String, outcome: JobOutcome) {
        series(for: type).completed[outcome]?.increment()
    }

    /// Records how long one attempt ran, whatever its outcome.
    public func recordAttempt(type: String, duration: Duration) {
        // A clock step backwards must not make the histogram's sum go down.
        series(for: type).duration.record(max(duration, .zero))
    }

    /// Records a failed attempt that was scheduled to run again.
    public func recordRetry(type: String) {
        series(for: type).retries.increment()
    }

    /// Sets how many jobs wait in one part of the queue, as last measured.
    public func setDepth(_ part: JobQueuePart, to count: Int) {
        depth[part]?.set(Double(count))
    }

    private func series(for type: String) -> TypeSeries {
        series.withLock { known in
            if let existing = known[type] { return existing }
            let labels = [(MetricLabels.type, type)]
            var completed: [JobOutcome: Counter] = [:]
            for outcome in JobOutcome.allCases {
                completed[outcome] = registry.makeCounter(
                    descriptor: MetricDescriptors.jobsCompleted,
                    labels: labels + [(MetricLabels.status, outcome.rawValue)]
                )
            }
            let created = TypeSeries(
                enqueued: registry.makeCounter(descriptor: MetricDescriptors.jobsEnqueued, labels: labels),
                completed: completed,
                retries: registry.makeCounter(descriptor: MetricDescriptors.jobsRetries, labels: labels),
                duration: registry.makeDurationHistogram(
                    descriptor: MetricDescriptors.jobDuration, labels: labels, buckets: Self.durationBuckets)
            )
            known[type] = created
            return created
        }
    }
}
