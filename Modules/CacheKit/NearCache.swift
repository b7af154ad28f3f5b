import Foundation
import Logging
import MetricsKit
import RedisKit
import Synchronization

/// A small in-process cache in front of a ``RedisCache``, kept coherent with it over Redis
/// pub/sub (`CACHE_L1_ENABLED`).
///
/// A hit here costs no round trip. Every change any process makes through a ``RedisCache`` is
/// published on `<prefix>:invalidations`; this cache drops the matching copies when the message
/// arrives and then confirms it, and the change does not return to its caller before every
/// receiver confirmed (``RedisCache/confirmationTimeout`` bounds the wait). So once an
/// invalidation, a write or a generation bump has returned in one process, no near cache in
/// another serves what it replaced. Pub/sub delivers at most once and keeps nothing for a
/// subscriber that is away, so the near cache is emptied whenever the subscription drops and again
/// when it is back, and it is not used at all until the subscription is confirmed. Copies never outlive the original's TTL in
/// Redis, nor `maxLocalTTL`, which bounds the damage of a message that was lost anyway.
///
/// The corpus generation is kept too, so a hit on a generation-keyed entry (a chat answer)
/// costs no round trip at all: a bump in any process is published (`<origin> generation`) and
/// makes every near cache read it again, and a generation held longer than
/// ``generationLifetime`` is read again anyway, which bounds how long a change that announced
/// nothing (the counter deleted by hand) goes unseen.
///
/// A read that races an invalidation must not put the old value back after the invalidation
/// dropped it. Every invalidation (received, or made by this process) advances an epoch, and a
/// value or generation read from Redis is kept only if the epoch has not moved since before the
/// read.
final class NearCache: CacheBackend, SharedCacheBackend {
    private struct State {
        /// Whether the subscription is confirmed; the near cache is bypassed while it is not.
        var connected = false
        var epoch: UInt64 = 0
        /// The generation read from Redis, valid while the epoch is the one it was read in.
        var generation: (value: Int, epoch: UInt64, until: ContinuousClock.Instant)?
    }

    /// The longest this process uses a generation it read without reading it again.
    static let generationLifetime: Duration = .seconds(1)

    let shared: RedisCache
    private let local: InProcessTTLCache
    private let maxLocalTTL: Duration
    private let subscriber: RedisSubscriber
    private let state = Mutex(State())
    private let listener = Mutex<Task<Void, Never>?>(nil)
    private let logger: Logger

    var kind: CacheBackendKind { .redis }

    /// Starts the subscriber; the near cache is used from its first `.connected` event on.
    ///
    /// - Parameters:
    ///   - shared: the Redis cache behind it.
    ///   - configuration: where the subscriber connects (the same server as `shared`'s client).
    ///   - maxSize: entries kept (`CACHE_L1_MAX_SIZE`).
    ///   - maxLocalTTL: the longest a copy is kept, whatever its TTL in Redis.
    init(shared: RedisCache, configuration: RedisConfiguration, maxSize: Int, maxLocalTTL: Duration, logger: Logger) {
        self.shared = shared
        self.local = InProcessTTLCache(maxSize: maxSize, defaultTTL: maxLocalTTL)
        self.maxLocalTTL = maxLocalTTL
        self.logger = logger
        self.subscriber = RedisSubscriber(configuration: configuration, channels: [shared.channel], logger: logger)
        let events = subscriber.messages()
        // The task holds the cache weakly: releasing the cache releases the subscriber, which
        // finishes the stream and so ends the task.
        listener.withLock {
            $0 = Task { [weak self] in
                for await event in events {
                    guard let self else { return }
                    self.handle(event)
                }
            }
        }
    }

    // MARK: - CacheBackend

    func get(_ key: String) async throws -> Data? {
        let epoch = state.withLock { $0.connected ? $0.epoch : nil }
        if epoch != nil, let value = local.get(key) {
            return value
        }
        guard let (value, ttl) = try await shared.getWithTTL(key) else { return nil }
        if let epoch {
            let keep = min(ttl ?? maxLocalTTL, maxLocalTTL)
            if keep > .zero {
                state.withLock { state in
                    guard state.connected, state.epoch == epoch else { return }
                    try? local.set(key, value: value, ttl: keep)
                }
            }
        }
        return value
    }

    func set(_ key: String, value: Data, ttl: Duration) async throws {
        forget(.key(key))
        // Forget again afterwards: a read of the old value that started before the write may
        // come back after the first forget.
        defer { forget(.key(key)) }
        try await shared.set(key, value: value, ttl: ttl)
    }

    func setMany(_ entries: [(key: String, value: Data)], ttl: Duration) async throws {
        let message = InvalidationMessage.keys(entries.map(\.key))
        forget(message)
        defer { forget(message) }
        try await shared.setMany(entries, ttl: ttl)
    }

    @discardableResult
    func delete(_ key: String) async throws -> Bool {
        forget(.key(key))
        defer { forget(.key(key)) }
        return try await shared.delete(key)
    }

    @discardableResult
    func clear() async throws -> Int {
        forget(.clear)
        defer { forget(.clear) }
        return try await shared.clear()
    }

    func exists(_ key: String) async throws -> Bool {
        try await shared.exists(key)
    }

    @discardableResult
    func invalidate(pattern: String) async throws -> Int {
        forget(.pattern(pattern))
        defer { forget(.pattern(pattern)) }
        return try await shared.invalidate(pattern: pattern)
    }

    func stats() async throws -> CacheStats {
        var stats = try await shared.stats()
        let nearHits = local.stats().hits ?? 0
        stats.nearCacheSize = local.count
        stats.nearCacheHits = nearHits
        stats.hits = (stats.hits ?? 0) + nearHits
        stats.processHitRate = HitRateTracker.rate(hits: stats.hits ?? 0, misses: stats.misses ?? 0)
        return stats
    }

    // MARK: - SharedCacheBackend

    func ping() async throws { try await shared.ping() }

    func peek(_ key: String) async throws -> Data? { try await shared.peek(key) }

    func acquireLock(for key: String, token: String, ttl: Duration) async throws -> Bool {
        try await shared.acquireLock(for: key, token: token, ttl: ttl)
    }

    @discardableResult
    func releaseLock(for key: String, token: String) async throws -> Bool {
        try await shared.releaseLock(for: key, token: token)
    }

    func generation(bump: Bool) async throws -> Int {
        guard bump else { return try await shared.generation(bump: false) }
        // This process does not hear its own announcement: forget the held generation here,
        // before and after, as writes do with their keys.
        forget(.generation)
        defer { forget(.generation) }
        return try await shared.generation(bump: true)
    }

    /// The held generation while it is valid, with the value from this process's copies when it
    /// has one: no round trip. Otherwise both from Redis (one round trip), and the generation is
    /// held unless an invalidation arrived meanwhile.
    func valueAtGeneration(_ key: (Int) -> String, guess: Int) async throws -> (generation: Int, value: Data?) {
        let now = ContinuousClock.now
        let (held, epoch) = state.withLock { state -> (Int?, UInt64?) in
            guard state.connected else { return (nil, nil) }
            if let generation = state.generation, generation.epoch == state.epoch, now < generation.until {
                return (generation.value, state.epoch)
            }
            return (nil, state.epoch)
        }
        if let held { return (held, try await get(key(held))) }
        let (generation, value) = try await shared.valueAtGeneration(key, guess: guess)
        if let epoch {
            state.withLock { state in
                guard state.connected, state.epoch == epoch else { return }
                state.generation = (generation, epoch, now + Self.generationLifetime)
            }
        }
        return (generation, value)
    }

    func refreshEvictionMetrics() async throws { try await shared.refreshEvictionMetrics() }

    func discardLocalCopies() { forget(.clear) }

    func stopBackgroundWork() async {
        await subscriber.stop()
        listener.withLock { $0?.cancel() }
    }

    /// Entries held right now (expired ones included until they are read or pushed out).
    var localCount: Int { local.count }

    /// Whether the subscription is confirmed, so the near cache is in use.
    var isSubscribed: Bool { state.withLock { $0.connected } }

    // MARK: - Invalidation

    private func handle(_ event: SubscriberEvent) {
        switch event {
        case .connected:
            state.withLock { state in
                state.connected = true
                state.epoch &+= 1
                local.clear()
            }
        case .disconnected:
            // Messages published from now until the next `.connected` are lost to us.
            state.withLock { state in
                state.connected = false
                state.epoch &+= 1
                local.clear()
            }
        case .message(_, let payload):
            guard let (origin, announcement, message) = InvalidationMessage.decode(payload) else {
                logger.debug("Unknown cache invalidation message; dropping the near cache")
                forget(.clear)
                return
            }
            // This process already applied its own changes.
            if origin != shared.origin { forget(message) }
            // The sender counted this subscriber among the receivers and waits for it.
            if let announcement {
                let shared = shared
                Task { try? await shared.confirm(announcement) }
            }
        }
    }

    /// Drops what `message` names and advances the epoch, under the same lock that guards
    /// filling, so no fill based on an older read can land after it.
    private func forget(_ message: InvalidationMessage) {
        state.withLock { state in
            state.epoch &+= 1
            switch message {
            case .key(let key): local.delete(key)
            case .keys(let keys): for key in keys { local.delete(key) }
            case .pattern(let pattern): local.invalidate(pattern: pattern)
            case .clear: local.clear()
            case .generation: break
            }
        }
    }
}
