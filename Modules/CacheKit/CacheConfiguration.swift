import RedisKit

/// Everything ``CacheFactory`` needs to build a ``ResponseCache``.
///
/// Programs build it from their settings with ``init(settings:)``; tests set the fields they
/// care about (a private Redis, short intervals) on ``init()``.
public struct CacheConfiguration: Sendable {
    /// Which store the cache uses (`CACHE_BACKEND`).
    public enum Backend: String, Sendable, CaseIterable {
        /// Redis if it answers `PING` at start, else this process's memory for the process's life.
        case auto
        /// Redis; while it does not answer, this process's memory, until it answers again.
        case redis
        /// This process's memory only.
        case memory
    }

    /// `CACHE_ENABLED`: when false nothing is cached anywhere.
    public var enabled = true
    /// `CACHE_BACKEND`.
    public var backend: Backend = .auto
    /// Where Redis is; `nil` when none is configured. Its timeouts bound what one cache
    /// operation may cost a request during an outage.
    public var redis: RedisConfiguration?
    /// `CACHE_KEY_PREFIX`: every Redis key is `<prefix>:…`.
    public var keyPrefix = "recall"
    /// `CACHE_TTL_SECONDS`: the TTL of cached answers unless a call says otherwise.
    public var defaultTTL: Duration = .seconds(3600)
    /// `CACHE_MAX_SIZE`: entries of the in-process cache (the memory backend and the fallback).
    public var maxSize = 1000
    /// `CACHE_L1_ENABLED`: a near cache in front of Redis, kept coherent by pub/sub with
    /// confirmations (see ``RedisCache``).
    public var nearCacheEnabled = true
    /// `CACHE_L1_MAX_SIZE`.
    public var nearCacheMaxSize = 1000
    /// `CACHE_L1_CONFIRM_TIMEOUT_MS`: the longest a change waits for the near caches that received
    /// its announcement to confirm it (``RedisCache/confirmationTimeout``).
    public var nearCacheConfirmationTimeout = RedisCache.defaultConfirmationTimeout
    /// The longest the near cache keeps a copy, whatever its TTL in Redis: the bound on
    /// staleness should an invalidation be lost even so.
    public var nearCacheMaxTTL: Duration = .seconds(30)
    /// `CACHE_LOCK_TTL_MS`: how long one process's compute lock on a missing key lives, and so
    /// the longest other processes wait for its value before computing it themselves.
    public var lockTTL: Duration = .seconds(10)
    /// The longest pause between two looks of a waiting process at a locked key (pauses start at
    /// 10 ms and double up to this).
    public var lockPollInterval: Duration = .milliseconds(50)
    /// While Redis is unavailable, at most one `PING` per this interval checks whether it is back.
    public var probeInterval: Duration = .seconds(1)
    /// The longest an entry lives in the in-process fallback while Redis is unavailable: those
    /// entries are private to the process and invalidations cannot reach them.
    public var degradedTTL: Duration = .seconds(30)

    /// The defaults: caching on, `auto`, no Redis (so the memory backend).
    public init() {}
}
