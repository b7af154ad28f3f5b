import Foundation
import MetricsKit
import RedisKit
import Synchronization

/// The response cache as the programs use it: made by ``CacheFactory`` from the settings, the
/// same way in the server, the worker and the CLI.
///
/// ``cached(key:ttl:isCacheable:compute:)`` is the request path: it never fails because of the
/// cache, computes a missing value once per key in this process and — when Redis is in use —
/// once across every process sharing it. ``backend`` is the store itself, for reads, writes and
/// removals. ``status`` tells `/ready` which backend serves and why, ``statsReport()`` is the
/// body of `GET /api/v1/cache/stats`, and the corpus generation that chat keys carry is read
/// with ``generation()`` and advanced with ``bumpGeneration()``.
///
/// ```swift
/// let cache = await CacheFactory.make(settings: settings, metrics: metrics, logger: logger)
/// let chatKey = ChatCacheKey(question: question, sessionID: session, model: model)
/// let key = cache.chatKeys.key(for: chatKey, tenant: tenant, generation: await cache.generation())
/// let (answer, hit) = try await cache.cached(key: key, isCacheable: { !$0.degraded }) {
///     try await engine.answer(question)
/// }
/// ```
///
/// Call ``shutdown()`` before the process exits: it stops the maintenance loop, the near cache's
/// subscriber and the Redis connections.
public final class ResponseCache: Sendable {
    /// What the cache was made from.
    public let configuration: CacheConfiguration
    /// The store: Redis with this process's memory as fallback, the memory cache alone, or the
    /// disabled cache. Its reads and writes do not throw for outages; removals do (see
    /// ``CacheError/unavailable(_:)``).
    public let backend: any CacheBackend
    /// Chat keys relative to the cache's prefix: `chat:t=…:g=…:m=…:s=…:<hash>`, stored in Redis as
    /// `<CACHE_KEY_PREFIX>:chat:…`.
    public let chatKeys = ChatKeyLayout.relative

    let metrics: RecallMetrics
    let resilient: ResilientCache?
    let client: RedisClient?
    private let reason: String
    let flights = SingleFlight<Data>()
    /// Values decoded from hits, reused while the stored bytes stay the same.
    let decoded = DecodedValues()
    /// The shared generation this process read last: the guess that lets one round trip read a
    /// generation-keyed value (``cached(keyAtGeneration:ttl:isCacheable:compute:)``).
    let lastSharedGeneration = Atomic<Int>(0)
    /// The questions asked most, for re-warming (`<prefix>:__hot_questions` in Redis, else this process's).
    public let hotQuestions: HotQuestions
    /// The corpus generation when there is no Redis (or it is away): private to this process.
    private let localGeneration = Atomic<Int>(0)
    private let maintenance = Mutex<Task<Void, Never>?>(nil)

    init(
        configuration: CacheConfiguration,
        backend: any CacheBackend,
        resilient: ResilientCache?,
        client: RedisClient?,
        metrics: RecallMetrics,
        reason: String
    ) {
        self.configuration = configuration
        self.backend = backend
        self.resilient = resilient
        self.client = client
        self.metrics = metrics
        self.reason = reason
        self.hotQuestions = HotQuestions(client: client, prefix: configuration.keyPrefix)
        if backend.kind != .disabled { startMaintenance() }
    }

    /// The backend serving requests now: `redis`, `memory` (configured, or while Redis is
    /// unavailable) or `disabled`.
    public var activeBackend: CacheBackendKind { backend.kind }

    /// Which backend serves, why, and whether the process is degraded.
    public var status: CacheStatus {
        let configured = configuration.enabled ? configuration.backend.rawValue : "disabled"
        return CacheStatus(
            configuredBackend: configured,
            activeBackend: backend.kind,
            degraded: resilient.map { !$0.isHealthy } ?? false,
            redis: resilient != nil ? configuration.redis?.description : nil,
            nearCache: resilient?.primary is NearCache,
            reason: reason,
            lastError: resilient?.lastError
        )
    }

    /// The stats endpoint's body: the active backend's seed JSON, this process's hit rate, and
    /// whether the cache is degraded. Never throws: a Redis that fails to answer is reported as
    /// the fallback that now serves.
    public func statsReport() async -> CacheStatsReport {
        let status = status
        var stats: CacheStats
        do {
            stats = try await backend.stats()
        } catch {
            // Redis answered INFO with an error (a managed Redis may rename it): say what we can.
            stats = CacheStats(backend: backend.kind)
        }
        if stats.processHitRate == nil, let hits = stats.hits, let misses = stats.misses {
            stats.processHitRate = HitRateTracker.rate(hits: hits, misses: misses)
        }
        return CacheStatsReport(stats: stats, configuredBackend: status.configuredBackend, degraded: status.degraded)
    }

    // MARK: - Corpus generation

    /// The corpus generation chat keys are built with.
    ///
    /// With Redis it is `<prefix>:generation`, shared by every process; without Redis (or while
    /// it is away) it is this process's own counter.
    public func generation() async -> Int {
        if let resilient, let shared = await resilient.withShared(.get, { try await $0.generation(bump: false) }) {
            return shared
        }
        return localGeneration.load(ordering: .relaxed)
    }

    /// Advances the corpus generation, so answers computed from the older corpus are no longer
    /// read (they age out through their TTL); returns the new generation.
    ///
    /// - Throws: ``CacheError/unavailable(_:)`` when Redis is in use but does not answer: other
    ///   processes would not see the new generation, so the caller should retry.
    @discardableResult
    public func bumpGeneration() async throws -> Int {
        let local = localGeneration.add(1, ordering: .relaxed).newValue
        guard let resilient else { return local }
        if let shared = await resilient.withShared(.set, evenWhenDegraded: true, { try await $0.generation(bump: true) }) {
            return shared
        }
        throw resilient.unavailable()
    }

    // MARK: - Warming

    /// A warmer that fills this cache with the TTL given (the configured TTL by default), counting
    /// its errors in this cache's metrics.
    ///
    /// - Parameters:
    ///   - key: the cache key of a question, e.g. from ``chatKeys``.
    ///   - compute: the answer to a question; warming calls it only for questions not cached.
    public func warmer<Value: Codable & Sendable>(
        ttl: Duration? = nil,
        key: @escaping @Sendable (String) -> String,
        compute: @escaping @Sendable (String) async throws -> Value
    ) -> CacheWarmer<Value> {
        CacheWarmer(backend: backend, ttl: ttl ?? configuration.defaultTTL, metrics: metrics, key: key, compute: compute)
    }

    // MARK: - Lifecycle

    /// Stops background work and closes the Redis connections. Later calls fall back to
    /// computing without the shared cache.
    public func shutdown() async {
        let task = maintenance.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await hotQuestions.flush()
        await resilient?.primary.stopBackgroundWork()
        await client?.shutdown()
    }

    /// One loop per cache: probes Redis while degraded, feeds `cache_evictions_total` from the
    /// server's `evicted_keys`, and sweeps expired in-process entries.
    private func startMaintenance() {
        let tick = min(configuration.probeInterval, .seconds(1))
        let task = Task { [weak self] in
            let clock = ContinuousClock()
            var lastEvictionRefresh = clock.now
            var lastSweep = clock.now
            var lastHotFlush = clock.now
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: tick)
                } catch {
                    return
                }
                guard let self else { return }
                if let resilient = self.resilient {
                    await resilient.probeIfDue()
                    if resilient.isHealthy, clock.now - lastEvictionRefresh >= .seconds(15) {
                        lastEvictionRefresh = clock.now
                        _ = await resilient.withShared(.stats) { try await $0.refreshEvictionMetrics() }
                    }
                }
                if clock.now - lastHotFlush >= .seconds(5) {
                    lastHotFlush = clock.now
                    await self.hotQuestions.flush()
                }
                if clock.now - lastSweep >= .seconds(30) {
                    lastSweep = clock.now
                    (self.backend as? InProcessTTLCache)?.sweep()
                    self.resilient?.fallback.sweep()
                }
            }
        }
        maintenance.withLock { $0 = task }
    }
}
