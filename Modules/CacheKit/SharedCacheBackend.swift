import Foundation

/// What the fallback and cross-process coordination need from the shared (Redis) tier beyond
/// ``CacheBackend``: a health check, compute locks, the corpus generation and uncounted reads.
///
/// ``RedisCache`` implements it, and ``NearCache`` forwards it to the ``RedisCache`` behind it.
protocol SharedCacheBackend: CacheBackend {
    /// `PING`: throws unless the store answers.
    func ping() async throws

    /// Reads a value without counting a hit or a miss: lock waiters poll with it, and their
    /// polls are not lookups anyone asked for.
    func peek(_ key: String) async throws -> Data?

    /// Takes the compute lock of `key` for `ttl` unless another owner holds it.
    func acquireLock(for key: String, token: String, ttl: Duration) async throws -> Bool

    /// Releases the compute lock of `key` if `token` still owns it; returns whether it did.
    @discardableResult
    func releaseLock(for key: String, token: String) async throws -> Bool

    /// The corpus generation, incremented first when `bump` is true.
    func generation(bump: Bool) async throws -> Int

    /// The corpus generation and the value stored under `key(generation)`, read together so the
    /// value is the one of the generation returned. `guess` is the generation the caller saw
    /// last: when it is still current, Redis answers both in one round trip.
    func valueAtGeneration(_ key: (Int) -> String, guess: Int) async throws -> (generation: Int, value: Data?)

    /// Reads the server's eviction count and records what is new in `cache_evictions_total`.
    func refreshEvictionMetrics() async throws

    /// Drops whatever this process keeps beside the shared store (a near cache), because it may
    /// have missed invalidations: called when the shared store comes back after an outage.
    func discardLocalCopies()

    /// Stops background work the backend owns (a subscriber); the Redis client is its owner's.
    func stopBackgroundWork() async
}

extension SharedCacheBackend {
    /// The generation, then the value: two reads, for tiers that cannot do better (a near cache
    /// answers the second from this process's copies).
    func valueAtGeneration(_ key: (Int) -> String, guess: Int) async throws -> (generation: Int, value: Data?) {
        let generation = try await generation(bump: false)
        return (generation, try await get(key(generation)))
    }
}
