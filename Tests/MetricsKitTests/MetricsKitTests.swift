import Prometheus
import Testing

@testable import MetricsKit

@Suite("MetricsKit")
struct MetricsKitTests {
    @Test("descriptors produce exactly the contract names")
    func descriptorNames() {
        for (descriptor, name) in MetricDescriptors.all {
            #expect(descriptor.name == name)
        }
        #expect(MetricNames.cacheHits == "cache_hits_total")
        #expect(MetricNames.cacheMisses == "cache_misses_total")
        #expect(MetricNames.cacheEvictions == "cache_evictions_total")
        #expect(MetricNames.cacheErrors == "cache_errors_total")
        #expect(MetricNames.ingestRequests == "ingest_requests_total")
        #expect(MetricNames.ingestLatency == "ingest_latency_seconds")
    }

    @Test("cache counters appear with their backend label and exact counts")
    func cacheCounters() {
        let metrics = RecallMetrics()
        let memory = metrics.cache(.memory)
        let redis = metrics.cache(.redis)
        for _ in 0..<3 { memory.recordHit() }
        memory.recordMiss()
        memory.recordEvictions(5)
        memory.recordEvictions(0)
        redis.recordHit()
        redis.recordError(.set)
        redis.recordError(.set)
        memory.recordError(.get)

        let lines = Set(metrics.exposition().split(separator: "\n").map(String.init))
        #expect(lines.contains(#"cache_hits_total{backend="memory"} 3"#))
        #expect(lines.contains(#"cache_misses_total{backend="memory"} 1"#))
        #expect(lines.contains(#"cache_evictions_total{backend="memory"} 5"#))
        #expect(lines.contains(#"cache_hits_total{backend="redis"} 1"#))
        #expect(lines.contains(#"cache_misses_total{backend="redis"} 0"#))
        #expect(lines.contains(#"cache_evictions_total{backend="redis"} 0"#))
        #expect(lines.contains(#"cache_errors_total{backend="redis",operation="set"} 2"#))
        #expect(lines.contains(#"cache_errors_total{backend="memory",operation="get"} 1"#))
        #expect(lines.contains(#"cache_errors_total{backend="memory",operation="set"} 0"#))
        #expect(lines.contains("# TYPE cache_hits_total counter"))
    }

    @Test("every series exists at zero before anything is recorded")
    func seriesRegisteredUpFront() {
        let text = RecallMetrics().exposition()
        for backend in CacheBackendLabel.allCases {
            #expect(text.contains(#"cache_hits_total{backend="\#(backend.rawValue)"} 0"#))
            for operation in CacheOperation.allCases {
                #expect(text.contains(
                    #"cache_errors_total{backend="\#(backend.rawValue)",operation="\#(operation.rawValue)"} 0"#))
            }
        }
        for status in IngestStatus.allCases {
            #expect(text.contains(#"ingest_requests_total{status="\#(status.rawValue)"} 0"#))
            #expect(text.contains(#"ingest_latency_seconds_count{status="\#(status.rawValue)"} 0"#))
        }
    }

    @Test("ingest requests and latency histogram by status")
    func ingest() {
        let metrics = RecallMetrics()
        metrics.ingest.record(.accepted, latency: .milliseconds(20))
        metrics.ingest.record(.accepted, latency: .milliseconds(300))
        metrics.ingest.record(.rejected, latency: .milliseconds(2))

        let lines = Set(metrics.exposition().split(separator: "\n").map(String.init))
        #expect(lines.contains(#"ingest_requests_total{status="accepted"} 2"#))
        #expect(lines.contains(#"ingest_requests_total{status="rejected"} 1"#))
        #expect(lines.contains("# TYPE ingest_latency_seconds histogram"))
        #expect(lines.contains(#"ingest_latency_seconds_count{status="accepted"} 2"#))
        #expect(lines.contains(#"ingest_latency_seconds_bucket{status="accepted",le="0.025"} 1"#))
        #expect(lines.contains(#"ingest_latency_seconds_bucket{status="accepted",le="0.5"} 2"#))
        #expect(lines.contains(#"ingest_latency_seconds_bucket{status="accepted",le="+Inf"} 2"#))
        #expect(lines.contains(#"ingest_latency_seconds_sum{status="accepted"} 0.32"#))
        #expect(lines.contains(#"ingest_latency_seconds_bucket{status="rejected",le="0.005"} 1"#))
    }

    @Test("two instances do not share counts")
    func instancesAreIndependent() {
        let first = RecallMetrics()
        let second = RecallMetrics()
        first.cache(.redis).recordMiss()
        #expect(first.exposition().contains(#"cache_misses_total{backend="redis"} 1"#))
        #expect(second.exposition().contains(#"cache_misses_total{backend="redis"} 0"#))
    }

    @Test("hit-rate tracker counts and divides, and is zero when empty")
    func hitRate() async {
        let tracker = HitRateTracker()
        #expect(tracker.hitRate == 0)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<400 {
                group.addTask { index % 4 == 0 ? tracker.recordMiss() : tracker.recordHit() }
            }
        }
        #expect(tracker.hits == 300)
        #expect(tracker.misses == 100)
        #expect(tracker.hitRate == 0.75)
    }

    @Test("cache recorders feed their backend's hit-rate tracker")
    func cacheMetricsTrackHitRate() {
        let metrics = RecallMetrics()
        let memory = metrics.cache(.memory)
        memory.recordHit()
        memory.recordHit()
        memory.recordMiss()
        #expect(memory.hitRate.hits == 2)
        #expect(memory.hitRate.misses == 1)
        #expect(metrics.cache(.redis).hitRate.hits == 0)
        // The same backend's recorder is the same tracker whichever call returns it.
        #expect(metrics.cache(.memory).hitRate === memory.hitRate)
    }
}

@Suite("Job metrics")
struct JobMetricsTests {
    @Test("job series carry the contract names and labels, with exact counts")
    func jobSeries() {
        #expect(MetricNames.jobsEnqueued == "jobs_enqueued_total")
        #expect(MetricNames.jobsCompleted == "jobs_completed_total")
        #expect(MetricNames.jobDuration == "job_duration_seconds")
        #expect(MetricNames.jobsRetries == "jobs_retries_total")
        #expect(MetricNames.jobsQueueDepth == "jobs_queue_depth")
        let metrics = RecallMetrics()
        metrics.jobs.register(types: ["scrape_url"])
        metrics.jobs.recordEnqueued(type: "process_document")
        metrics.jobs.recordEnqueued(type: "process_document")
        metrics.jobs.recordCompleted(type: "process_document", outcome: .succeeded)
        metrics.jobs.recordRetry(type: "process_document")
        metrics.jobs.recordAttempt(type: "process_document", duration: .milliseconds(300))
        metrics.jobs.setDepth(.ready, to: 7)
        let lines = Set(metrics.exposition().split(separator: "\n").map(String.init))
        #expect(lines.contains(#"jobs_enqueued_total{type="process_document"} 2"#))
        #expect(lines.contains(#"jobs_completed_total{type="process_document",status="succeeded"} 1"#))
        #expect(lines.contains(#"jobs_completed_total{type="process_document",status="dead"} 0"#))
        #expect(lines.contains(#"jobs_retries_total{type="process_document"} 1"#))
        #expect(lines.contains(#"job_duration_seconds_count{type="process_document"} 1"#))
        #expect(lines.contains(#"job_duration_seconds_bucket{type="process_document",le="0.5"} 1"#))
        #expect(lines.contains(#"jobs_queue_depth{queue="ready"} 7.0"#))
        #expect(lines.contains(#"jobs_queue_depth{queue="dead"} 0.0"#))
        #expect(lines.contains(#"jobs_enqueued_total{type="scrape_url"} 0"#))
    }
}
