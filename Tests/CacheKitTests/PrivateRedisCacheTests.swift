import Foundation
import MetricsKit
import RedisKit
import TestSupport
import Testing

@testable import CacheKit

/// The cache against Redis servers of its own, which these tests fill up, kill, pause and restart.
/// Serialized: each server and its load compete for the same two cores.
@Suite("ResponseCache against a private redis-server", .serialized,
       .enabled(if: RedisServerProcess.isAvailable), .timeLimit(.minutes(3)))
struct PrivateRedisCacheTests {
    struct Answer: Codable, Sendable, Equatable {
        var text: String
    }

    static func configuration(_ server: RedisServerProcess, timeout: Duration = .milliseconds(500),
                              nearCache: Bool = false) throws -> CacheConfiguration {
        let redis = try RedisConfiguration(url: server.url, poolSize: 2, connectTimeout: timeout, commandTimeout: timeout)
        return redisCacheConfiguration(redis, nearCache: nearCache)
    }

    @Test("a 2 MB allkeys-lru Redis evicts under a write flood; no caller sees an error and evictions are counted")
    func evictionUnderFlood() async throws {
        let server = try RedisServerProcess(arguments: ["--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru"])
        defer { server.kill() }
        let metrics = RecallMetrics()
        let cache = await CacheFactory.make(configuration: try Self.configuration(server), metrics: metrics, logger: silentLogger)
        #expect(cache.activeBackend == .redis)

        let payload = String(repeating: "x", count: 2048)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: 3000, by: 8) {
                        let (answer, _) = try await cache.cached(key: "flood:\(index)") { Answer(text: payload) }
                        #expect(answer.text == payload)
                    }
                }
            }
            try await group.waitForAll()
        }
        let report = await cache.statsReport()
        let evicted = try #require(report.stats.redisEvictedKeys)
        #expect(evicted > 0, "3000 × 2 KB must not fit in 2 MB")
        #expect(report.stats.redisMaxmemoryPolicy == "allkeys-lru")
        #expect(cache.activeBackend == .redis)
        #expect(exposition(metrics, contains: #"cache_evictions_total{backend="redis"} \#(evicted)"#))
        for operation in CacheOperation.allCases {
            #expect(exposition(metrics, contains: #"cache_errors_total{backend="redis",operation="\#(operation.rawValue)"} 0"#))
        }
        // Still working after the flood: a new entry is stored and found.
        _ = try await cache.cached(key: "after") { Answer(text: "fresh") }
        let (after, hit) = try await cache.cached(key: "after") { Answer(text: "recomputed") }
        #expect(hit && after.text == "fresh")
        await cache.shutdown()
    }

    @Test("Redis killed mid-run: calls succeed from memory, errors are counted; restarted: Redis is used again by the same client")
    func killAndRestart() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let metrics = RecallMetrics()
        let cache = await CacheFactory.make(configuration: try Self.configuration(server), metrics: metrics, logger: silentLogger)
        let client = try #require(cache.client)
        for index in 0..<20 {
            _ = try await cache.cached(key: "k\(index)") { Answer(text: "v\(index)") }
        }
        #expect(cache.activeBackend == .redis)

        server.kill()
        for index in 0..<40 {
            let (answer, _) = try await cache.cached(key: "k\(index)") { Answer(text: "v\(index)") }
            #expect(answer.text == "v\(index)")
        }
        #expect(cache.activeBackend == .memory)
        #expect(cache.status.degraded)
        #expect(!exposition(metrics, contains: #"cache_errors_total{backend="redis",operation="get"} 0"#))

        try server.start()
        #expect(await eventually(timeout: .seconds(10)) {
            _ = try? await cache.cached(key: "probe") { Answer(text: "p") }
            return cache.activeBackend == .redis
        })
        #expect(cache.client === client, "the same pool reconnected by itself")
        #expect(cache.status.degraded == false)
        _ = try await cache.cached(key: "after-restart") { Answer(text: "shared again") }
        let raw = RedisClient(configuration: try RedisConfiguration(url: server.url))
        let stored = try await raw.get("\(cache.configuration.keyPrefix):after-restart")
        #expect(stored.map { String(decoding: $0, as: UTF8.self) } == #"{"text":"shared again"}"#)
        await raw.shutdown()
        await cache.shutdown()
    }

    @Test("Redis black-holed (SIGSTOP): one call pays the timeout, the rest do not wait; SIGCONT recovers")
    func blackHoled() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let timeout = Duration.seconds(1)
        let cache = await CacheFactory.make(configuration: try Self.configuration(server, timeout: timeout),
                                            metrics: RecallMetrics(), logger: silentLogger)
        _ = try await cache.cached(key: "warm") { Answer(text: "w") }

        server.pause()
        var durations: [Duration] = []
        for index in 0..<20 {
            let started = ContinuousClock.now
            let (answer, _) = try await cache.cached(key: "b\(index)") { Answer(text: "b\(index)") }
            durations.append(ContinuousClock.now - started)
            #expect(answer.text == "b\(index)")
        }
        #expect(cache.activeBackend == .memory)
        // The first call finds the outage: one command timeout (plus slack for a debug build on
        // a busy machine). None after it waits for Redis: a call that did would take a timeout.
        #expect(durations[0] >= timeout)
        #expect(durations[0] < timeout * 2)
        #expect(durations.dropFirst().allSatisfy { $0 < timeout / 2 }, "\(durations)")

        server.resume()
        #expect(await eventually(timeout: .seconds(10)) {
            _ = try? await cache.cached(key: "probe") { Answer(text: "p") }
            return cache.activeBackend == .redis
        })
        await cache.shutdown()
    }

    @Test("the metrics exposition after a known sequence of hits, misses and an outage")
    func metricsAfterKnownSequence() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let metrics = RecallMetrics()
        var configuration = try Self.configuration(server)
        configuration.probeInterval = .seconds(60)  // no recovery during this test
        let cache = await CacheFactory.make(configuration: configuration, metrics: metrics, logger: silentLogger)

        _ = try await cache.cached(key: "a") { Answer(text: "a") }     // redis miss
        _ = try await cache.cached(key: "a") { Answer(text: "a") }     // redis hit
        _ = try await cache.cached(key: "a") { Answer(text: "a") }     // redis hit
        server.kill()
        _ = try await cache.cached(key: "b") { Answer(text: "b") }     // redis get fails: error, miss, stored in memory
        _ = try await cache.cached(key: "b") { Answer(text: "b") }     // memory hit
        _ = try await cache.cached(key: "c") { Answer(text: "c") }     // memory miss

        for line in [
            #"cache_hits_total{backend="redis"} 2"#,
            #"cache_misses_total{backend="redis"} 2"#,
            #"cache_errors_total{backend="redis",operation="get"} 1"#,
            #"cache_errors_total{backend="redis",operation="set"} 0"#,
            #"cache_hits_total{backend="memory"} 1"#,
            #"cache_misses_total{backend="memory"} 1"#,
            #"cache_evictions_total{backend="redis"} 0"#,
            "# TYPE cache_errors_total counter",
        ] {
            #expect(exposition(metrics, contains: line), "missing: \(line)")
        }
        await cache.shutdown()
    }

    @Test("the near cache is emptied when its subscription drops, and used again once it is back")
    func nearCacheEmptiedOnDisconnect() async throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        let cache = await CacheFactory.make(configuration: try Self.configuration(server, nearCache: true),
                                            metrics: RecallMetrics(), logger: silentLogger)
        let near = try #require(cache.nearCache)
        #expect(await eventually { near.isSubscribed })
        for index in 0..<10 {
            try await cache.backend.set("k\(index)", value: Data("v".utf8), ttl: .seconds(60))
            _ = try await cache.backend.get("k\(index)")
        }
        #expect(near.localCount == 10)

        server.kill()
        #expect(await eventually { !near.isSubscribed })
        #expect(near.localCount == 0)

        try server.start()
        #expect(await eventually(timeout: .seconds(15)) { near.isSubscribed })
        #expect(near.localCount == 0)
        #expect(await eventually(timeout: .seconds(10)) {
            try? await cache.backend.set("again", value: Data("v".utf8), ttl: .seconds(60))
            _ = try? await cache.backend.get("again")
            return near.localCount == 1
        })
        await cache.shutdown()
    }
}
