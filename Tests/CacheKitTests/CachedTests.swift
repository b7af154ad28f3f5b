import Foundation
import MetricsKit
import Testing

@testable import CacheKit

@Suite("cached(backend:…)")
struct CachedTests {
    struct Answer: Codable, Sendable, Equatable {
        var text: String
        var degraded = false
    }

    struct GenerationFailed: Error {}

    @Test("a miss computes and stores; the next call is a hit")
    func missThenHit() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 10)
        let computations = CallCounter()
        for expectedHit in [false, true, true] {
            let (value, hit) = try await cached(backend: cache, key: "k", ttl: .seconds(60), metrics: metrics) {
                computations.increment()
                return Answer(text: "yes")
            }
            #expect(value == Answer(text: "yes"))
            #expect(hit == expectedHit)
        }
        #expect(computations.value == 1)
        let text = metrics.exposition()
        #expect(text.contains(#"cache_hits_total{backend="memory"} 2"#))
        #expect(text.contains(#"cache_misses_total{backend="memory"} 1"#))
        #expect(metrics.cache(.memory).hitRate.hitRate == 2.0 / 3.0)
    }

    @Test("a failing backend never fails the call, and every failure is counted")
    func failingBackend() async throws {
        let metrics = RecallMetrics()
        let backend = FailingBackend()
        for _ in 0..<3 {
            let (value, hit) = try await cached(backend: backend, key: "k", ttl: .seconds(60), metrics: metrics) {
                Answer(text: "computed")
            }
            #expect(value.text == "computed")
            #expect(hit == false)
        }
        let text = metrics.exposition()
        #expect(text.contains(#"cache_errors_total{backend="redis",operation="get"} 3"#))
        #expect(text.contains(#"cache_errors_total{backend="redis",operation="set"} 3"#))
        #expect(text.contains(#"cache_misses_total{backend="redis"} 3"#))
        #expect(text.contains(#"cache_errors_total{backend="memory",operation="get"} 0"#))
    }

    @Test("errors are never cached: the next call computes again")
    func errorsAreNotCached() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 10)
        await #expect(throws: GenerationFailed.self) {
            _ = try await cached(backend: cache, key: "k", ttl: .seconds(60), metrics: metrics) { () async throws -> Answer in
                throw GenerationFailed()
            }
        }
        #expect(cache.exists("k") == false)
        let (value, hit) = try await cached(backend: cache, key: "k", ttl: .seconds(60), metrics: metrics) {
            Answer(text: "recovered")
        }
        #expect(value.text == "recovered")
        #expect(hit == false)
        #expect(cache.exists("k"))
    }

    @Test("values refused by isCacheable are returned but not stored")
    func isCacheable() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 10)
        let (value, _) = try await cached(
            backend: cache, key: "k", ttl: .seconds(60), metrics: metrics, isCacheable: { !$0.degraded }
        ) {
            Answer(text: "extractive fallback", degraded: true)
        }
        #expect(value.degraded)
        #expect(cache.exists("k") == false)
    }

    @Test("an entry that no longer decodes is a counted miss and is overwritten")
    func undecodableEntry() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 10)
        try cache.set("k", value: Data(#"{"old":"schema"}"#.utf8), ttl: .seconds(60))
        let (value, hit) = try await cached(backend: cache, key: "k", ttl: .seconds(60), metrics: metrics) {
            Answer(text: "fresh")
        }
        #expect(value.text == "fresh")
        #expect(hit == false)
        #expect(try await cache.getValue("k", as: Answer.self) == Answer(text: "fresh"))
        #expect(metrics.exposition().contains(#"cache_errors_total{backend="memory",operation="decode"} 1"#))
    }

    @Test("100 concurrent misses on one key compute exactly once")
    func concurrentMissesCoalesce() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 10)
        let flights = SingleFlight<Answer>()
        let computations = CallCounter()
        let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await cached(
                        backend: cache, key: "hot", ttl: .seconds(60), metrics: metrics, coalescing: flights
                    ) {
                        computations.increment()
                        // Nothing is stored until this returns, so all other 99 callers miss and
                        // must join this flight; hold it open until they have.
                        try await waitUntil { flights.waiterCount(for: "hot") == 99 }
                        return Answer(text: "shared")
                    }.value
                }
            }
            var answers: [Answer] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        #expect(computations.value == 1)
        #expect(answers.count == 100)
        #expect(answers.allSatisfy { $0 == Answer(text: "shared") })
        #expect(metrics.cache(.memory).hitRate.misses == 100)
    }
}
