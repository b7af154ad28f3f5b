import Foundation
import TestSupport
import Testing

/// A private Redis killed under load: requests keep answering, and the Redis cache comes back by
/// itself.
@Suite("recall-server through a Redis outage", .serialized, .enabled(if: RedisServerProcess.isAvailable))
struct RedisOutageTests {
    @Test("every request answers 200 while Redis is killed; after a restart the Redis backend returns without intervention")
    func outage() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try await ServerProcess(environment: [
            "REDIS_URL": redis.url, "CACHE_BACKEND": "redis", "CACHE_TIMEOUT_MS": "100", "EMBEDDING_DIM": "768",
            // Jobs in the process: the seed document must not depend on the Redis this test kills.
            "BROKER_URL": "redis://127.0.0.1:1/0",
            "LOG_LEVEL": "critical",
        ])
        defer { server.stop() }
        try await server.seed()
        #expect(try await server.ask("How do I request time off?").header("X-Cache") == "MISS")
        #expect(try await server.ask("How do I request time off?").header("X-Cache") == "HIT")

        var statuses: [Int] = []
        for round in 0..<60 {
            if round == 20 { redis.kill() }
            let replies = try await withThrowingTaskGroup(of: Int.self) { group in
                for lane in 0..<4 { group.addTask { try await server.ask("question \(lane) of round \(round % 5)").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            statuses += replies
        }
        #expect(statuses.count == 240)
        #expect(statuses.allSatisfy { $0 == 200 }, "statuses other than 200: \(statuses.filter { $0 != 200 })")
        let degraded = try await server.request("GET", "/api/v1/cache/stats").object
        #expect(degraded["degraded"] as? Bool == true)

        try redis.start()
        var backend = ""
        for _ in 0..<100 {
            backend = try await server.request("GET", "/ready").object["parts"].flatMap { ($0 as? [String: String])?["cache"] } ?? ""
            if backend == "redis" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(backend == "redis")
        #expect(try await server.ask("What are the benefits after the outage?").header("X-Cache") == "MISS")
        #expect(try await server.ask("What are the benefits after the outage?").header("X-Cache") == "HIT")
        #expect(try await server.request("GET", "/api/v1/cache/stats").object["backend"] as? String == "redis")
    }

    @Test("/ready is 503 naming the job broker while it is down, and 200 again once it is back")
    func readinessFollowsTheBroker() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try await ServerProcess(environment: [
            "REDIS_URL": redis.url, "EMBEDDING_DIM": "768", "CACHE_TIMEOUT_MS": "100", "LOG_LEVEL": "critical",
        ])
        defer { server.stop() }
        let ready = try await server.request("GET", "/ready")
        #expect(ready.status == 200)
        #expect((ready.object["parts"] as? [String: String])?["jobs"] == "redis")

        redis.kill()
        let down = try await server.request("GET", "/ready")
        #expect(down.status == 503)
        #expect(down.object["status"] as? String == "unavailable")
        #expect(down.object["down"] as? [String] == ["jobs"])
        #expect(try await server.request("GET", "/health").status == 200, "alive while not ready")

        try redis.start()
        var status = 0
        for _ in 0..<100 where status != 200 {
            status = try await server.request("GET", "/ready").status
            if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(status == 200)
    }
}
