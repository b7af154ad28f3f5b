/// Which cache a process is using right now and why, for `/ready`, the logs and `recall cache stats`.
///
/// ```json
/// {"configured_backend": "auto", "active_backend": "redis", "degraded": false,
///  "redis": "redis://:***@cache.internal:6379/0", "near_cache": false,
///  "reason": "CACHE_BACKEND=auto and Redis answered PING at start"}
/// ```
public struct CacheStatus: Sendable, Equatable, Codable {
    /// `CACHE_BACKEND` as configured (`auto`, `redis`, `memory`), or `disabled`.
    public var configuredBackend: String
    /// The backend serving requests now: `redis`, `memory` or `disabled`.
    public var activeBackend: CacheBackendKind
    /// True while Redis is configured and in use but not answering, so this process serves from
    /// its own memory and its answers may differ from other processes'.
    public var degraded: Bool
    /// The Redis the cache uses, password masked; `nil` when it uses none.
    public var redis: String?
    /// Whether a near cache sits in front of Redis.
    public var nearCache: Bool
    /// Why the backend was chosen at start.
    public var reason: String
    /// While degraded: the last error from Redis (it never contains the password).
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case configuredBackend = "configured_backend"
        case activeBackend = "active_backend"
        case degraded
        case redis
        case nearCache = "near_cache"
        case reason
        case lastError = "last_error"
    }
}
