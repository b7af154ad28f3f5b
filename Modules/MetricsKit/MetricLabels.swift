/// The value of the `backend` label on the cache metrics.
public enum CacheBackendLabel: String, Sendable, Hashable, CaseIterable {
    /// The shared Redis cache.
    case redis
    /// The in-process TTL+LRU cache.
    case memory
}

/// The value of the `operation` label on `cache_errors_total`.
///
/// A closed set, so that the number of series stays fixed whatever the traffic.
public enum CacheOperation: String, Sendable, Hashable, CaseIterable {
    /// Reading a value.
    case get
    /// Storing a value.
    case set
    /// Removing one key.
    case delete
    /// Removing every key the backend owns.
    case clear
    /// Checking whether a key is present.
    case exists
    /// Removing the keys that match a pattern.
    case invalidate
    /// Reading the backend's statistics.
    case stats
    /// A stored value that could not be decoded into the expected type.
    case decode
}

/// The value of the `status` label on `jobs_completed_total`: the final status of a job.
public enum JobOutcome: String, Sendable, Hashable, CaseIterable {
    /// The handler returned.
    case succeeded
    /// The handler reported a failure that retrying cannot fix.
    case failed
    /// Every attempt failed (or the job kept losing its worker) and it went to the dead-letter set.
    case dead
}

/// The value of the `queue` label on `jobs_queue_depth`: the part of the queue a job waits in.
public enum JobQueuePart: String, Sendable, Hashable, CaseIterable {
    /// Queued and waiting for a worker.
    case ready
    /// Failed, waiting out its backoff before the next attempt.
    case delayed
    /// Delivered to a worker and not yet finished.
    case running
    /// In the dead-letter set, waiting to be inspected and re-queued or purged.
    case dead
}

/// The value of the `status` label on the ingest metrics.
public enum IngestStatus: String, Sendable, Hashable, CaseIterable {
    /// The request passed validation and its job was enqueued.
    case accepted
    /// The request was refused (validation, size, quota or back-pressure).
    case rejected
}
