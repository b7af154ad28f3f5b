import Prometheus

/// The Prometheus descriptors behind ``MetricNames``, with their help texts.
///
/// swift-prometheus joins `metricName` and `unitName` with an underscore; each descriptor is split
/// so that the join reproduces the contract name exactly (a test checks every one). The properties
/// are computed because `MetricNameDescriptor` is not `Sendable` and so cannot be a stored global.
enum MetricDescriptors {
    static var cacheHits: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cache_hits", unitName: "total", helpText: "Cache lookups that found a value.")
    }
    static var cacheMisses: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cache_misses", unitName: "total", helpText: "Cache lookups that found nothing.")
    }
    static var cacheEvictions: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cache_evictions", unitName: "total",
            helpText: "Cache entries evicted to respect the size limit.")
    }
    static var cacheErrors: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cache_errors", unitName: "total", helpText: "Cache operations that failed.")
    }
    static var cacheUnconfirmedChanges: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cache_unconfirmed_changes", unitName: "total",
            helpText: "Shared-cache changes that returned before every near cache confirmed them.")
    }
    static var ingestRequests: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "ingest_requests", unitName: "total", helpText: "Ingest requests by outcome.")
    }
    static var ingestLatency: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "ingest_latency", unitName: "seconds", helpText: "Ingest request latency in seconds.")
    }
    static var jobsEnqueued: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "jobs_enqueued", unitName: "total", helpText: "Jobs put on the queue.")
    }
    static var jobsCompleted: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "jobs_completed", unitName: "total", helpText: "Jobs that reached a final status.")
    }
    static var jobDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "job_duration", unitName: "seconds", helpText: "Run time of each job attempt in seconds.")
    }
    static var jobsRetries: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "jobs_retries", unitName: "total", helpText: "Failed job attempts scheduled to run again.")
    }
    static var jobsQueueDepth: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "jobs_queue", unitName: "depth", helpText: "Jobs in each part of the queue.")
    }
    static var httpRequests: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered, by route template and status.")
    }
    static var httpRequestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request duration in seconds, by route template.")
    }
    static var chatAnswersComputed: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "chat_answers_computed", unitName: "total", helpText: "Chat answers computed rather than read from the cache.")
    }

    /// Every descriptor with the contract name it must produce.
    static var all: [(descriptor: MetricNameDescriptor, name: String)] {
        [
            (cacheHits, MetricNames.cacheHits),
            (cacheMisses, MetricNames.cacheMisses),
            (cacheEvictions, MetricNames.cacheEvictions),
            (cacheErrors, MetricNames.cacheErrors),
            (ingestRequests, MetricNames.ingestRequests),
            (ingestLatency, MetricNames.ingestLatency),
            (jobsEnqueued, MetricNames.jobsEnqueued),
            (jobsCompleted, MetricNames.jobsCompleted),
            (jobDuration, MetricNames.jobDuration),
            (jobsRetries, MetricNames.jobsRetries),
            (jobsQueueDepth, MetricNames.jobsQueueDepth),
            (httpRequests, MetricNames.httpRequests),
            (httpRequestDuration, MetricNames.httpRequestDuration),
            (chatAnswersComputed, MetricNames.chatAnswersComputed),
        ]
    }
}
