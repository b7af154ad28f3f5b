import ConfigKit
import Foundation
import MetricsKit
import RedisKit
import TestSupport
import Testing

@testable import CacheKit

/// What programs get from `CacheFactory`: backend selection, `cached` with single-flight across
/// caches, the generation, stats and warming.
@Suite("ResponseCache and CacheFactory", .timeLimit(.minutes(2)))
struct ResponseCacheTests {
    struct Answer: Codable, Sendable, Equatable {
        var text: String
        var degraded = false
    }

    // MARK: - Selection

    @Test("settings map to the cache configuration")
    func settingsMapping() throws {
        // An empty .env of its own, so a developer's ./.env cannot leak into the test.
        let envFile = FileManager.default.temporaryDirectory.appendingPathComponent("recall-\(UUID().uuidString).env")
        try Data().write(to: envFile)
        defer { try? FileManager.default.removeItem(at: envFile) }
        let loaded = try SettingsLoader.load(environment: [
            "REDIS_URL": "redis://:pw@127.0.0.1:6390/2", "CACHE_BACKEND": "redis", "CACHE_TTL_SECONDS": "120",
            "CACHE_MAX_SIZE": "50", "CACHE_KEY_PREFIX": "acme", "CACHE_L1_ENABLED": "false", "CACHE_L1_MAX_SIZE": "20",
            "CACHE_L1_CONFIRM_TIMEOUT_MS": "400", "CACHE_LOCK_TTL_MS": "2500", "CACHE_TIMEOUT_MS": "150", "CACHE_REDIS_POOL_SIZE": "3", "REDIS_POOL_SIZE": "7",
        ], envFile: envFile.path)
        let configuration = CacheConfiguration(settings: loaded.settings)
        #expect(configuration.enabled)
        #expect(configuration.backend == .redis)
        #expect(configuration.defaultTTL == .seconds(120))
        #expect(configuration.maxSize == 50)
        #expect(configuration.keyPrefix == "acme")
        #expect(!configuration.nearCacheEnabled)
        #expect(configuration.nearCacheMaxSize == 20)
        #expect(configuration.nearCacheConfirmationTimeout == .milliseconds(400))
        #expect(configuration.lockTTL == .milliseconds(2500))
        let redis = try #require(configuration.redis)
        #expect(redis.port == 6390)
        #expect(redis.database == 2)
        #expect(redis.password == "pw")
        #expect(redis.commandTimeout == .milliseconds(150))
        #expect(redis.connectTimeout == .milliseconds(150))
        #expect(redis.poolSize == 3)
    }

    @Test("memory when configured, or auto without Redis; disabled stores and counts nothing")
    func memoryAndDisabled() async throws {
        let metrics = RecallMetrics()
        var configuration = CacheConfiguration()
        let auto = await CacheFactory.make(configuration: configuration, metrics: metrics, logger: silentLogger)
        #expect(auto.activeBackend == .memory)
        #expect(auto.status.configuredBackend == "auto")
        #expect(auto.status.reason.contains("no Redis is configured"))
        await auto.shutdown()

        configuration.enabled = false
        let disabled = await CacheFactory.make(configuration: configuration, metrics: metrics, logger: silentLogger)
        #expect(disabled.activeBackend == .disabled)
        let computations = CallCounter()
        for _ in 0..<3 {
            let (answer, hit) = try await disabled.cached(key: "k") { () async throws -> Answer in
                computations.increment()
                return Answer(text: "computed")
            }
            #expect(answer.text == "computed")
            #expect(hit == false)
        }
        #expect(computations.value == 3)
        #expect(try await disabled.backend.exists("k") == false)
        #expect(exposition(metrics, contains: #"cache_misses_total{backend="memory"} 0"#))
        #expect(exposition(metrics, contains: #"cache_misses_total{backend="redis"} 0"#))
        let report = await disabled.statsReport()
        #expect(report.stats.backend == .disabled)
        #expect(report.configuredBackend == "disabled")
        await disabled.shutdown()
    }

    @Test("auto falls back to memory when Redis does not answer at start; redis mode waits for it degraded")
    func unreachableRedis() async throws {
        let port = try FreePort.loopback()
        var configuration = CacheConfiguration()
        configuration.redis = RedisConfiguration(port: port, password: "CANARY-pw", connectTimeout: .milliseconds(200),
                                                 commandTimeout: .milliseconds(200), poolSize: 1)
        let auto = await CacheFactory.make(configuration: configuration, metrics: RecallMetrics(), logger: silentLogger)
        #expect(auto.activeBackend == .memory)
        #expect(auto.status.degraded == false)
        #expect(auto.status.reason.contains("did not answer PING"))
        #expect(!auto.status.reason.contains("CANARY-pw"))
        await auto.shutdown()

        configuration.backend = .redis
        let redis = await CacheFactory.make(configuration: configuration, metrics: RecallMetrics(), logger: silentLogger)
        #expect(redis.activeBackend == .memory)
        #expect(redis.status.degraded)
        #expect(redis.status.lastError?.contains("Connection refused") == true)
        #expect(redis.status.redis == "redis://:***@127.0.0.1:\(port)/0")
        let (answer, _) = try await redis.cached(key: "k") { Answer(text: "uncached") }
        #expect(answer.text == "uncached")
        await #expect(throws: CacheError.self) { try await redis.backend.clear() }
        await #expect(throws: CacheError.self) { try await redis.bumpGeneration() }
        await redis.shutdown()
    }

    // MARK: - Against the shared Redis

    @Test("100 concurrent misses on one key compute once", .enabled(if: TestServices.isAvailable(.redis)))
    func concurrentMissesComputeOnce() async throws {
        let metrics = RecallMetrics()
        let cache = await CacheFactory.make(
            configuration: redisCacheConfiguration(try sharedRedisConfiguration(poolSize: 4)), metrics: metrics, logger: silentLogger)
        #expect(cache.activeBackend == .redis)
        let computations = CallCounter()
        let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await cache.cached(key: "hot") { () async throws -> Answer in
                        computations.increment()
                        try await Task.sleep(for: .milliseconds(200))
                        return Answer(text: "the answer")
                    }.value
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(computations.value == 1)
        #expect(answers.count == 100 && answers.allSatisfy { $0.text == "the answer" })
        #expect(exposition(metrics, contains: #"cache_misses_total{backend="redis"} 100"#))
        let (again, hit) = try await cache.cached(key: "hot") { Answer(text: "not again") }
        #expect(hit && again.text == "the answer")
        _ = try await cache.backend.clear()
        await cache.shutdown()
    }

    @Test("two caches with their own connections coordinate through the Redis lock",
          .enabled(if: TestServices.isAvailable(.redis)))
    func twoCachesComputeOnce() async throws {
        let (_, first, second) = try await Self.sharedPair()
        let computations = CallCounter()
        let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
            for index in 0..<40 {
                let cache = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    try await cache.cached(key: "shared") { () async throws -> Answer in
                        computations.increment()
                        try await Task.sleep(for: .milliseconds(300))
                        return Answer(text: "once")
                    }.value
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Each cache's SingleFlight leaves one leader; the lock leaves one computation.
        #expect(computations.value == 1)
        #expect(answers.allSatisfy { $0.text == "once" })
        _ = try await first.backend.clear()
        await first.shutdown()
        await second.shutdown()
    }

    @Test("a lock whose holder died makes others wait at most the lock TTL, then compute",
          .enabled(if: TestServices.isAvailable(.redis)))
    func deadHolder() async throws {
        var configuration = redisCacheConfiguration(try sharedRedisConfiguration())
        configuration.lockTTL = .milliseconds(600)
        let cache = await CacheFactory.make(configuration: configuration, metrics: RecallMetrics(), logger: silentLogger)
        let shared = try #require(cache.resilient?.primary)
        // A process took the lock and crashed: it will never store a value nor release.
        #expect(try await shared.acquireLock(for: "orphan", token: "crashed", ttl: .milliseconds(600)))

        let started = ContinuousClock.now
        let (answer, hit) = try await cache.cached(key: "orphan") { Answer(text: "computed after the wait") }
        let waited = ContinuousClock.now - started
        #expect(answer.text == "computed after the wait" && !hit)
        #expect(waited >= .milliseconds(300), "should have waited for the holder")
        #expect(waited < .seconds(5), "must not wait much longer than the lock TTL")
        #expect(try await cache.backend.get("orphan") != nil)
        _ = try await cache.backend.clear()
        await cache.shutdown()
    }

    @Test("uncacheable values and errors release the lock: the next caller computes",
          .enabled(if: TestServices.isAvailable(.redis)))
    func uncacheableReleasesLock() async throws {
        let cache = await CacheFactory.make(
            configuration: redisCacheConfiguration(try sharedRedisConfiguration()), metrics: RecallMetrics(), logger: silentLogger)
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            _ = try await cache.cached(key: "k") { () async throws -> Answer in throw Failed() }
        }
        let (degraded, _) = try await cache.cached(key: "k", isCacheable: { !$0.degraded }) {
            Answer(text: "fallback", degraded: true)
        }
        #expect(degraded.degraded)
        let started = ContinuousClock.now
        let (fresh, hit) = try await cache.cached(key: "k") { Answer(text: "fresh") }
        #expect(fresh.text == "fresh" && !hit)
        #expect(ContinuousClock.now - started < .seconds(4), "no lock was left behind (it would cost the 5 s lock TTL)")
        _ = try await cache.backend.clear()
        await cache.shutdown()
    }

    static func memoryCache() async -> ResponseCache {
        await CacheFactory.make(configuration: CacheConfiguration(), metrics: RecallMetrics(), logger: silentLogger)
    }

    /// Two caches on the test Redis under one new prefix, as two processes would have.
    static func sharedPair() async throws -> (prefix: String, one: ResponseCache, two: ResponseCache) {
        let prefix = uniquePrefix()
        let redis = try sharedRedisConfiguration()
        let one = await CacheFactory.make(configuration: redisCacheConfiguration(redis, prefix: prefix),
                                          metrics: RecallMetrics(), logger: silentLogger)
        let two = await CacheFactory.make(configuration: redisCacheConfiguration(redis, prefix: prefix),
                                          metrics: RecallMetrics(), logger: silentLogger)
        return (prefix, one, two)
    }

    @Test("the corpus generation is shared through Redis; without Redis it is per process")
    func generation() async throws {
        let memory = await Self.memoryCache()
        #expect(await memory.generation() == 0)
        #expect(try await memory.bumpGeneration() == 1)
        #expect(await memory.generation() == 1)
        await memory.shutdown()

        guard TestServices.isAvailable(.redis) else { return }
        let (prefix, one, two) = try await Self.sharedPair()
        let before = await one.generation()
        #expect(await two.generation() == before)
        #expect(try await two.bumpGeneration() == before + 1)
        #expect(await one.generation() == before + 1)
        let key = one.chatKeys.key(for: ChatCacheKey(question: "Q"), tenant: "t", generation: await one.generation())
        #expect(key.hasPrefix("chat:t=t:g=\(before + 1):m=:s=:"))
        _ = try await one.client?.delete(["\(prefix):generation"])
        await one.shutdown()
        await two.shutdown()
    }

    @Test("a generation-keyed read sees the current generation's value, also after another process bumped it")
    func cachedAtGeneration() async throws {
        func key(_ generation: Int) -> String { "chat:t=t:g=\(generation):m=:s=:q" }
        func answer(_ text: String) throws -> Data { try JSONEncoder().encode(Answer(text: text)) }

        let memory = await Self.memoryCache()
        try await memory.backend.set(key(0), value: try answer("zero"), ttl: .seconds(60))
        var read: (value: Answer, hit: Bool) = try await memory.cached(keyAtGeneration: key) { Answer(text: "computed") }
        #expect(read.value.text == "zero" && read.hit)
        // The same key with other bytes is decoded again, not served from what was decoded before.
        try await memory.backend.set(key(0), value: try answer("changed"), ttl: .seconds(60))
        read = try await memory.cached(keyAtGeneration: key) { Answer(text: "computed") }
        #expect(read.value.text == "changed" && read.hit)
        try await memory.bumpGeneration()
        read = try await memory.cached(keyAtGeneration: key) { Answer(text: "computed") }
        #expect(read.value.text == "computed" && !read.hit)
        #expect(try await memory.backend.get(key(1)) != nil, "the computed value is stored under the new generation")
        await memory.shutdown()

        guard TestServices.isAvailable(.redis) else { return }
        let (prefix, one, two) = try await Self.sharedPair()
        let before = await one.generation()
        try await one.backend.set(key(before), value: try answer("before"), ttl: .seconds(60))
        read = try await two.cached(keyAtGeneration: key) { Answer(text: "computed") }
        #expect(read.value.text == "before" && read.hit)
        // `two` guesses the generation it read; a bump elsewhere must not leave it on the old one.
        try await one.bumpGeneration()
        try await one.backend.set(key(before + 1), value: try answer("after"), ttl: .seconds(60))
        read = try await two.cached(keyAtGeneration: key) { Answer(text: "computed") }
        #expect(read.value.text == "after" && read.hit)
        // A lost counter starts again from the clock, and the read follows it.
        _ = try await one.client?.delete(["\(prefix):generation"])
        read = try await two.cached(keyAtGeneration: key) { Answer(text: "recomputed") }
        #expect(read.value.text == "recomputed" && !read.hit)
        #expect(await one.generation() > before + 1)
        _ = try await one.client?.delete(["\(prefix):generation"])
        _ = try await one.backend.clear()
        await one.shutdown()
        await two.shutdown()
    }

    @Test("the stats report is the seed's JSON of the active backend plus status fields",
          .enabled(if: TestServices.isAvailable(.redis)))
    func statsReport() async throws {
        let cache = await CacheFactory.make(
            configuration: redisCacheConfiguration(try sharedRedisConfiguration()), metrics: RecallMetrics(), logger: silentLogger)
        _ = try await cache.cached(key: "a") { Answer(text: "a") }
        _ = try await cache.cached(key: "a") { Answer(text: "a") }
        let report = await cache.statsReport()
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        for field in ["backend", "timestamp", "redis_used_memory", "redis_connected_clients", "redis_keyspace_hits",
                      "redis_keyspace_misses", "hit_rate", "process_hit_rate", "configured_backend", "degraded"] {
            #expect(json[field] != nil, "missing \(field)")
        }
        #expect(json["backend"] as? String == "redis")
        #expect(json["configured_backend"] as? String == "redis")
        #expect(json["degraded"] as? Bool == false)
        #expect(json["hits"] as? Int == 1)
        #expect(json["misses"] as? Int == 1)
        #expect(json["process_hit_rate"] as? Double == 0.5)
        _ = try await cache.backend.clear()
        await cache.shutdown()

        let memory = await Self.memoryCache()
        let memoryJSON = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(await memory.statsReport())) as? [String: Any])
        for field in ["backend", "timestamp", "memory_cache_size", "memory_cache_max_size", "memory_cache_default_ttl"] {
            #expect(memoryJSON[field] != nil, "missing \(field)")
        }
        await memory.shutdown()
    }

    @Test("the warmer the cache hands out stores missing answers and skips cached ones",
          .enabled(if: TestServices.isAvailable(.redis)))
    func warming() async throws {
        let cache = await CacheFactory.make(
            configuration: redisCacheConfiguration(try sharedRedisConfiguration()), metrics: RecallMetrics(), logger: silentLogger)
        let generation = await cache.generation()
        let layout = cache.chatKeys
        let computations = CallCounter()
        let warmer: CacheWarmer<Answer> = cache.warmer(
            key: { layout.key(for: ChatCacheKey(question: $0), tenant: "t", generation: generation) },
            compute: { question in
                computations.increment()
                return Answer(text: "answer to \(question)")
            }
        )
        #expect(await warmer.warm(["a", "b"]) == .init(warmed: 2))
        #expect(await warmer.warm(["a", "b", "c"]) == .init(warmed: 1, skipped: 2))
        #expect(computations.value == 3)
        let key = layout.key(for: ChatCacheKey(question: "b"), tenant: "t", generation: generation)
        let (answer, hit) = try await cache.cached(key: key) { Answer(text: "not computed") }
        #expect(hit && answer.text == "answer to b")
        let ttl = try await cache.client?.pttl("\(cache.configuration.keyPrefix):\(key)") ?? 0
        #expect(ttl > 0 && ttl <= 3_600_000)
        _ = try await cache.backend.clear()
        await cache.shutdown()
    }
}
