import ConfigKit
import Foundation
import Logging
import MetricsKit
import RedisKit

/// Builds the ``ResponseCache`` a program uses, from its settings: the one place where the
/// backend is chosen, so the server, the worker and the CLI choose alike.
///
/// | settings | cache |
/// |---|---|
/// | `CACHE_ENABLED=false` | ``DisabledCache``: nothing stored, nothing counted |
/// | `CACHE_BACKEND=memory`, or `auto` without a Redis | ``InProcessTTLCache`` of `CACHE_MAX_SIZE` |
/// | `CACHE_BACKEND=auto` and Redis answers `PING` at start | Redis, with this process's memory while it is away |
/// | `CACHE_BACKEND=auto` and Redis does not answer at start | ``InProcessTTLCache`` for the life of the process |
/// | `CACHE_BACKEND=redis` | Redis, with this process's memory while it is away, also at start |
///
/// With Redis, `CACHE_L1_ENABLED=true` puts a near cache in front of it. The choice and its
/// reason are logged once and reported by ``ResponseCache/status``.
public enum CacheFactory {
    /// The cache for a program's settings.
    ///
    /// Waits for at most one `PING` (bounded by `CACHE_TIMEOUT_MS`) when Redis is configured.
    public static func make(settings: Settings, metrics: RecallMetrics, logger: Logger) async -> ResponseCache {
        await make(configuration: CacheConfiguration(settings: settings), metrics: metrics, logger: logger)
    }

    /// The cache for an explicit configuration (tests, tools).
    public static func make(configuration: CacheConfiguration, metrics: RecallMetrics, logger: Logger) async -> ResponseCache {
        func memoryCache(_ reason: String) -> ResponseCache {
            logger.info("Response cache: in-process memory", metadata: [
                "cache.reason": "\(reason)", "cache.max_size": "\(configuration.maxSize)",
            ])
            let memory = InProcessTTLCache(maxSize: configuration.maxSize, defaultTTL: configuration.defaultTTL, metrics: metrics)
            return ResponseCache(configuration: configuration, backend: memory, resilient: nil, client: nil,
                                 metrics: metrics, reason: reason)
        }

        guard configuration.enabled else {
            logger.info("Response cache: disabled (CACHE_ENABLED=false)")
            return ResponseCache(configuration: configuration, backend: DisabledCache(), resilient: nil, client: nil,
                                 metrics: metrics, reason: "CACHE_ENABLED=false")
        }
        switch (configuration.backend, configuration.redis) {
        case (.memory, _):
            return memoryCache("CACHE_BACKEND=memory")
        case (.auto, nil):
            return memoryCache("CACHE_BACKEND=auto and no Redis is configured (REDIS_URL or REDIS_HOST)")
        case (.redis, nil):
            logger.error("CACHE_BACKEND=redis but no Redis is configured; set REDIS_URL. Using in-process memory.")
            return memoryCache("CACHE_BACKEND=redis but no Redis is configured")
        case (.auto, let redis?), (.redis, let redis?):
            let client = RedisClient(configuration: redis, logger: logger)
            var startupError: String?
            do {
                try await client.ping()
            } catch {
                startupError = "\(error)"
            }
            if configuration.backend == .auto, let startupError {
                await client.shutdown()
                return memoryCache("CACHE_BACKEND=auto and Redis at \(redis) did not answer PING at start (\(startupError)); "
                                   + "set CACHE_BACKEND=redis to use Redis once it answers")
            }
            let cache = sharedCache(configuration: configuration, redis: redis, client: client, startupError: startupError,
                                    metrics: metrics, logger: logger)
            if startupError == nil {
                // The first reading of `evicted_keys` is the baseline later evictions count from.
                _ = await cache.resilient?.withShared(.stats) { try await $0.refreshEvictionMetrics() }
            }
            return cache
        }
    }

    private static func sharedCache(
        configuration: CacheConfiguration,
        redis: RedisConfiguration,
        client: RedisClient,
        startupError: String?,
        metrics: RecallMetrics,
        logger: Logger
    ) -> ResponseCache {
        let redisCache = RedisCache(client: client, prefix: configuration.keyPrefix, metrics: metrics,
                                    confirmationTimeout: configuration.nearCacheConfirmationTimeout, logger: logger)
        let primary: any SharedCacheBackend = if configuration.nearCacheEnabled {
            NearCache(shared: redisCache, configuration: redis, maxSize: configuration.nearCacheMaxSize,
                      maxLocalTTL: configuration.nearCacheMaxTTL, logger: logger)
        } else {
            redisCache
        }
        let fallback = InProcessTTLCache(maxSize: configuration.maxSize, defaultTTL: configuration.defaultTTL, metrics: metrics)
        let resilient = ResilientCache(
            primary: primary, fallback: fallback, metrics: metrics,
            probeInterval: configuration.probeInterval, degradedTTL: configuration.degradedTTL,
            healthy: startupError == nil, startupError: startupError, logger: logger
        )
        let reason: String
        if let startupError {
            reason = "CACHE_BACKEND=redis; Redis did not answer at start, so this process's memory serves until it does"
            logger.warning("Response cache: Redis does not answer yet; serving from memory until it does", metadata: [
                "redis.server": "\(redis)", "error": "\(startupError)",
            ])
        } else {
            reason = "CACHE_BACKEND=\(configuration.backend.rawValue) and Redis answered PING at start"
            logger.info("Response cache: Redis", metadata: [
                "redis.server": "\(redis)", "cache.prefix": "\(configuration.keyPrefix)",
                "cache.near_cache": "\(configuration.nearCacheEnabled)",
            ])
        }
        return ResponseCache(configuration: configuration, backend: resilient, resilient: resilient, client: client,
                             metrics: metrics, reason: reason)
    }
}
