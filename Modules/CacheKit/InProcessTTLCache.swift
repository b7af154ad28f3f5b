import Foundation
import MetricsKit
import Synchronization

/// A cache private to one process: a TTL on every entry and a maximum number of entries, with
/// the least recently used entry evicted to make room.
///
/// It is the embedded default when Redis is not configured or not reachable, and it is fast
/// enough to sit in front of Redis as a near cache: every operation is O(1) except ``clear()``,
/// ``invalidate(pattern:)`` and ``sweep()``, which visit every entry.
///
/// Expired entries are never returned. They are removed when a read finds them and by
/// ``sweep()``, which an owner runs periodically (``runSweeper(every:)``) so that entries nobody
/// reads again do not hold memory until the LRU pushes them out.
///
/// The state sits in a `Mutex` rather than an actor: a hit is a couple of hundred nanoseconds of
/// work, and an actor hop would cost more than the work itself. For the same reason its methods
/// are synchronous — they never wait for anything — and satisfy ``CacheBackend``'s `async`
/// requirements as they are: code holding an `InProcessTTLCache` calls them without `await` and
/// pays no suspension machinery, code holding `any CacheBackend` awaits them like any backend.
///
/// Evictions (entries dropped to respect ``maxSize``) are counted in ``stats()`` and in
/// `cache_evictions_total{backend="memory"}`; expiries and explicit deletes are not evictions.
/// Hits and misses are counted in ``stats()`` only; the request-level
/// `cache_hits_total`/`cache_misses_total` are counted by
/// ``cached(backend:key:ttl:metrics:coalescing:isCacheable:compute:)``, which would otherwise
/// count them twice.
public final class InProcessTTLCache: CacheBackend {
    /// The most entries the cache holds at once.
    public let maxSize: Int
    /// The TTL reported in ``stats()`` as `memory_cache_default_ttl` (`CACHE_TTL_SECONDS`).
    public let defaultTTL: Duration
    public var kind: CacheBackendKind { .memory }

    private struct State {
        var table = LRUTable()
        var hits = 0
        var misses = 0
        var evictions = 0
        var expirations = 0
    }

    private let state = Mutex(State())
    private let metrics: CacheMetrics?
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates an empty cache.
    ///
    /// - Parameters:
    ///   - maxSize: the most entries held at once (`CACHE_MAX_SIZE`); at least 1.
    ///   - defaultTTL: the TTL reported in the stats (`CACHE_TTL_SECONDS`).
    ///   - metrics: where to count evictions; `nil` counts them only in ``stats()``.
    ///   - now: the clock that TTLs are measured against. Tests pass a manual clock so that
    ///     expiry needs no sleeping.
    public init(
        maxSize: Int,
        defaultTTL: Duration = .seconds(3600),
        metrics: RecallMetrics? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        precondition(maxSize >= 1, "InProcessTTLCache needs room for at least one entry")
        self.maxSize = maxSize
        self.defaultTTL = defaultTTL
        self.metrics = metrics?.cache(.memory)
        self.now = now
    }

    public func get(_ key: String) -> Data? {
        // Read the clock before taking the lock, to keep the critical section short.
        let now = now()
        return state.withLock { state in
            guard let slot = state.table.slot(for: key) else {
                state.misses += 1
                return nil
            }
            if state.table.expiry(at: slot) <= now {
                state.table.remove(slot)
                state.expirations += 1
                state.misses += 1
                return nil
            }
            state.table.touch(slot)
            state.hits += 1
            return state.table.value(at: slot)
        }
    }

    public func set(_ key: String, value: Data, ttl: Duration) throws(CacheError) {
        guard ttl > .zero else { throw CacheError.invalidTTL(ttl) }
        let expiresAt = now() + ttl
        let evicted = state.withLock { state -> Int in
            if let slot = state.table.slot(for: key) {
                state.table.update(slot, value: value, expiresAt: expiresAt)
                return 0
            }
            // A full cache drops its least recently used entry, even if another entry has
            // already expired: finding that one would need a scan, and it will be swept anyway.
            var evicted = 0
            while state.table.count >= maxSize, let victim = state.table.leastRecentlyUsed {
                state.table.remove(victim)
                evicted += 1
            }
            state.evictions += evicted
            _ = state.table.insert(key, value: value, expiresAt: expiresAt)
            return evicted
        }
        metrics?.recordEvictions(evicted)
    }

    @discardableResult
    public func delete(_ key: String) -> Bool {
        let now = now()
        return state.withLock { state in
            guard let slot = state.table.slot(for: key) else { return false }
            let live = state.table.expiry(at: slot) > now
            state.table.remove(slot)
            if !live { state.expirations += 1 }
            return live
        }
    }

    @discardableResult
    public func clear() -> Int {
        let now = now()
        return state.withLock { state in
            var live = 0
            for slot in state.table.slotsByRecency where state.table.expiry(at: slot) > now {
                live += 1
            }
            state.expirations += state.table.count - live
            state.table.removeAll()
            return live
        }
    }

    public func exists(_ key: String) -> Bool {
        let now = now()
        return state.withLock { state in
            guard let slot = state.table.slot(for: key) else { return false }
            if state.table.expiry(at: slot) <= now {
                state.table.remove(slot)
                state.expirations += 1
                return false
            }
            // Existence is not a use: checking must not save an entry from eviction.
            return true
        }
    }

    @discardableResult
    public func invalidate(pattern: String) -> Int {
        let glob = GlobPattern(pattern)
        let now = now()
        return state.withLock { state in
            var removed = 0
            for slot in state.table.slotsByRecency {
                if state.table.expiry(at: slot) <= now {
                    state.table.remove(slot)
                    state.expirations += 1
                } else if glob.matches(state.table.key(at: slot)) {
                    state.table.remove(slot)
                    removed += 1
                }
            }
            return removed
        }
    }

    public func stats() -> CacheStats {
        // Sweep first so that `memory_cache_size` counts live entries only.
        sweep()
        return state.withLock { state in
            CacheStats(
                backend: .memory,
                memoryCacheSize: state.table.count,
                memoryCacheMaxSize: maxSize,
                memoryCacheDefaultTTL: Int(defaultTTL.components.seconds),
                hits: state.hits,
                misses: state.misses,
                hitRate: HitRateTracker.rate(hits: state.hits, misses: state.misses),
                processHitRate: HitRateTracker.rate(hits: state.hits, misses: state.misses),
                evictions: state.evictions,
                expirations: state.expirations
            )
        }
    }

    /// The number of entries stored, including expired ones not yet removed.
    public var count: Int {
        state.withLock { $0.table.count }
    }

    /// Removes every expired entry; returns how many were removed.
    ///
    /// O(n) under the lock; at `CACHE_MAX_SIZE` scale (thousands of entries) that is well under
    /// a millisecond.
    @discardableResult
    public func sweep() -> Int {
        let now = now()
        return state.withLock { state in
            var removed = 0
            for slot in state.table.slotsByRecency where state.table.expiry(at: slot) <= now {
                state.table.remove(slot)
                removed += 1
            }
            state.expirations += removed
            return removed
        }
    }

    /// Calls ``sweep()`` every `interval` until the calling task is cancelled.
    ///
    /// The owner decides where this runs (a `Task`, a task group, a service), so the cache never
    /// starts work that nobody can stop.
    public func runSweeper(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            sweep()
        }
    }
}
