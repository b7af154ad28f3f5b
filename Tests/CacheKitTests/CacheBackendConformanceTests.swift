import Foundation
import MetricsKit
import RedisKit
import TestSupport
import Testing

@testable import CacheKit

/// A backend under test, with a way to let time pass for it.
///
/// The in-process cache moves a manual clock; the Redis backends sleep for real (their TTLs live
/// in the server). Each fixture is fresh, and each Redis fixture has its own key prefix, so
/// tests can share the one test Redis.
struct BackendFixture: Sendable {
    let backend: any CacheBackend
    let advanceTime: @Sendable (Duration) async throws -> Void
}

/// Makes fixtures of one backend kind; the conformance tests run once per factory.
struct BackendFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () async throws -> BackendFixture

    var testDescription: String { name }

    static let memory = BackendFactory(name: "memory") {
        let clock = ManualClock()
        let cache = InProcessTTLCache(maxSize: 1_000, defaultTTL: .seconds(60), now: clock.source)
        return BackendFixture(backend: cache, advanceTime: { clock.advance(by: $0) })
    }

    /// ``RedisCache`` on the shared test Redis.
    static let redis = BackendFactory(name: "redis") {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        return BackendFixture(backend: RedisCache(client: client, prefix: uniquePrefix()), advanceTime: realSleep)
    }

    /// ``NearCache`` in front of Redis, used once its subscription is confirmed.
    static let nearCache = BackendFactory(name: "redis with near cache") {
        let configuration = try sharedRedisConfiguration()
        let shared = RedisCache(client: RedisClient(configuration: configuration), prefix: uniquePrefix())
        let near = NearCache(shared: shared, configuration: configuration, maxSize: 100,
                             maxLocalTTL: .seconds(30), logger: silentLogger)
        guard await eventually({ near.isSubscribed }) else { throw TimedOut() }
        return BackendFixture(backend: near, advanceTime: realSleep)
    }

    /// What programs use: ``CacheFactory``'s Redis cache with its in-process fallback.
    static let resilient = BackendFactory(name: "redis via CacheFactory") {
        let configuration = redisCacheConfiguration(try sharedRedisConfiguration())
        let cache = await CacheFactory.make(configuration: configuration, metrics: RecallMetrics(), logger: silentLogger)
        guard cache.activeBackend == .redis else { throw TimedOut() }
        return BackendFixture(backend: cache.backend, advanceTime: realSleep)
    }

    private static let realSleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    /// Every backend the contract applies to; the Redis ones when the test Redis is there
    /// (always under CI, where a missing one fails loudly).
    static let all: [BackendFactory] = [.memory]
        + (TestServices.isAvailable(.redis) ? [.redis, .nearCache, .resilient] : [])
}

/// The contract every `CacheBackend` must meet, written once against `any CacheBackend`.
@Suite("CacheBackend conformance")
struct CacheBackendConformanceTests {
    private static func bytes(_ text: String) -> Data { Data(text.utf8) }

    @Test("get returns what set stored, and nil for an absent key", arguments: BackendFactory.all)
    func setThenGet(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        #expect(try await cache.get("absent") == nil)
        try await cache.set("k", value: Self.bytes("v1"), ttl: .seconds(60))
        #expect(try await cache.get("k") == Self.bytes("v1"))
        try await cache.set("k", value: Self.bytes("v2"), ttl: .seconds(60))
        #expect(try await cache.get("k") == Self.bytes("v2"))
        try await cache.set("empty", value: Data(), ttl: .seconds(60))
        #expect(try await cache.get("empty") == Data())
    }

    @Test("setMany stores a batch and getMany reads it back in order, nil for misses", arguments: BackendFactory.all)
    func batches(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        try await cache.set("b", value: Self.bytes("old"), ttl: .seconds(60))
        try await cache.setMany([(key: "a", value: Self.bytes("1")), (key: "b", value: Self.bytes("2"))], ttl: .seconds(60))
        #expect(try await cache.getMany(["b", "absent", "a"]) == [Self.bytes("2"), nil, Self.bytes("1")])
        #expect(try await cache.getMany([]) == [])
        try await cache.setMany([], ttl: .seconds(60))
    }

    @Test("delete removes one key and reports whether it was there", arguments: BackendFactory.all)
    func delete(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        try await cache.set("a", value: Self.bytes("1"), ttl: .seconds(60))
        try await cache.set("b", value: Self.bytes("2"), ttl: .seconds(60))
        #expect(try await cache.delete("a"))
        #expect(try await cache.delete("a") == false)
        #expect(try await cache.get("a") == nil)
        #expect(try await cache.get("b") == Self.bytes("2"))
    }

    @Test("exists tells live keys from absent ones", arguments: BackendFactory.all)
    func exists(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        #expect(try await cache.exists("k") == false)
        try await cache.set("k", value: Self.bytes("v"), ttl: .seconds(60))
        #expect(try await cache.exists("k"))
    }

    @Test("clear removes everything and counts it", arguments: BackendFactory.all)
    func clear(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        for index in 0..<5 {
            try await cache.set("key:\(index)", value: Self.bytes("\(index)"), ttl: .seconds(60))
        }
        #expect(try await cache.clear() == 5)
        #expect(try await cache.get("key:0") == nil)
        #expect(try await cache.clear() == 0)
    }

    @Test("invalidate removes exactly the keys the glob matches", arguments: BackendFactory.all)
    func invalidate(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        let keys = ["user:1:a", "user:1:b", "user:12:a", "user:2:a", "user:*:literal", "other"]
        for key in keys { try await cache.set(key, value: Self.bytes(key), ttl: .seconds(60)) }

        #expect(try await cache.invalidate(pattern: "user:1:*") == 2)
        #expect(try await cache.get("user:1:a") == nil)
        #expect(try await cache.get("user:12:a") != nil)

        // An escaped star matches only a literal star.
        #expect(try await cache.invalidate(pattern: #"user:\*:*"#) == 1)
        #expect(try await cache.get("user:2:a") != nil)

        #expect(try await cache.invalidate(pattern: "user:?:[a-c]") == 1)
        #expect(try await cache.get("user:2:a") == nil)
        #expect(try await cache.invalidate(pattern: "nothing*") == 0)
        #expect(try await cache.get("other") != nil)
        #expect(try await cache.get("user:12:a") != nil)
    }

    @Test("an entry expires after its TTL", arguments: BackendFactory.all)
    func ttlExpiry(factory: BackendFactory) async throws {
        let fixture = try await factory.make()
        let cache = fixture.backend
        let ttl = Duration.milliseconds(1000)
        let written = ContinuousClock.now
        try await cache.set("short", value: Self.bytes("s"), ttl: ttl)
        try await cache.set("long", value: Self.bytes("l"), ttl: .seconds(60))
        let early = try await cache.get("short")
        // Redis fixtures run in real time: on a machine stalled for longer than the TTL the entry
        // may rightly be gone already, and that says nothing about the backend.
        if ContinuousClock.now - written < ttl {
            #expect(early == Self.bytes("s"))
        }

        try await fixture.advanceTime(.milliseconds(1300))
        #expect(try await cache.get("short") == nil)
        #expect(try await cache.exists("short") == false)
        #expect(try await cache.delete("short") == false)
        #expect(try await cache.get("long") == Self.bytes("l"))
    }

    @Test("setting again renews the TTL", arguments: BackendFactory.all)
    func setRenewsTTL(factory: BackendFactory) async throws {
        let fixture = try await factory.make()
        let cache = fixture.backend
        try await cache.set("k", value: Self.bytes("1"), ttl: .milliseconds(1000))
        try await fixture.advanceTime(.milliseconds(700))
        let renewed = ContinuousClock.now
        try await cache.set("k", value: Self.bytes("2"), ttl: .milliseconds(1000))
        try await fixture.advanceTime(.milliseconds(700))
        let value = try await cache.get("k")
        // As above: only a machine that kept up in real time can tell.
        if ContinuousClock.now - renewed < .milliseconds(1000) {
            #expect(value == Self.bytes("2"))
        }
    }

    @Test("a TTL that is not positive is refused", arguments: BackendFactory.all)
    func invalidTTL(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        await #expect(throws: CacheError.invalidTTL(.zero)) {
            try await cache.set("k", value: Data(), ttl: .zero)
        }
        await #expect(throws: CacheError.self) {
            try await cache.set("k", value: Data(), ttl: .seconds(-1))
        }
        #expect(try await cache.exists("k") == false)
    }

    @Test("Codable values round-trip as JSON", arguments: BackendFactory.all)
    func codableRoundTrip(factory: BackendFactory) async throws {
        struct Answer: Codable, Equatable {
            var text: String
            var sources: [String]
            var score: Double
        }
        let cache = try await factory.make().backend
        let answer = Answer(text: "Twenty-five days.", sources: ["handbook.pdf#p4"], score: 0.93)
        try await cache.setValue("answer", answer, ttl: .seconds(60))
        #expect(try await cache.getValue("answer", as: Answer.self) == answer)
        #expect(try await cache.getValue("missing", as: Answer.self) == nil)

        // Bytes that are not an Answer are a decoding error, not a silent nil.
        try await cache.set("garbage", value: Self.bytes("not json"), ttl: .seconds(60))
        await #expect(throws: DecodingError.self) {
            try await cache.getValue("garbage", as: Answer.self)
        }
    }

    @Test("stats name the backend and encode the seed's fields", arguments: BackendFactory.all)
    func stats(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        let stats = try await cache.stats()
        #expect(stats.backend == cache.kind)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(stats)) as? [String: Any]
        #expect(json?["backend"] as? String == cache.kind.rawValue)
        #expect(json?["timestamp"] is Double)
    }
}
