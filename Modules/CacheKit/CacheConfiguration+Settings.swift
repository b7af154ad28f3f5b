import ConfigKit
import RedisKit

extension CacheConfiguration {
    /// The cache configuration of a Recall program, from its validated settings.
    ///
    /// The Redis connections of the cache get `CACHE_TIMEOUT_MS` as both connect and command
    /// timeout: a cache that answers slower than that is not worth waiting for, and the request
    /// is served without it instead.
    public init(settings: Settings) {
        self.init()
        enabled = settings.cacheEnabled
        backend = switch settings.cacheBackend {
        case .auto: .auto
        case .redis: .redis
        case .memory: .memory
        }
        if let endpoint = settings.redis {
            let timeout = Duration.milliseconds(settings.cacheTimeoutMilliseconds)
            redis = RedisConfiguration(
                host: endpoint.host,
                port: endpoint.port,
                password: endpoint.password,
                username: endpoint.username,
                database: endpoint.database,
                connectTimeout: timeout,
                commandTimeout: timeout,
                poolSize: settings.cacheRedisPoolSize
            )
        }
        keyPrefix = settings.cacheKeyPrefix
        defaultTTL = .seconds(settings.cacheTTLSeconds)
        maxSize = settings.cacheMaxSize
        nearCacheEnabled = settings.cacheL1Enabled
        nearCacheMaxSize = settings.cacheL1MaxSize
        nearCacheConfirmationTimeout = .milliseconds(settings.cacheL1ConfirmTimeoutMilliseconds)
        lockTTL = .milliseconds(settings.cacheLockTTLMilliseconds)
    }
}
