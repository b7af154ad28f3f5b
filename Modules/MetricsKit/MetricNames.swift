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
    /// Counter of shared-cache changes that returned before every near cache confirmed them
    /// (a subscriber that stopped answering), labelled by ``MetricLabels/backend`` (`redis`).
    public static let cacheUnconfirmedChanges = "cache_unconfirmed_changes_total"
    /// Counter of ingest requests, labelled by ``MetricLabels/status``.
    public static let ingestRequests = "ingest_requests_total"
    /// Histogram of ingest request latency in seconds, labelled by ``MetricLabels/status``.
    public static let ingestLatency = "ingest_latency_seconds"
    /// Counter of jobs put on the queue, labelled by ``MetricLabels/type``. A second enqueue with
    /// an idempotency key that is already taken creates no job and is not counted.
    public static let jobsEnqueued = "jobs_enqueued_total"
    /// Counter of jobs that reached a final status, labelled by ``MetricLabels/type`` and
    /// ``MetricLabels/status`` (`succeeded`, `failed` or `dead`).
    public static let jobsCompleted = "jobs_completed_total"
    /// Histogram of how long each attempt of a job ran, in seconds, labelled by
    /// ``MetricLabels/type``.
    public static let jobDuration = "job_duration_seconds"
    /// Counter of failed attempts that were scheduled to run again, labelled by
    /// ``MetricLabels/type``.
    public static let jobsRetries = "jobs_retries_total"
    /// Gauge of jobs in each part of the queue, labelled by ``MetricLabels/queue``.
    public static let jobsQueueDepth = "jobs_queue_depth"
    /// Counter of HTTP requests answered, labelled by ``MetricLabels/method``,
    /// ``MetricLabels/route`` and ``MetricLabels/status``.
    public static let httpRequests = "http_requests_total"
    /// Histogram of HTTP request duration in seconds, labelled by ``MetricLabels/method`` and
    /// ``MetricLabels/route``.
    public static let httpRequestDuration = "http_request_duration_seconds"
    /// Counter of chat answers computed (cache misses that ran retrieval and generation), so
    /// single-flight can be checked from outside: N identical questions should add 1.
    public static let chatAnswersComputed = "chat_answers_computed_total"
}

/// The label names Recall's metrics carry.
///
/// Every label value comes from a closed enumeration (``CacheBackendLabel``, ``CacheOperation``,
/// ``IngestStatus``, ``JobOutcome``, ``JobQueuePart``) or a task name fixed in code, never from request data: a key, a question or a tenant id as a label value
/// would create one time series per value and exhaust Prometheus' memory.
public enum MetricLabels {
    /// Which cache backend served the operation: `redis` or `memory`.
    public static let backend = "backend"
    /// Which cache operation failed, for ``MetricNames/cacheErrors``.
    public static let operation = "operation"
    /// The outcome of an ingest request (`accepted` or `rejected`), or the final status of a job
    /// (``JobOutcome``).
    public static let status = "status"
    /// The job's task name, such as `process_document`. Task names are a closed set fixed by
    /// the code that registers handlers, never taken from request data.
    public static let type = "type"
    /// The part of the job queue, for ``MetricNames/jobsQueueDepth`` (``JobQueuePart``).
    public static let queue = "queue"
    /// The HTTP request method (`GET`, `POST`, …).
    public static let method = "method"
    /// The route template that answered, such as `/api/v1/jobs/{id}`, never the raw path: ids in
    /// paths would make one series per id. Requests no route matched are `unmatched`.
    public static let route = "route"
}
