import FakeGemini
import Foundation
import TestSupport
import Testing

/// recall-server answering through Gemini (the fake, on loopback): requests in flight finish
/// when SIGTERM arrives, and identical questions across processes cost one generation.
@Suite("recall-server with Gemini answers", .serialized)
struct GeminiServerTests {
    static func environment(gemini: FakeGeminiServer, extra: [String: String] = [:]) -> [String: String] {
        [
            "CHAT_PROVIDER": "gemini", "EMBEDDING_PROVIDER": "local", "EMBEDDING_DIM": "768",
            "GEMINI_API_KEY": FakeGeminiServer.apiKey, "GEMINI_BASE_URL": gemini.baseURL,
        ].merging(extra) { $1 }
    }

    @Test("SIGTERM lets a request in flight finish with its answer, then the server exits 0")
    func gracefulShutdown() async throws {
        let gemini = try await FakeGeminiServer.start()
        let server = try await ServerProcess(environment: Self.environment(gemini: gemini))
        try await server.seed()
        gemini.setLatency(.milliseconds(1500))
        let inFlight = Task { try await server.ask("How do I request time off?") }
        // Until the question reached the model, the server has not started answering it.
        for _ in 0..<100 where gemini.generateContentCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(gemini.generateContentCount == 1)
        server.process.terminate()
        let reply = try await inFlight.value
        #expect(reply.status == 200)
        #expect((reply.object["answer"] as? String)?.isEmpty == false)
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        await gemini.stop()
    }

    @Test("100 concurrent identical questions across two processes sharing Redis reach Gemini once",
          .enabled(if: TestServices.isAvailable(.redis)))
    func oneGeneration() async throws {
        let gemini = try await FakeGeminiServer.start(latency: .milliseconds(300))
        let prefix = "srvgem-\(UUID().uuidString.prefix(8).lowercased())"
        let environment = Self.environment(gemini: gemini, extra: [
            "REDIS_URL": try TestServices.url(.redis), "CACHE_BACKEND": "redis", "CACHE_KEY_PREFIX": prefix,
            "JOB_KEY_PREFIX": "\(prefix):jobs", "BROKER_URL": "redis://127.0.0.1:1/0",
        ])
        let a = try await ServerProcess(environment: environment)
        let b = try await ServerProcess(environment: environment)
        defer { a.stop(); b.stop() }
        try await a.seed()
        try await b.seed()
        gemini.clearRequests()

        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                let server = index.isMultiple(of: 2) ? a : b
                group.addTask { try await server.ask("What are the benefits?").status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 100))
        #expect(gemini.generateContentCount == 1)
        await gemini.stop()
    }
}
