import Foundation
import MetricsKit
import RedisKit
import Synchronization
import TestSupport
import Testing

@testable import CacheKit

/// `RedisCache` against the shared test Redis, each test under a prefix of its own.
@Suite("RedisCache", .enabled(if: TestServices.isAvailable(.redis)), .timeLimit(.minutes(2)))
struct RedisCacheTests {
    private static func bytes(_ text: String) -> Data { Data(text.utf8) }

    @Test("every key it writes is <prefix>:<key> with a TTL")
    func keysCarryPrefixAndTTL() async throws {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        let prefix = uniquePrefix()
        let cache = RedisCache(client: client, prefix: prefix)
        try await cache.set("a", value: Self.bytes("1"), ttl: .seconds(60))
        try await cache.set("chat:t=x:g=1:m=:s=:abc", value: Self.bytes("2"), ttl: .seconds(30))
        _ = try await cache.acquireLock(for: "a", token: "t", ttl: .seconds(5))

        let stored = try await keys(under: prefix, client: client)
        #expect(stored == ["\(prefix):a", "\(prefix):chat:t=x:g=1:m=:s=:abc", "\(prefix):lock:a"])
        for key in stored {
            let ttl = try await client.pttl(key)
            #expect(ttl > 0, "\(key) has no TTL")
        }
        let short = try await client.pttl("\(prefix):chat:t=x:g=1:m=:s=:abc")
        #expect(short <= 30_000)
        await client.shutdown()
    }

    @Test("clear removes <prefix>:* and nothing else; the generation and locks stay")
    func clearStaysInsideItsPrefix() async throws {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        let prefix = uniquePrefix()
        let cache = RedisCache(client: client, prefix: prefix)
        let neighbour = RedisCache(client: client, prefix: prefix + "-neighbour")
        for index in 0..<25 {
            try await cache.set("k\(index)", value: Self.bytes("\(index)"), ttl: .seconds(60))
        }
        try await neighbour.set("k0", value: Self.bytes("other"), ttl: .seconds(60))
        try await client.set("\(prefix)x", value: "not ours", ttl: .seconds(60))
        let generation = try await cache.generation(bump: true)
        #expect(try await cache.acquireLock(for: "k0", token: "t", ttl: .seconds(5)))

        #expect(try await cache.clear() == 25)
        #expect(try await cache.get("k3") == nil)
        #expect(try await neighbour.get("k0") == Self.bytes("other"))
        #expect(try await client.get("\(prefix)x") == Array("not ours".utf8))
        #expect(try await cache.generation(bump: false) == generation)
        #expect(try await client.exists("\(prefix):lock:k0"))
        #expect(try await cache.invalidate(pattern: "*") == 0)
        #expect(try await client.exists("\(prefix):generation"))

        _ = try await neighbour.clear()
        _ = try await client.delete(["\(prefix)x", "\(prefix):generation", "\(prefix):lock:k0"])
        await client.shutdown()
    }

    @Test("the cache's own keys are refused as entry keys")
    func reservedKeys() async throws {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        let cache = RedisCache(client: client, prefix: uniquePrefix())
        await #expect(throws: CacheError.reservedKey("generation")) {
            try await cache.set("generation", value: Self.bytes("1"), ttl: .seconds(1))
        }
        await #expect(throws: CacheError.reservedKey("lock:x")) {
            try await cache.get("lock:x")
        }
        await client.shutdown()
    }

    @Test("stats carry the seed's fields from INFO, the memory policy, and this process's lookups")
    func stats() async throws {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        let cache = RedisCache(client: client, prefix: uniquePrefix())
        try await cache.set("k", value: Self.bytes("v"), ttl: .seconds(60))
        _ = try await cache.get("k")
        _ = try await cache.get("k")
        _ = try await cache.get("missing")
        _ = try await cache.peek("missing")  // lock waiters' polls are not lookups

        let stats = try await cache.stats()
        #expect(stats.backend == .redis)
        #expect(stats.hits == 2)
        #expect(stats.misses == 1)
        #expect(stats.processHitRate == 2.0 / 3.0)
        #expect((stats.redisUsedMemory ?? 0) > 0)
        #expect((stats.redisConnectedClients ?? 0) >= 1)
        #expect(stats.redisMaxmemoryPolicy != nil)

        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(stats)) as? [String: Any])
        for field in ["backend", "timestamp", "redis_used_memory", "redis_connected_clients", "redis_keyspace_hits",
                      "redis_keyspace_misses", "hit_rate", "redis_maxmemory", "redis_maxmemory_policy",
                      "redis_evicted_keys", "hits", "misses", "process_hit_rate"] {
            #expect(json[field] != nil, "missing \(field)")
        }
        #expect(json["backend"] as? String == "redis")
        let keyspaceHits = try #require(stats.redisKeyspaceHits)
        let keyspaceMisses = try #require(stats.redisKeyspaceMisses)
        #expect(stats.hitRate == HitRateTracker.rate(hits: keyspaceHits, misses: keyspaceMisses))
        _ = try await cache.clear()
        await client.shutdown()
    }

    @Test("the generation is shared, bumps by one, and restarts above every earlier value when lost")
    func generation() async throws {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        let prefix = uniquePrefix()
        let one = RedisCache(client: client, prefix: prefix)
        let other = RedisCache(client: RedisClient(configuration: try sharedRedisConfiguration()), prefix: prefix)

        let first = try await one.generation(bump: false)
        #expect(try await other.generation(bump: false) == first)
        #expect(try await other.generation(bump: true) == first + 1)
        #expect(try await one.generation(bump: false) == first + 1)
        #expect(try await client.pttl("\(prefix):generation") == -1, "the counter must not expire")

        // Evicted or flushed: the counter starts again from the clock, above what was used.
        _ = try await client.delete(["\(prefix):generation"])
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await one.generation(bump: false) > first + 1)
        _ = try await client.delete(["\(prefix):generation"])
        await client.shutdown()
        await other.client.shutdown()
    }

    @Test("a lock is released only by its owner, and expires by itself")
    func locks() async throws {
        let client = RedisClient(configuration: try sharedRedisConfiguration())
        let cache = RedisCache(client: client, prefix: uniquePrefix())
        #expect(try await cache.acquireLock(for: "k", token: "owner", ttl: .seconds(60)))
        #expect(try await cache.acquireLock(for: "k", token: "other", ttl: .seconds(60)) == false)
        #expect(try await cache.releaseLock(for: "k", token: "other") == false)
        #expect(try await cache.releaseLock(for: "k", token: "owner"))
        #expect(try await cache.acquireLock(for: "k", token: "other", ttl: .milliseconds(150)))
        // The holder crashed: nobody releases, the lock expires.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await cache.acquireLock(for: "k", token: "third", ttl: .seconds(1)))
        #expect(try await cache.releaseLock(for: "k", token: "third"))
        await client.shutdown()
    }

    /// A client under a new prefix, and a subscriber to `<prefix>:invalidations` that records
    /// what arrives and confirms nothing.
    private struct Listening {
        let client: RedisClient
        let prefix = uniquePrefix()
        let received = Received()
        let subscriber: RedisSubscriber
        let listener: Task<Void, Never>

        init() async throws {
            let configuration = try sharedRedisConfiguration()
            client = RedisClient(configuration: configuration)
            subscriber = RedisSubscriber(configuration: configuration, channels: ["\(prefix):invalidations"])
            let (subscriber, received) = (subscriber, received)
            listener = Task {
                for await event in subscriber.messages() {
                    if case .message(_, let payload) = event, let decoded = InvalidationMessage.decode(payload) {
                        received.append(decoded.message, decoded.announcement)
                    }
                    if case .connected = event { received.connected() }
                }
            }
            #expect(await eventually { received.isConnected })
        }

        func stop() async {
            await subscriber.stop()
            listener.cancel()
            await client.shutdown()
        }
    }

    @Test("every change is published on <prefix>:invalidations")
    func publishesChanges() async throws {
        let listening = try await Listening()
        let (client, prefix, received) = (listening.client, listening.prefix, listening.received)
        // This subscriber never confirms: each change waits for it only briefly.
        let cache = RedisCache(client: client, prefix: prefix, confirmationTimeout: .milliseconds(20))

        try await cache.set("a b", value: Self.bytes("1"), ttl: .seconds(60))
        _ = try await cache.delete("a b")
        _ = try await cache.invalidate(pattern: "chat:*")
        _ = try await cache.clear()
        try await cache.setMany([(key: "x", value: Self.bytes("1")), (key: "y z", value: Self.bytes("2"))], ttl: .seconds(60))
        try await cache.setMany([(key: "line\nbreak", value: Self.bytes("3"))], ttl: .seconds(60))
        _ = try await cache.generation(bump: false)
        _ = try await cache.generation(bump: true)
        #expect(await eventually { received.messages.count == 7 })
        #expect(received.messages == [.key("a b"), .key("a b"), .pattern("chat:*"), .clear,
                                      .keys(["x", "y z"]), .key("line\nbreak"), .generation])
        _ = try await client.delete(["\(prefix):generation"])

        await listening.stop()
    }

    @Test("a change returns once every receiver of its announcement confirmed it, or after the confirmation timeout")
    func changesWaitForConfirmation() async throws {
        let listening = try await Listening()
        let (client, prefix, received) = (listening.client, listening.prefix, listening.received)
        let patient = RedisCache(client: client, prefix: prefix, confirmationTimeout: .seconds(60))

        let deletion = Task {
            _ = try await patient.delete("k")
            received.deletionReturned()
        }
        #expect(await eventually { received.announcements.count == 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(!received.hasDeletionReturned, "the delete returned before its receiver confirmed")
        try await patient.confirm(try #require(received.announcements.first))
        try await deletion.value
        #expect(received.hasDeletionReturned)

        // A receiver that never confirms (a stopped process) holds a change up only until the timeout.
        let metrics = RecallMetrics()
        let hasty = RedisCache(client: client, prefix: prefix, metrics: metrics, confirmationTimeout: .milliseconds(50))
        #expect(metrics.exposition().contains(#"cache_unconfirmed_changes_total{backend="redis"} 0"#))
        _ = try await hasty.invalidate(pattern: "chat:*")
        #expect(metrics.exposition().contains(#"cache_unconfirmed_changes_total{backend="redis"} 1"#))
        #expect(await eventually { received.messages == [.key("k"), .pattern("chat:*")] })
        #expect(Set(received.announcements.map(\.origin)) == [patient.origin, hasty.origin])

        await listening.stop()
    }
}

/// Messages a test subscriber received, with the announcements they carried, and whether the
/// change under test has returned.
private final class Received: Sendable {
    private let returned = Atomic<Bool>(false)
    var hasDeletionReturned: Bool { returned.load(ordering: .sequentiallyConsistent) }
    func deletionReturned() { returned.store(true, ordering: .sequentiallyConsistent) }
    private let state = Mutex<(connected: Bool, messages: [InvalidationMessage], announcements: [Announcement])>((false, [], []))
    var isConnected: Bool { state.withLock { $0.connected } }
    var messages: [InvalidationMessage] { state.withLock { $0.messages } }
    var announcements: [Announcement] { state.withLock { $0.announcements } }
    func connected() { state.withLock { $0.connected = true } }
    func append(_ message: InvalidationMessage, _ announcement: Announcement?) {
        state.withLock {
            $0.messages.append(message)
            if let announcement { $0.announcements.append(announcement) }
        }
    }
}
