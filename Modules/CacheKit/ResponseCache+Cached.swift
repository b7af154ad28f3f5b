import Foundation
import MetricsKit

extension ResponseCache {
    /// Returns the cached value for `key`, or computes, caches and returns it — computing it once
    /// for all concurrent callers in this process and, with Redis, in every process sharing it.
    ///
    /// The cache never fails the call: a backend failure is counted in
    /// `cache_errors_total{backend, operation}` and the value is computed as if there were no
    /// cache. Only `compute`'s own errors reach the caller, and they are never cached; neither
    /// are values for which `isCacheable` is false (an answer produced on a degraded path).
    /// Every call counts one hit or one miss with the label of the backend serving it; with
    /// caching disabled it just computes and counts nothing.
    ///
    /// On a miss, one caller per key in this process leads (``SingleFlight``); with Redis the
    /// leader also takes a short lock, `SET <prefix>:lock:<key> <token> NX PX <lockTTL>`. The
    /// process that gets it computes and stores the value, then releases the lock with a
    /// compare-and-delete (a lock that expired and was taken by another process is left alone).
    /// The others poll for the value, from 10 ms doubling up to `lockPollInterval`, and take the
    /// lock themselves if it is released without a value. No one waits longer than the lock's
    /// TTL: a leader that crashed or hangs only costs its followers that long, after which they
    /// compute themselves. A value obtained by waiting for another caller is returned with
    /// `hit: false`: it was not in the cache when asked for.
    ///
    /// - Parameters:
    ///   - key: the logical key, e.g. from ``chatKeys``.
    ///   - ttl: how long a computed value stays cached; the configured TTL when `nil`.
    ///   - isCacheable: whether a computed value may be stored.
    ///   - compute: produces the value on a miss.
    /// - Returns: the value, and whether it came from the cache.
    public func cached<T: Codable & Sendable>(
        key: String,
        ttl: Duration? = nil,
        isCacheable: (T) -> Bool = { _ in true },
        compute: () async throws -> T
    ) async throws -> (value: T, hit: Bool) {
        guard let label = backend.kind.metricsLabel else {
            return (try await compute(), false)
        }
        // The backends here do not throw for outages; anything else (a reserved key) is a miss.
        let stored = (try? await backend.get(key)) ?? nil
        return try await resolve(key: key, stored: stored, recorder: metrics.cache(label), ttl: ttl,
                                 isCacheable: isCacheable, compute: compute)
    }

    /// ``cached(key:ttl:isCacheable:compute:)`` for a key that carries the corpus generation,
    /// `key(generation)`, such as a chat key: the generation and the value are read together — in
    /// one round trip with Redis while the generation is the one this process saw last — so a
    /// hit costs one read, and the value is always the current generation's.
    ///
    /// - Parameters:
    ///   - key: the logical key at a generation, e.g. from ``chatKeys``.
    ///   - ttl: how long a computed value stays cached; the configured TTL when `nil`.
    ///   - isCacheable: whether a computed value may be stored.
    ///   - compute: produces the value on a miss.
    /// - Returns: the value, and whether it came from the cache.
    public func cached<T: Codable & Sendable>(
        keyAtGeneration key: (Int) -> String,
        ttl: Duration? = nil,
        isCacheable: (T) -> Bool = { _ in true },
        compute: () async throws -> T
    ) async throws -> (value: T, hit: Bool) {
        guard let label = backend.kind.metricsLabel else {
            return (try await compute(), false)
        }
        let recorder = metrics.cache(label)
        if let resilient, let (generation, stored) = await resilient.withShared(.get, {
            try await $0.valueAtGeneration(key, guess: lastSharedGeneration.load(ordering: .relaxed))
        }) {
            lastSharedGeneration.store(generation, ordering: .relaxed)
            return try await resolve(key: key(generation), stored: stored, recorder: recorder, ttl: ttl,
                                     isCacheable: isCacheable, compute: compute)
        }
        // No Redis, or it is away: this process's generation and store, as ``generation()`` says.
        let resolved = key(await generation())
        let stored = (try? await backend.get(resolved)) ?? nil
        return try await resolve(key: resolved, stored: stored, recorder: recorder, ttl: ttl,
                                 isCacheable: isCacheable, compute: compute)
    }

    /// The value of what was read under `key`, or the leader's computation on a miss.
    private func resolve<T: Codable & Sendable>(
        key: String,
        stored: Data?,
        recorder: CacheMetrics,
        ttl: Duration?,
        isCacheable: (T) -> Bool,
        compute: () async throws -> T
    ) async throws -> (value: T, hit: Bool) {
        if let data = stored {
            if let value = decoded.value(T.self, for: key, bytes: data) {
                recorder.recordHit()
                return (value, true)
            }
            if let value = try? JSONDecoder().decode(T.self, from: data) {
                decoded.remember(value, for: key, bytes: data)
                recorder.recordHit()
                return (value, true)
            }
            recorder.recordError(.decode)
        }
        recorder.recordMiss()

        let ttl = ttl ?? configuration.defaultTTL
        var computed: T?
        let (data, _) = try await flights.run(key) {
            try await fill(key: key, ttl: ttl) {
                let value = try await compute()
                computed = value
                return (try JSONEncoder().encode(value), isCacheable(value))
            }
        }
        if let computed { return (computed, false) }
        if let shared = try? JSONDecoder().decode(T.self, from: data) { return (shared, false) }
        // Another process stored something this version cannot read: compute our own.
        recorder.recordError(.decode)
        return (try await compute(), false)
    }

    /// The leader's part of a miss: the cross-process lock when Redis is in use, then compute and
    /// store, or wait for the process that holds the lock.
    ///
    /// Failures of the lock's commands are counted under the operation they are made of (the
    /// `operation` label is a closed set): taking it is a `set`, looking for the value a `get`,
    /// releasing it a `delete`.
    private func fill(key: String, ttl: Duration, produce: () async throws -> (Data, Bool)) async throws -> Data {
        guard let resilient, resilient.isHealthy else {
            return try await store(key: key, ttl: ttl, produce: produce)
        }
        let token = UUID().uuidString
        let lockTTL = configuration.lockTTL
        let deadline = ContinuousClock.now + lockTTL
        var pause = Duration.milliseconds(10)
        while true {
            switch await resilient.withShared(.set, { try await $0.acquireLock(for: key, token: token, ttl: lockTTL) }) {
            case nil:
                // Redis went away: compute without coordination, as a process without Redis does.
                return try await store(key: key, ttl: ttl, produce: produce)
            case true?:
                do {
                    // The previous holder may have stored the value between our miss and now.
                    if let data = await resilient.withShared(.get, { try await $0.peek(key) }) ?? nil {
                        await release(key: key, token: token)
                        return data
                    }
                    let data = try await store(key: key, ttl: ttl, produce: produce)
                    await release(key: key, token: token)
                    return data
                } catch {
                    await release(key: key, token: token)
                    throw error
                }
            case false?:
                if ContinuousClock.now >= deadline {
                    // Waited as long as the holder may hold the lock: it crashed or hangs.
                    return try await store(key: key, ttl: ttl, produce: produce)
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, configuration.lockPollInterval)
                if let data = await resilient.withShared(.get, { try await $0.peek(key) }) ?? nil {
                    return data
                }
            }
        }
    }

    private func store(key: String, ttl: Duration, produce: () async throws -> (Data, Bool)) async throws -> Data {
        let (data, cacheable) = try await produce()
        if cacheable {
            // Outages are counted inside the backend; a refusal (a reserved key) just means the
            // value is not cached.
            try? await backend.set(key, value: data, ttl: ttl)
        }
        return data
    }

    private func release(key: String, token: String) async {
        guard let resilient else { return }
        // Not while degraded: that would cost a second timeout, and the lock expires anyway.
        _ = await resilient.withShared(.delete) {
            try await $0.releaseLock(for: key, token: token)
        }
    }
}
