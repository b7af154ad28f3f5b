import Foundation
import Logging
import MetricsKit
import RedisKit
import Synchronization

/// The shared cache when it answers, this process's memory when it does not.
///
/// While Redis is healthy every operation goes to it. The first operation that fails for want of
/// Redis (refused, reset, timed out) is counted in `cache_errors_total{backend="redis",operation}`
/// and switches the cache to *degraded*: from then on reads and writes go straight to an
/// in-process cache without touching Redis, so an outage costs a request at most the one command
/// timeout of the operation that found it. While degraded, at most one `PING` per probe interval
/// checks whether Redis is back — on the request path (started in the background, never awaited)
/// and from ``ResponseCache``'s maintenance loop — and the first `PONG` switches back. Nothing is
/// recreated: the same pool reconnects by itself.
///
/// The in-process copies are a stopgap. They are private to this process and invalidations from
/// other processes cannot reach them, so they live at most `degradedTTL`, and they are dropped
/// when the cache degrades and again when Redis returns (with the near cache in front of Redis,
/// which may have missed invalidations meanwhile).
///
/// Reads and writes never throw for an outage. Removals (`delete`, `invalidate`, `clear`) are
/// tried on Redis even while degraded, because an operator who asked for them must learn when
/// they did not happen: they then throw ``CacheError/unavailable(_:)``.
final class ResilientCache: CacheBackend {
    private struct Health {
        var healthy: Bool
        var probing = false
        var lastProbe: ContinuousClock.Instant?
        var lastError: String?
    }

    /// What one attempt on Redis came to.
    private enum Outcome<Result> {
        case value(Result)
        /// Redis answered, with an error (a server error, or a key CacheKit refuses).
        case refused(any Error)
        /// Redis did not answer (or the cache is degraded and the attempt was not made).
        case unavailable
    }

    let primary: any SharedCacheBackend
    let fallback: InProcessTTLCache
    private let errors: CacheMetrics
    private let probeInterval: Duration
    private let degradedTTL: Duration
    private let logger: Logger
    private let health: Mutex<Health>

    /// - Parameters:
    ///   - primary: the Redis tier.
    ///   - fallback: the in-process cache used while Redis is away.
    ///   - healthy: whether Redis answered at start.
    ///   - startupError: why it did not, if it did not.
    init(
        primary: any SharedCacheBackend,
        fallback: InProcessTTLCache,
        metrics: RecallMetrics,
        probeInterval: Duration,
        degradedTTL: Duration,
        healthy: Bool,
        startupError: String? = nil,
        logger: Logger
    ) {
        self.primary = primary
        self.fallback = fallback
        self.errors = metrics.cache(.redis)
        self.probeInterval = probeInterval
        self.degradedTTL = degradedTTL
        self.logger = logger
        self.health = Mutex(Health(healthy: healthy, lastProbe: healthy ? nil : .now, lastError: startupError))
    }

    /// `.redis` while Redis answers, `.memory` while degraded.
    var kind: CacheBackendKind { isHealthy ? .redis : .memory }

    var isHealthy: Bool { health.withLock { $0.healthy } }

    /// Why Redis was last found unavailable; `nil` while healthy.
    var lastError: String? { health.withLock { $0.healthy ? nil : $0.lastError } }

    // MARK: - CacheBackend

    func get(_ key: String) async throws -> Data? {
        switch await attempt(.get, { try await primary.get(key) }) {
        case .value(let value): return value
        case .refused: return nil
        case .unavailable: return fallback.get(key)
        }
    }

    func set(_ key: String, value: Data, ttl: Duration) async throws {
        guard ttl > .zero else { throw CacheError.invalidTTL(ttl) }
        switch await attempt(.set, { try await primary.set(key, value: value, ttl: ttl) }) {
        case .value:
            return
        case .refused(let error):
            // A full Redis under `noeviction` refuses writes: the value just is not cached.
            if error is CacheError { throw error }
        case .unavailable:
            try fallback.set(key, value: value, ttl: min(ttl, degradedTTL))
        }
    }

    func exists(_ key: String) async throws -> Bool {
        switch await attempt(.exists, { try await primary.exists(key) }) {
        case .value(let present): return present
        case .refused: return false
        case .unavailable: return fallback.exists(key)
        }
    }

    @discardableResult
    func delete(_ key: String) async throws -> Bool {
        let local = fallback.delete(key)
        switch await attempt(.delete, evenWhenDegraded: true, { try await primary.delete(key) }) {
        case .value(let removed): return removed || local
        case .refused(let error): throw error
        case .unavailable: throw unavailable()
        }
    }

    @discardableResult
    func invalidate(pattern: String) async throws -> Int {
        fallback.invalidate(pattern: pattern)
        switch await attempt(.invalidate, evenWhenDegraded: true, { try await primary.invalidate(pattern: pattern) }) {
        case .value(let removed): return removed
        case .refused(let error): throw error
        case .unavailable: throw unavailable()
        }
    }

    @discardableResult
    func clear() async throws -> Int {
        fallback.clear()
        switch await attempt(.clear, evenWhenDegraded: true, { try await primary.clear() }) {
        case .value(let removed): return removed
        case .refused(let error): throw error
        case .unavailable: throw unavailable()
        }
    }

    /// Redis's statistics while it answers; the fallback's (backend `memory`) while degraded.
    func stats() async throws -> CacheStats {
        switch await attempt(.stats, { try await primary.stats() }) {
        case .value(let stats): return stats
        case .refused(let error): throw error
        case .unavailable: return fallback.stats()
        }
    }

    // MARK: - The shared tier, for locks and the generation

    /// Runs `body` on the Redis tier with the same error handling as every operation; `nil`
    /// when Redis is unavailable or refused.
    func withShared<Result>(
        _ operation: CacheOperation,
        evenWhenDegraded: Bool = false,
        _ body: (any SharedCacheBackend) async throws -> Result
    ) async -> Result? {
        if case .value(let result) = await attempt(operation, evenWhenDegraded: evenWhenDegraded, { try await body(primary) }) {
            return result
        }
        return nil
    }

    /// The error for a removal that could not reach Redis.
    func unavailable() -> CacheError {
        CacheError.unavailable(health.withLock { $0.lastError } ?? "Redis did not answer")
    }

    // MARK: - Health

    /// Probes Redis now if the cache is degraded and no probe ran within the probe interval;
    /// returns once the probe is done. The maintenance loop calls this.
    func probeIfDue() async {
        if claimProbe() { await probe() }
    }

    /// The same, without waiting: for the request path.
    private func scheduleProbeIfDue() {
        if claimProbe() { Task { await self.probe() } }
    }

    /// Takes the one probe slot of this interval, if it is free.
    private func claimProbe() -> Bool {
        health.withLock { health in
            guard !health.healthy, !health.probing else { return false }
            let now = ContinuousClock.now
            if let last = health.lastProbe, now - last < probeInterval { return false }
            health.probing = true
            health.lastProbe = now
            return true
        }
    }

    private func probe() async {
        do {
            try await primary.ping()
        } catch {
            health.withLock { health in
                health.probing = false
                health.lastError = "\(error)"
            }
            return
        }
        // Copies kept beside Redis may have missed invalidations while it was away.
        primary.discardLocalCopies()
        fallback.clear()
        health.withLock { health in
            health.healthy = true
            health.probing = false
            health.lastError = nil
        }
        logger.notice("Redis cache answers again; the shared cache is in use")
    }

    private func degrade(because error: any Error) {
        let wasHealthy = health.withLock { health in
            defer {
                health.healthy = false
                health.lastError = "\(error)"
            }
            if health.healthy { health.lastProbe = .now }
            return health.healthy
        }
        guard wasHealthy else { return }
        // Start the stopgap empty: whatever it held is from an earlier outage.
        fallback.clear()
        logger.warning("Redis cache unavailable; serving from this process's memory until it answers", metadata: [
            "error": "\(error)",
        ])
    }

    private func attempt<Result>(
        _ operation: CacheOperation,
        evenWhenDegraded: Bool = false,
        _ body: () async throws -> Result
    ) async -> Outcome<Result> {
        guard evenWhenDegraded || isHealthy else {
            scheduleProbeIfDue()
            return .unavailable
        }
        do {
            return .value(try await body())
        } catch let error as RedisError where error.kind == .io {
            // A connection that died while idle (say, the server restarted) fails once and is
            // reconnected at once: one retry tells that from an outage, and costs no timeout.
            do {
                return .value(try await body())
            } catch {
                return failure(operation, error)
            }
        } catch {
            return failure(operation, error)
        }
    }

    private func failure<Result>(_ operation: CacheOperation, _ error: any Error) -> Outcome<Result> {
        // CacheKit's own refusals (a reserved key, a bad TTL) are the caller's, not Redis's.
        if error is CacheError { return .refused(error) }
        errors.recordError(operation)
        if let redisError = error as? RedisError, Self.isAnswer(redisError) {
            return .refused(error)
        }
        degrade(because: error)
        return .unavailable
    }

    /// Error replies from a server that works (`WRONGTYPE`, `OOM` under `noeviction`), as
    /// opposed to one that cannot serve right now.
    private static func isAnswer(_ error: RedisError) -> Bool {
        switch error.kind {
        case .server:
            !["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOAUTH"].contains(error.serverErrorCode ?? "")
        case .protocol:
            true
        case .connection, .io, .timeout, .closed, .configuration:
            false
        }
    }
}
