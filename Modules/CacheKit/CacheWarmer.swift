import MetricsKit

/// Fills a cache ahead of demand with the answers to known questions.
///
/// Questions whose key is already present are skipped, so re-warming on a schedule computes only
/// what has expired or been invalidated. Questions are warmed one at a time: each one may cost a
/// model call, and warming must not compete with live traffic for rate limits.
public struct CacheWarmer<Value: Codable & Sendable>: Sendable {
    /// What one ``warm(_:)`` call did.
    public struct Report: Sendable, Equatable {
        /// Questions computed and stored.
        public var warmed = 0
        /// Questions already cached.
        public var skipped = 0
        /// Questions that could not be warmed: the computation or the cache failed.
        public var failed = 0

        /// A report with the given counts.
        public init(warmed: Int = 0, skipped: Int = 0, failed: Int = 0) {
            self.warmed = warmed
            self.skipped = skipped
            self.failed = failed
        }
    }

    private let backend: any CacheBackend
    private let ttl: Duration
    private let metrics: RecallMetrics
    private let key: @Sendable (String) -> String
    private let compute: @Sendable (String) async throws -> Value

    /// - Parameters:
    ///   - backend: the cache to fill.
    ///   - ttl: the TTL of warmed entries.
    ///   - metrics: where cache errors are counted.
    ///   - key: the full backend key for a question.
    ///   - compute: the answer to a question.
    public init(
        backend: any CacheBackend,
        ttl: Duration,
        metrics: RecallMetrics,
        key: @escaping @Sendable (String) -> String,
        compute: @escaping @Sendable (String) async throws -> Value
    ) {
        self.backend = backend
        self.ttl = ttl
        self.metrics = metrics
        self.key = key
        self.compute = compute
    }

    /// Warms every question not already cached.
    ///
    /// - Parameter progress: called after each question with the counts so far (for a progress
    ///   display; warming a long list of questions that each cost a model call takes a while).
    public func warm(_ questions: [String], progress: (@Sendable (Report) async -> Void)? = nil) async -> Report {
        let recorder = backend.kind.metricsLabel.map(metrics.cache)
        var report = Report()
        for question in questions {
            await warm(question, into: &report, recorder: recorder)
            await progress?(report)
        }
        return report
    }

    private func warm(_ question: String, into report: inout Report, recorder: CacheMetrics?) async {
        let key = key(question)
        do {
            if try await backend.exists(key) {
                report.skipped += 1
                return
            }
        } catch {
            recorder?.recordError(.exists)
            report.failed += 1
            return
        }
        let value: Value
        do {
            value = try await compute(question)
        } catch {
            report.failed += 1
            return
        }
        do {
            try await backend.setValue(key, value, ttl: ttl)
            report.warmed += 1
        } catch {
            recorder?.recordError(.set)
            report.failed += 1
        }
    }
}
