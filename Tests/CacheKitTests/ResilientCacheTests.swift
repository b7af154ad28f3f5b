import Foundation
import MetricsKit
import RedisKit
import Synchronization
import Testing

@testable import CacheKit

/// The fallback's rules, with a stand-in for Redis that can be switched off and counts what it
/// is asked: what an outage costs a request, and how often recovery is probed.
@Suite("ResilientCache")
struct ResilientCacheTests {
    /// A shared tier in memory that fails like an unreachable Redis when told to.
    final class FlakyShared: SharedCacheBackend {
        let store = InProcessTTLCache(maxSize: 100)
        let down = Atomic<Bool>(false)
        let calls = Atomic<Int>(0)
        let pings = Atomic<Int>(0)
        let discarded = Atomic<Int>(0)
        var kind: CacheBackendKind { .redis }

        private func enter() throws {
            calls.add(1, ordering: .relaxed)
            if down.load(ordering: .relaxed) {
                throw RedisError(.connection, "could not connect to Redis at 127.0.0.1:1: Connection refused")
            }
        }

        func get(_ key: String) async throws -> Data? { try enter(); return store.get(key) }
        func set(_ key: String, value: Data, ttl: Duration) async throws { try enter(); try store.set(key, value: value, ttl: ttl) }
        func delete(_ key: String) async throws -> Bool { try enter(); return store.delete(key) }
        func clear() async throws -> Int { try enter(); return store.clear() }
        func exists(_ key: String) async throws -> Bool { try enter(); return store.exists(key) }
        func invalidate(pattern: String) async throws -> Int { try enter(); return store.invalidate(pattern: pattern) }
        func stats() async throws -> CacheStats { try enter(); return CacheStats(backend: .redis) }
        func ping() async throws {
            pings.add(1, ordering: .relaxed)
            try enter()
        }
        func peek(_ key: String) async throws -> Data? { try enter(); return store.get(key) }
        func acquireLock(for key: String, token: String, ttl: Duration) async throws -> Bool { try enter(); return true }
        func releaseLock(for key: String, token: String) async throws -> Bool { try enter(); return true }
        func generation(bump: Bool) async throws -> Int { try enter(); return 1 }
        func refreshEvictionMetrics() async throws { try enter() }
        func discardLocalCopies() { discarded.add(1, ordering: .relaxed) }
        func stopBackgroundWork() async {}
    }

    static func make(probeInterval: Duration = .milliseconds(200)) -> (ResilientCache, FlakyShared, RecallMetrics) {
        let shared = FlakyShared()
        let metrics = RecallMetrics()
        let cache = ResilientCache(
            primary: shared, fallback: InProcessTTLCache(maxSize: 100, metrics: metrics), metrics: metrics,
            probeInterval: probeInterval, degradedTTL: .seconds(30), healthy: true, logger: silentLogger)
        return (cache, shared, metrics)
    }

    @Test("an outage is found by one call; later calls do not touch Redis until a probe succeeds")
    func outageCostsOneCall() async throws {
        let (cache, shared, metrics) = Self.make(probeInterval: .seconds(60))
        try await cache.set("k", value: Data("redis".utf8), ttl: .seconds(60))
        #expect(cache.kind == .redis)

        shared.down.store(true, ordering: .relaxed)
        let before = shared.calls.load(ordering: .relaxed)
        #expect(try await cache.get("k") == nil)
        #expect(cache.kind == .memory)
        #expect(shared.calls.load(ordering: .relaxed) == before + 1)
        #expect(exposition(metrics, contains: #"cache_errors_total{backend="redis",operation="get"} 1"#))

        for index in 0..<50 {
            try await cache.set("k\(index)", value: Data("memory".utf8), ttl: .seconds(60))
            #expect(try await cache.get("k\(index)") == Data("memory".utf8))
            #expect(try await cache.exists("k\(index)"))
        }
        // The only call since the outage began is the one that found it (the probe waits 60 s).
        #expect(shared.calls.load(ordering: .relaxed) == before + 1)
        #expect(exposition(metrics, contains: #"cache_errors_total{backend="redis",operation="set"} 0"#))
    }

    @Test("while degraded, at most one PING per probe interval; recovery switches back and drops stale copies")
    func probesAreRateLimited() async throws {
        let (cache, shared, _) = Self.make(probeInterval: .milliseconds(250))
        shared.down.store(true, ordering: .relaxed)
        _ = try await cache.get("k")
        #expect(cache.kind == .memory)
        try await cache.set("stale", value: Data("x".utf8), ttl: .seconds(60))

        let interval = Duration.milliseconds(250)
        let started = ContinuousClock.now
        var iterations = 0
        while ContinuousClock.now - started < .seconds(1) || iterations < 100 {
            _ = try await cache.get("k")
            await cache.probeIfDue()
            try await Task.sleep(for: .milliseconds(2))
            iterations += 1
        }
        let elapsed = ContinuousClock.now - started
        let pings = shared.pings.load(ordering: .relaxed)
        // Hundreds of calls, yet no more PINGs than intervals that passed (plus the one due when
        // the loop began).
        let allowed = Int(elapsed / interval) + 1
        #expect(pings >= 1 && pings <= allowed, "\(pings) PINGs in \(elapsed) at one per \(interval)")

        shared.down.store(false, ordering: .relaxed)
        #expect(await eventually(timeout: .seconds(2)) {
            _ = try? await cache.get("k")
            return cache.kind == .redis
        })
        #expect(shared.discarded.load(ordering: .relaxed) == 1)
        #expect(cache.fallback.count == 0, "the fallback's private copies are dropped on recovery")
        #expect(try await cache.get("stale") == nil)
    }

    @Test("removals that cannot reach Redis throw, after clearing the local copies")
    func removalsReportOutages() async throws {
        let (cache, shared, metrics) = Self.make(probeInterval: .seconds(60))
        shared.down.store(true, ordering: .relaxed)
        _ = try await cache.get("k")
        try await cache.set("local", value: Data("x".utf8), ttl: .seconds(60))
        await #expect(throws: CacheError.self) { try await cache.invalidate(pattern: "*") }
        #expect(cache.fallback.count == 0)
        await #expect(throws: CacheError.self) { try await cache.delete("k") }
        await #expect(throws: CacheError.self) { try await cache.clear() }
        #expect(exposition(metrics, contains: #"cache_errors_total{backend="redis",operation="clear"} 1"#))
        // Stats still answer, from the memory that serves.
        #expect(try await cache.stats().backend == .memory)
    }

    @Test("server error replies are counted but do not switch to memory")
    func serverErrorsAreAnswers() async throws {
        let metrics = RecallMetrics()
        final class Refusing: SharedCacheBackend {
            var kind: CacheBackendKind { .redis }
            func refuse() -> RedisError { RedisError(.server, "OOM command not allowed when used memory > 'maxmemory'.") }
            func get(_ key: String) async throws -> Data? { nil }
            func set(_ key: String, value: Data, ttl: Duration) async throws { throw refuse() }
            func delete(_ key: String) async throws -> Bool { false }
            func clear() async throws -> Int { 0 }
            func exists(_ key: String) async throws -> Bool { false }
            func invalidate(pattern: String) async throws -> Int { 0 }
            func stats() async throws -> CacheStats { CacheStats(backend: .redis) }
            func ping() async throws {}
            func peek(_ key: String) async throws -> Data? { nil }
            func acquireLock(for key: String, token: String, ttl: Duration) async throws -> Bool { throw refuse() }
            func releaseLock(for key: String, token: String) async throws -> Bool { false }
            func generation(bump: Bool) async throws -> Int { 0 }
            func refreshEvictionMetrics() async throws {}
            func discardLocalCopies() {}
            func stopBackgroundWork() async {}
        }
        let cache = ResilientCache(
            primary: Refusing(), fallback: InProcessTTLCache(maxSize: 10), metrics: metrics,
            probeInterval: .seconds(1), degradedTTL: .seconds(30), healthy: true, logger: silentLogger)
        try await cache.set("k", value: Data(), ttl: .seconds(1))
        #expect(cache.kind == .redis)
        #expect(exposition(metrics, contains: #"cache_errors_total{backend="redis",operation="set"} 1"#))
        await #expect(throws: CacheError.invalidTTL(.zero)) { try await cache.set("k", value: Data(), ttl: .zero) }
    }
}
