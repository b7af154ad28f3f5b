import EmbeddingsKit
import Foundation
import TestSupport
import Testing
import VectorStoreKit

/// `recall search` and `recall ask`, run as the real program against a scratch PostgreSQL
/// database filled here with local embeddings, the real Redis cache, and the fake Gemini.
@Suite("recall ask and recall search", .serialized, .enabled(if: TestServices.isAvailable(.postgres) && TestServices.isAvailable(.redis)))
struct ChatCommandTests {
    struct Source: Decodable {
        let document_id: Int64
        let title: String
        let chunk: Int
        let score: Double
        let snippet: String
    }

    struct Reply: Decodable {
        let answer: String
        let sources: [Source]
        let cached: Bool
        let model: String
        let cache_key: String
    }

    struct Hit: Decodable {
        let document_id: Int64
        let title: String
        let chunk: Int
        let score: Double
        let content: String
    }

    /// A scratch database holding three one-chunk documents, embedded locally at 768 dimensions.
    static func handbook() async throws -> ScratchDatabase {
        let database = try ScratchDatabase.create()
        let pool = try PostgresPool(url: database.url, size: 1)
        try await Migrator(pool: pool, dimensions: 768).migrate()
        let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
        let embeddings = try LocalEmbeddings(dimensions: 768)
        let documents = [
            ("Vacation policy", "Employees get 25 vacation days per year. Unused vacation days expire in March."),
            ("Expenses", "Expense reports are due on the fifth of each month with receipts attached."),
            ("Parking", "The garage opens at seven; parking permits come from the front desk."),
        ]
        for (title, text) in documents {
            let vector = try await embeddings.embed(text, task: .retrievalDocument, title: title)
            _ = try await store.upsertDocument(
                NewDocument(source: "\(title).txt", title: title, contentHash: text),
                chunks: [NewChunk(content: text, contentHash: text, vector: vector)]
            )
        }
        await pool.close()
        return database
    }

    static func environment(database: ScratchDatabase, _ extra: [String: String] = [:]) -> [String: String] {
        ["DATABASE_URL": database.url, "EMBEDDING_PROVIDER": "local", "EMBEDDING_DIM": "768", "CHAT_PROVIDER": "extractive",
         "CACHE_BACKEND": "memory"].merging(extra) { $1 }
    }

    @Test("search lists the nearest chunks of the configured database, best first")
    func search() async throws {
        let database = try await Self.handbook()
        defer { database.drop() }
        let output = try await TestPrograms.runDetached("recall", ["search", "vacation days employees", "--k", "2", "--json"],
                                                        environment: Self.environment(database: database))
        #expect(output.status == 0, "\(output.standardError)")
        let hits = try JSONDecoder().decode([Hit].self, from: Data(output.standardOutput.utf8))
        #expect(hits.count == 2)
        #expect(hits.first?.title == "Vacation policy")
        #expect(hits.first?.content.hasPrefix("Employees get 25") == true)
        #expect((hits.first?.score ?? 0) >= (hits.last?.score ?? 1))
    }

    @Test("ask answers extractively with citations; the second ask in another process is served by Redis")
    func askThroughTheSharedCache() async throws {
        let database = try await Self.handbook()
        defer { database.drop() }
        let environment = Self.environment(database: database, [
            "CACHE_BACKEND": "redis", "REDIS_URL": try TestServices.url(.redis),
            "CACHE_KEY_PREFIX": "recall-test-ask-\(UUID().uuidString.prefix(8))",
        ])
        let question = "How many vacation days do employees get?"
        let first = try await TestPrograms.runDetached("recall", ["ask", question, "--json"], environment: environment)
        let second = try await TestPrograms.runDetached("recall", ["ask", question, "--json"], environment: environment)
        let text = try await TestPrograms.runDetached("recall", ["ask", question, "--cache", "bypass"], environment: environment)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(second.status == 0, "\(second.standardError)")

        let one = try JSONDecoder().decode(Reply.self, from: Data(first.standardOutput.utf8))
        let two = try JSONDecoder().decode(Reply.self, from: Data(second.standardOutput.utf8))
        #expect(one.answer.contains("Employees get 25 vacation days per year. [1]"))
        #expect(one.sources.first?.title == "Vacation policy")
        #expect(one.model == "extractive")
        #expect(!one.cached)
        #expect(two.cached)
        #expect(two.answer == one.answer)
        #expect(two.cache_key == one.cache_key)
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("Sources:\n  [1] Vacation policy"))
        #expect(text.standardOutput.contains("computed now"))
    }

    @Test("ask with Gemini goes through generateContent on the fake server")
    func askWithGemini() async throws {
        let database = try await Self.handbook()
        defer { database.drop() }
        let port = try FreePort.loopback()
        let (server, serverOutput, _) = try TestPrograms.start("fake-gemini", ["--port", String(port), "--api-key", "chat-key-5"])
        defer { server.terminate(); server.waitUntilExit() }
        _ = serverOutput.fileHandleForReading.availableData

        let output = try await TestPrograms.runDetached("recall", ["ask", "How many vacation days do employees get?", "--json"],
                                                        environment: Self.environment(database: database, [
                                                            "CHAT_PROVIDER": "gemini", "GEMINI_API_KEY": "chat-key-5",
                                                            "GEMINI_BASE_URL": "http://127.0.0.1:\(port)",
                                                        ]))
        #expect(output.status == 0, "\(output.standardError)")
        let reply = try JSONDecoder().decode(Reply.self, from: Data(output.standardOutput.utf8))
        #expect(reply.model == "gemini-3.5-flash")
        #expect(reply.answer.contains("Employees get 25 vacation days") && reply.answer.hasSuffix("[1]"))
        #expect(!(output.standardOutput + output.standardError).contains("chat-key-5"))
    }

    @Test("an empty question is a usage error; without DATABASE_URL a warning says the store is empty")
    func badInput() async throws {
        let empty = try await TestPrograms.runDetached("recall", ["ask", "   "], environment: ["CHAT_PROVIDER": "extractive", "EMBEDDING_PROVIDER": "local"])
        #expect(empty.status == 2)
        #expect(empty.standardError.contains("the question is empty"))

        let memory = try await TestPrograms.runDetached("recall", ["search", "vacation"], environment: ["EMBEDDING_PROVIDER": "local"])
        #expect(memory.status == 0, "\(memory.standardError)")
        #expect(memory.standardError.contains("DATABASE_URL is not set"))
        #expect(memory.standardOutput.contains("no chunks found"))
    }
}
