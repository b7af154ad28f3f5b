import Foundation

/// A backend's statistics, encoded with the seed's JSON field names.
///
/// One struct holds both shapes the stats endpoint returns, so the endpoint needs no branching:
/// fields that do not apply to a backend stay `nil` and are left out of the JSON. The seed's
/// names (`memory_cache_size`, `redis_keyspace_hits`, …) are a contract and are never renamed;
/// fields may only be added.
///
/// Memory backend:
/// ```json
/// {"backend": "memory", "timestamp": 1640995200.0, "memory_cache_size": 150,
///  "memory_cache_max_size": 1000, "memory_cache_default_ttl": 3600, "hits": 10, …}
/// ```
/// Redis backend:
/// ```json
/// {"backend": "redis", "timestamp": 1640995200.0, "redis_used_memory": 2048576,
///  "redis_connected_clients": 10, "redis_keyspace_hits": 15000,
///  "redis_keyspace_misses": 3000, "hit_rate": 0.833, "redis_maxmemory": 419430400,
///  "redis_maxmemory_policy": "allkeys-lru", "redis_evicted_keys": 0,
///  "hits": 120, "misses": 30, "process_hit_rate": 0.8}
/// ```
///
/// For Redis, `hit_rate` is the seed's figure: the whole server's keyspace hit rate, which every
/// process and every key kind contributes to. This process's own lookups are `hits`, `misses`
/// and `process_hit_rate`. For the in-process cache both are the same thing.
public struct CacheStats: Sendable, Equatable, Codable {
    /// The backend the figures come from.
    public var backend: CacheBackendKind
    /// When the snapshot was taken, in seconds since 1970 (the seed's `time.time()`).
    public var timestamp: Double

    /// Live entries in the in-process cache.
    public var memoryCacheSize: Int?
    /// The in-process cache's entry limit.
    public var memoryCacheMaxSize: Int?
    /// The in-process cache's default TTL, in whole seconds.
    public var memoryCacheDefaultTTL: Int?

    /// Redis `used_memory`, in bytes.
    public var redisUsedMemory: Int?
    /// Redis `connected_clients`.
    public var redisConnectedClients: Int?
    /// Redis `keyspace_hits` (server-wide, all databases and key kinds).
    public var redisKeyspaceHits: Int?
    /// Redis `keyspace_misses`.
    public var redisKeyspaceMisses: Int?
    /// Redis `maxmemory`, in bytes; `0` means no limit.
    public var redisMaxmemory: Int?
    /// Redis `maxmemory_policy`, such as `allkeys-lru`.
    public var redisMaxmemoryPolicy: String?
    /// Redis `evicted_keys` (server-wide, since the server started or its stats were reset).
    public var redisEvictedKeys: Int?

    /// Lookups that found a value.
    public var hits: Int?
    /// Lookups that found nothing.
    public var misses: Int?
    /// For the in-process cache `hits / (hits + misses)`; for Redis the server's keyspace hit
    /// rate (see above). `0` when there were no lookups.
    public var hitRate: Double?
    /// `hits / (hits + misses)` of this process's own lookups, `0` when there were none.
    public var processHitRate: Double?
    /// Entries dropped to respect the size limit.
    public var evictions: Int?
    /// Entries removed because their TTL had passed.
    public var expirations: Int?
    /// Entries in this process's near cache in front of Redis (`CACHE_L1_ENABLED`).
    public var nearCacheSize: Int?
    /// Lookups this process's near cache answered without asking Redis (included in `hits`).
    public var nearCacheHits: Int?

    /// Creates a snapshot; every figure not given is left out of the JSON.
    public init(
        backend: CacheBackendKind,
        timestamp: Double = Date().timeIntervalSince1970,
        memoryCacheSize: Int? = nil,
        memoryCacheMaxSize: Int? = nil,
        memoryCacheDefaultTTL: Int? = nil,
        redisUsedMemory: Int? = nil,
        redisConnectedClients: Int? = nil,
        redisKeyspaceHits: Int? = nil,
        redisKeyspaceMisses: Int? = nil,
        redisMaxmemory: Int? = nil,
        redisMaxmemoryPolicy: String? = nil,
        redisEvictedKeys: Int? = nil,
        hits: Int? = nil,
        misses: Int? = nil,
        hitRate: Double? = nil,
        processHitRate: Double? = nil,
        evictions: Int? = nil,
        expirations: Int? = nil,
        nearCacheSize: Int? = nil,
        nearCacheHits: Int? = nil
    ) {
        self.backend = backend
        self.timestamp = timestamp
        self.memoryCacheSize = memoryCacheSize
        self.memoryCacheMaxSize = memoryCacheMaxSize
        self.memoryCacheDefaultTTL = memoryCacheDefaultTTL
        self.redisUsedMemory = redisUsedMemory
        self.redisConnectedClients = redisConnectedClients
        self.redisKeyspaceHits = redisKeyspaceHits
        self.redisKeyspaceMisses = redisKeyspaceMisses
        self.redisMaxmemory = redisMaxmemory
        self.redisMaxmemoryPolicy = redisMaxmemoryPolicy
        self.redisEvictedKeys = redisEvictedKeys
        self.hits = hits
        self.misses = misses
        self.hitRate = hitRate
        self.processHitRate = processHitRate
        self.evictions = evictions
        self.expirations = expirations
        self.nearCacheSize = nearCacheSize
        self.nearCacheHits = nearCacheHits
    }

    // Spelled out rather than derived with a key-encoding strategy, so the contract names are
    // visible here and do not depend on how a caller configures its encoder.
    enum CodingKeys: String, CodingKey {
        case backend
        case timestamp
        case memoryCacheSize = "memory_cache_size"
        case memoryCacheMaxSize = "memory_cache_max_size"
        case memoryCacheDefaultTTL = "memory_cache_default_ttl"
        case redisUsedMemory = "redis_used_memory"
        case redisConnectedClients = "redis_connected_clients"
        case redisKeyspaceHits = "redis_keyspace_hits"
        case redisKeyspaceMisses = "redis_keyspace_misses"
        case redisMaxmemory = "redis_maxmemory"
        case redisMaxmemoryPolicy = "redis_maxmemory_policy"
        case redisEvictedKeys = "redis_evicted_keys"
        case hits
        case misses
        case hitRate = "hit_rate"
        case processHitRate = "process_hit_rate"
        case evictions
        case expirations
        case nearCacheSize = "near_cache_size"
        case nearCacheHits = "near_cache_hits"
    }
}
