import Foundation
import MetricsKit
import RedisKit
import TestSupport
import Testing

@testable import CacheKit

/// Two caches with near caches over one Redis, as two server processes would be: a change made
/// through one reaches the other's near cache over pub/sub.
@Suite("Near cache coherence over pub/sub", .enabled(if: TestServices.isAvailable(.redis)), .timeLimit(.minutes(2)))
struct NearCacheTests {
    static func pair() async throws -> (ResponseCache, ResponseCache, NearCache, NearCache) {
        let prefix = uniquePrefix("near")
        let redis = try sharedRedisConfiguration()
        let one = await CacheFactory.make(configuration: redisCacheConfiguration(redis, prefix: prefix, nearCache: true),
                                          metrics: RecallMetrics(), logger: silentLogger)
        let two = await CacheFactory.make(configuration: redisCacheConfiguration(redis, prefix: prefix, nearCache: true),
                                          metrics: RecallMetrics(), logger: silentLogger)
        let nearOne = try #require(one.nearCache)
        let nearTwo = try #require(two.nearCache)
        #expect(await eventually { nearOne.isSubscribed && nearTwo.isSubscribed })
        return (one, two, nearOne, nearTwo)
    }

    private static func text(_ data: Data?) -> String? { data.map { String(decoding: $0, as: UTF8.self) } }

    @Test("a set, delete, invalidate or clear in one instance drops the other's near copy")
    func invalidationsReachTheOtherInstance() async throws {
        let (one, two, nearOne, nearTwo) = try await Self.pair()
        try await one.backend.set("k", value: Data("v1".utf8), ttl: .seconds(60))
        // The set's own message may reach the other instance after its first read and drop the
        // copy it made; once messages settle, reads come from the near cache.
        #expect(await eventually(timeout: .seconds(10)) {
            _ = try? await two.backend.get("k")
            let value = Self.text(try? await two.backend.get("k"))
            let nearHits = (try? await two.backend.stats().nearCacheHits) ?? 0
            return value == "v1" && nearHits >= 1
        })

        try await one.backend.set("k", value: Data("v2".utf8), ttl: .seconds(60))
        #expect(await eventually(timeout: .seconds(10)) { Self.text(try? await two.backend.get("k")) == "v2" })

        _ = try await one.backend.delete("k")
        #expect(await eventually(timeout: .seconds(10)) { (try? await two.backend.get("k")) ?? nil == nil })

        // A batch write is announced as one message naming every key.
        try await nearOne.setMany([(key: "m1", value: Data("1".utf8)), (key: "m2", value: Data("1".utf8))], ttl: .seconds(60))
        #expect(await eventually(timeout: .seconds(10)) { Self.text(try? await two.backend.get("m2")) == "1" })
        try await nearOne.setMany([(key: "m1", value: Data("2".utf8)), (key: "m2", value: Data("2".utf8))], ttl: .seconds(60))
        #expect(await eventually(timeout: .seconds(10)) {
            (try? await two.backend.getMany(["m1", "m2"]))?.map(Self.text) == ["2", "2"]
        })
        _ = try await one.backend.delete("m1")
        _ = try await one.backend.delete("m2")
        #expect(await eventually(timeout: .seconds(10)) { nearTwo.localCount == 0 })

        let keys = ["chat:t=a:1", "chat:t=a:2", "chat:t=b:1"]
        for key in keys {
            try await one.backend.set(key, value: Data(key.utf8), ttl: .seconds(60))
        }
        #expect(await eventually(timeout: .seconds(10)) {
            for key in keys { _ = try? await two.backend.get(key) }
            return nearTwo.localCount == 3
        })
        #expect(try await one.backend.invalidate(pattern: "chat:t=a:*") == 2)
        #expect(await eventually(timeout: .seconds(10)) { (try? await two.backend.get("chat:t=a:1")) ?? nil == nil })
        #expect(Self.text(try await two.backend.get("chat:t=b:1")) == "chat:t=b:1")

        _ = try await one.backend.clear()
        #expect(await eventually(timeout: .seconds(10)) { nearTwo.localCount == 0 })
        #expect(try await two.backend.get("chat:t=b:1") == nil)
        await one.shutdown()
        await two.shutdown()
    }

    @Test("once a change returns in one instance, the other's near cache no longer serves what it replaced")
    func changesAreConfirmedBeforeTheyReturn() async throws {
        let (one, two, _, nearTwo) = try await Self.pair()
        for round in 1...40 {
            try await one.backend.set("k", value: Data("v\(round)".utf8), ttl: .seconds(60))
            _ = try await two.backend.get("k")
            // The copy is near now: without the wait for confirmations, the change below would
            // return while the other instance still serves it.
            #expect(nearTwo.localCount == 1)
            #expect(Self.text(try await two.backend.get("k")) == "v\(round)")
            switch round % 4 {
            case 0:
                try await one.backend.set("k", value: Data("new".utf8), ttl: .seconds(60))
                #expect(Self.text(try await two.backend.get("k")) == "new", "round \(round): set")
            case 1:
                _ = try await one.backend.delete("k")
                #expect(try await two.backend.get("k") == nil, "round \(round): delete")
            case 2:
                _ = try await one.backend.invalidate(pattern: "k*")
                #expect(try await two.backend.get("k") == nil, "round \(round): invalidate")
            default:
                _ = try await one.backend.clear()
                #expect(try await two.backend.get("k") == nil, "round \(round): clear")
            }
        }
        for _ in 1...10 {
            let held = await two.generation()
            #expect(await two.generation() == held)
            let bumped = try await one.bumpGeneration()
            #expect(await two.generation() == bumped)
        }
        _ = try await one.client?.delete(["\(one.configuration.keyPrefix):generation"])
        _ = try await one.backend.clear()
        await one.shutdown()
        await two.shutdown()
    }

    @Test("the corpus generation is kept beside the copies: a bump anywhere reaches it, an unannounced change within a second")
    func generationIsHeld() async throws {
        let (one, two, _, _) = try await Self.pair()
        let prefix = one.configuration.keyPrefix
        func key(_ generation: Int) -> String { "chat:t=t:g=\(generation):m=:s=:q" }
        func answer(_ text: String) -> Data { Data("\"\(text)\"".utf8) }
        func read(_ cache: ResponseCache) async throws -> (value: String, hit: Bool) {
            try await cache.cached(keyAtGeneration: key) { "computed" }
        }

        let first = await one.generation()
        try await one.backend.set(key(first), value: answer("first"), ttl: .seconds(60))
        try await one.backend.set(key(first + 1), value: answer("second"), ttl: .seconds(60))
        #expect(await eventually { (try? await read(two))?.value == "first" })
        #expect(try await one.bumpGeneration() == first + 1)
        #expect(await eventually { (try? await read(two))?.value == "second" })

        // A bump in the instance itself is used by its very next read.
        try await two.backend.set(key(first + 2), value: answer("third"), ttl: .seconds(60))
        #expect(try await two.bumpGeneration() == first + 2)
        #expect(try await read(two).value == "third")

        // The counter deleted by hand announces nothing: the held generation serves until it is
        // read again, at most a second later.
        _ = try await one.client?.delete(["\(prefix):generation"])
        #expect(try await read(two) == ("third", true))
        try await Task.sleep(for: NearCache.generationLifetime + .milliseconds(100))
        #expect(try await read(two) == ("computed", false))

        _ = try await one.client?.delete(["\(prefix):generation"])
        _ = try await one.backend.clear()
        await one.shutdown()
        await two.shutdown()
    }

    @Test("a near copy never outlives the entry's TTL in Redis")
    func copiesFollowTheRedisTTL() async throws {
        let (one, two, _, _) = try await Self.pair()
        let written = ContinuousClock.now
        try await one.backend.set("short", value: Data("s".utf8), ttl: .seconds(1))
        let early = Self.text(try await two.backend.get("short"))
        if ContinuousClock.now - written < .seconds(1) {
            #expect(early == "s")
        }
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await two.backend.get("short") == nil)
        await one.shutdown()
        await two.shutdown()
    }
}
