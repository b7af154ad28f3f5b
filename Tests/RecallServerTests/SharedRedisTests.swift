import Foundation
import TestSupport
import Testing

/// Two `recall-server` processes on the real test Redis: one cache, one corpus generation, one
/// single-flight.
///
/// Each process has its near cache (`CACHE_L1_ENABLED` defaults to true), so these checks are
/// also checks of the confirmed invalidations between near caches.
///
/// The job broker is pointed at a closed port so that each process runs its ingest jobs itself
/// (the in-process queue): each stores the same handbook in its own memory store, while the
/// cache — and the corpus generation in its keys — is the shared Redis.
@Suite("recall-server processes sharing Redis", .serialized, .enabled(if: TestServices.isAvailable(.redis)))
struct SharedRedisTests {
    static func environment(prefix: String, extra: [String: String] = [:]) throws -> [String: String] {
        [
            "REDIS_URL": try TestServices.url(.redis), "CACHE_BACKEND": "redis", "CACHE_KEY_PREFIX": prefix,
            "JOB_KEY_PREFIX": "\(prefix):jobs", "EMBEDDING_DIM": "768", "ADMIN_TOKEN": "shared-admin",
            "BROKER_URL": "redis://127.0.0.1:1/0",
            // The near caches are on (the default); a loaded machine must not time out the
            // confirmations the coherence checks below rely on.
            "CACHE_L1_CONFIRM_TIMEOUT_MS": "10000",
        ].merging(extra) { $1 }
    }

    /// Two servers on one fresh key prefix, each with the handbook stored (as `key`'s tenant).
    static func seededPair(extra: [String: String] = [:], key: String? = nil) async throws -> (ServerProcess, ServerProcess) {
        let prefix = "srvtest-\(UUID().uuidString.prefix(8).lowercased())"
        let environment = try Self.environment(prefix: prefix, extra: extra)
        let a = try await ServerProcess(environment: environment)
        let b = try await ServerProcess(environment: environment)
        try await a.seed(key: key)
        try await b.seed(key: key)
        return (a, b)
    }

    @Test("an answer computed by one process is a HIT on the other; invalidate and clear on one are seen by the other")
    func coherence() async throws {
        let (a, b) = try await Self.seededPair()
        defer { a.stop(); b.stop() }

        let first = try await a.ask("What is the refund policy?")
        #expect(first.status == 200)
        #expect(first.header("X-Cache") == "MISS")
        let second = try await b.ask("what is the refund policy?")
        #expect(second.header("X-Cache") == "HIT")
        #expect(second.object["cache_key"] as? String == first.object["cache_key"] as? String)
        #expect(try await b.request("GET", "/ready").object["parts"] as? [String: String] == [
            "cache": "redis", "vectors": "memory", "embeddings": "local", "answers": "extractive", "jobs": "in-process",
        ])

        let invalidated = try await b.request("POST", "/api/v1/cache/invalidate", json: ["model": "extractive"],
                                              headers: ["Authorization": "Bearer shared-admin"])
        #expect(invalidated.object["deleted"] as? Int == 1)
        #expect(try await a.ask("What is the refund policy?").header("X-Cache") == "MISS")
        #expect(try await b.ask("What is the refund policy?").header("X-Cache") == "HIT")

        let cleared = try await a.request("DELETE", "/api/v1/cache", headers: ["Authorization": "Bearer shared-admin"])
        #expect(cleared.status == 200)
        #expect((cleared.object["deleted"] as? Int ?? 0) >= 1)
        #expect(try await b.ask("What is the refund policy?").header("X-Cache") == "MISS")
    }

    @Test("200 concurrent identical questions across both processes compute the answer once")
    func singleFlight() async throws {
        let (a, b) = try await Self.seededPair()
        defer { a.stop(); b.stop() }

        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                let server = index.isMultiple(of: 2) ? a : b
                group.addTask { try await server.ask("How many vacation days do I get?").status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 == 200 })
        let computed = try await a.counter("chat_answers_computed_total") + b.counter("chat_answers_computed_total")
        #expect(computed == 1)
    }

    @Test("two API keys on two processes: tenants never share an answer")
    func tenants() async throws {
        let (a, b) = try await Self.seededPair(extra: ["API_KEYS": "ka:alpha,kb:beta"], key: "ka")
        defer { a.stop(); b.stop() }
        #expect(try await a.ask("What are the benefits?", key: "ka").header("X-Cache") == "MISS")
        #expect(try await b.ask("What are the benefits?", key: "kb").header("X-Cache") == "MISS")
        #expect(try await b.ask("What are the benefits?", key: "ka").header("X-Cache") == "HIT")
        #expect(try await a.ask("What are the benefits?").status == 401)
    }
}
