/// The body of `GET /api/v1/cache/stats`: the seed's JSON for the active backend, flat, plus
/// this process's own hit rate and whether the cache is degraded.
///
/// ```json
/// {"backend": "redis", "timestamp": 1640995200.0, "redis_used_memory": 2048576,
///  "redis_connected_clients": 10, "redis_keyspace_hits": 15000, "redis_keyspace_misses": 3000,
///  "hit_rate": 0.833, "hits": 120, "misses": 30, "process_hit_rate": 0.8,
///  "configured_backend": "auto", "degraded": false}
/// ```
///
/// Fields are only ever added to the seed's, never renamed, so dashboards built on the seed
/// keep working.
public struct CacheStatsReport: Sendable, Equatable, Encodable {
    /// The active backend's figures.
    public var stats: CacheStats
    /// `CACHE_BACKEND` as configured, or `disabled`.
    public var configuredBackend: String
    /// True while Redis is configured but unavailable and this process's memory serves instead.
    public var degraded: Bool

    /// A report from its parts.
    public init(stats: CacheStats, configuredBackend: String, degraded: Bool) {
        self.stats = stats
        self.configuredBackend = configuredBackend
        self.degraded = degraded
    }

    private enum CodingKeys: String, CodingKey {
        case configuredBackend = "configured_backend"
        case degraded
    }

    public func encode(to encoder: any Encoder) throws {
        // The stats' own fields first, then ours in the same object: the seed's fields stay at
        // the top level where its clients read them.
        try stats.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(configuredBackend, forKey: .configuredBackend)
        try container.encode(degraded, forKey: .degraded)
    }
}
