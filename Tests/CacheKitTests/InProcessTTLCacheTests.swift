import Foundation
import MetricsKit
import TestSupport
import Testing

@testable import CacheKit

@Suite("InProcessTTLCache")
struct InProcessTTLCacheTests {
    private static func bytes(_ text: String) -> Data { Data(text.utf8) }

    @Test("a full cache evicts the least recently used entry")
    func evictsLeastRecentlyUsed() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 3, metrics: metrics)
        for key in ["a", "b", "c"] { try cache.set(key, value: Self.bytes(key), ttl: .seconds(60)) }

        // Reading `a` makes `b` the least recently used.
        _ = cache.get("a")
        try cache.set("d", value: Self.bytes("d"), ttl: .seconds(60))
        #expect(cache.get("b") == nil)
        #expect(cache.get("a") != nil)

        // Most recent first the order is now a, d, c. Overwriting `c` counts as a use too
        // (c, a, d), so the next insert evicts `d`.
        try cache.set("c", value: Self.bytes("c2"), ttl: .seconds(60))
        try cache.set("e", value: Self.bytes("e"), ttl: .seconds(60))
        #expect(cache.exists("d") == false)
        #expect(cache.get("c") == Self.bytes("c2"))
        #expect(cache.exists("a"))
        #expect(cache.exists("e"))
        #expect(cache.count == 3)

        let stats = cache.stats()
        #expect(stats.evictions == 2)
        #expect(metrics.exposition().contains(#"cache_evictions_total{backend="memory"} 2"#))
    }

    @Test("exists does not count as a use for LRU order")
    func existsDoesNotTouch() async throws {
        let cache = InProcessTTLCache(maxSize: 2)
        try cache.set("a", value: Self.bytes("a"), ttl: .seconds(60))
        try cache.set("b", value: Self.bytes("b"), ttl: .seconds(60))
        #expect(cache.exists("a"))
        try cache.set("c", value: Self.bytes("c"), ttl: .seconds(60))
        #expect(cache.exists("a") == false)
        #expect(cache.exists("b"))
    }

    @Test("size never exceeds the limit and evictions equal inserts minus final size")
    func randomOperationsRespectTheLimit() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 64, metrics: metrics)
        var rng = SplitMix64(seed: 7)
        var inserts = 0
        for _ in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<200, using: &rng))"
            if Bool.random(using: &rng) {
                // `exists` does not touch the LRU order, so asking does not change the outcome.
                if cache.exists(key) == false { inserts += 1 }
                try cache.set(key, value: Self.bytes(key), ttl: .seconds(600))
            } else if let value = cache.get(key) {
                #expect(value == Self.bytes(key))
            }
            #expect(cache.count <= 64)
        }
        let stats = cache.stats()
        #expect(stats.evictions == inserts - cache.count)
        #expect(metrics.exposition().contains(#"cache_evictions_total{backend="memory"} \#(inserts - cache.count)"#))
    }

    @Test("an expired entry is removed when read, and is not an eviction")
    func lazyExpiry() async throws {
        let clock = ManualClock()
        let cache = InProcessTTLCache(maxSize: 10, now: clock.source)
        try cache.set("k", value: Self.bytes("v"), ttl: .seconds(5))
        clock.advance(by: .seconds(4))
        #expect(cache.get("k") != nil)
        clock.advance(by: .seconds(1))
        #expect(cache.count == 1)
        #expect(cache.get("k") == nil)
        #expect(cache.count == 0)
        let stats = cache.stats()
        #expect(stats.expirations == 1)
        #expect(stats.evictions == 0)
    }

    @Test("sweep removes expired entries nobody reads, and only those")
    func sweep() async throws {
        let clock = ManualClock()
        let cache = InProcessTTLCache(maxSize: 100, now: clock.source)
        for index in 0..<10 {
            try cache.set("short:\(index)", value: Self.bytes("s"), ttl: .seconds(1))
            try cache.set("long:\(index)", value: Self.bytes("l"), ttl: .seconds(100))
        }
        #expect(cache.sweep() == 0)
        clock.advance(by: .seconds(2))
        #expect(cache.count == 20)
        #expect(cache.sweep() == 10)
        #expect(cache.count == 10)
        #expect(cache.get("long:3") != nil)
        #expect(cache.sweep() == 0)
    }

    @Test("the background sweeper runs until its task is cancelled")
    func backgroundSweeper() async throws {
        let clock = ManualClock()
        let cache = InProcessTTLCache(maxSize: 100, now: clock.source)
        try cache.set("k", value: Self.bytes("v"), ttl: .seconds(1))
        clock.advance(by: .seconds(2))
        let sweeper = Task { await cache.runSweeper(every: .milliseconds(5)) }
        try await waitUntil { cache.count == 0 }
        sweeper.cancel()
        await sweeper.value
    }

    @Test("expired entries are not counted by clear or invalidate")
    func expiredEntriesAreInvisible() async throws {
        let clock = ManualClock()
        let cache = InProcessTTLCache(maxSize: 10, now: clock.source)
        try cache.set("a:1", value: Self.bytes("1"), ttl: .seconds(1))
        try cache.set("a:2", value: Self.bytes("2"), ttl: .seconds(10))
        try cache.set("b:1", value: Self.bytes("3"), ttl: .seconds(1))
        try cache.set("b:2", value: Self.bytes("4"), ttl: .seconds(10))
        clock.advance(by: .seconds(2))
        #expect(cache.invalidate(pattern: "a:*") == 1)
        #expect(cache.clear() == 1)
        #expect(cache.count == 0)
    }

    @Test("stats encode the seed's memory fields with their values")
    func statsJSON() async throws {
        let cache = InProcessTTLCache(maxSize: 1_000, defaultTTL: .seconds(3600))
        try cache.set("a", value: Self.bytes("1"), ttl: .seconds(60))
        try cache.set("b", value: Self.bytes("2"), ttl: .seconds(60))
        _ = cache.get("a")
        _ = cache.get("a")
        _ = cache.get("zzz")

        let stats = cache.stats()
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(stats))
        let json = try #require(object as? [String: Any])
        #expect(json["backend"] as? String == "memory")
        #expect((json["timestamp"] as? Double).map { $0 > 1_600_000_000 } == true)
        #expect(json["memory_cache_size"] as? Int == 2)
        #expect(json["memory_cache_max_size"] as? Int == 1_000)
        #expect(json["memory_cache_default_ttl"] as? Int == 3600)
        #expect(json["hits"] as? Int == 2)
        #expect(json["misses"] as? Int == 1)
        #expect(abs((json["hit_rate"] as? Double ?? 0) - 2.0 / 3.0) < 1e-9)
        #expect(json["evictions"] as? Int == 0)
        // Redis-only fields are omitted, not null.
        #expect(json["redis_used_memory"] == nil)
        #expect(json.keys.contains("redis_keyspace_hits") == false)
    }

    @Test("concurrent readers and writers keep the table consistent")
    func concurrentAccess() async throws {
        let cache = InProcessTTLCache(maxSize: 50)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var rng = SplitMix64(seed: UInt64(worker))
                    for _ in 0..<2_000 {
                        let key = "k\(Int.random(in: 0..<100, using: &rng))"
                        switch Int.random(in: 0..<10, using: &rng) {
                        case 0..<5:
                            if let value = cache.get(key) { #expect(value == Data(key.utf8)) }
                        case 5..<9:
                            try cache.set(key, value: Data(key.utf8), ttl: .seconds(60))
                        default:
                            cache.delete(key)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(cache.count <= 50)
        let stats = cache.stats()
        #expect(stats.memoryCacheSize == cache.count)
    }
}
