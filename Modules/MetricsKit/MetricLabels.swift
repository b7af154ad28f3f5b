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

/// The value of the `status` label on the ingest metrics.
public enum IngestStatus: String, Sendable, Hashable, CaseIterable {
    /// The request passed validation and its job was enqueued.
    case accepted
    /// The request was refused (validation, size, quota or back-pressure).
    case rejected
}
