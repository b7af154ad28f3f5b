import MetricsKit

/// Forwards to ``MetricsKit/JobMetrics`` when the owner gave one, and does nothing otherwise, so
/// that the queue and worker code records unconditionally.
struct JobMetricsSink: Sendable {
    let jobs: JobMetrics?

    init(_ metrics: RecallMetrics?) {
        jobs = metrics?.jobs
    }

    func enqueued(_ type: String) { jobs?.recordEnqueued(type: type) }
    func completed(_ type: String, _ outcome: JobOutcome) { jobs?.recordCompleted(type: type, outcome: outcome) }
    func attempt(_ type: String, _ duration: Duration) { jobs?.recordAttempt(type: type, duration: duration) }
    func retried(_ type: String) { jobs?.recordRetry(type: type) }

    func depth(_ counts: [JobStatus: Int]) {
        guard let jobs else { return }
        jobs.setDepth(.ready, to: counts[.queued] ?? 0)
        jobs.setDepth(.delayed, to: counts[.retrying] ?? 0)
        jobs.setDepth(.running, to: counts[.running] ?? 0)
        jobs.setDepth(.dead, to: counts[.dead] ?? 0)
    }
}
