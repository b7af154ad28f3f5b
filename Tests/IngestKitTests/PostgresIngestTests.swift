import EmbeddingsKit
import FakeGemini
import Foundation
import IngestKit
import TestSupport
import Testing
import VectorStoreKit

/// The whole pipeline against the real parts: PostgreSQL with pgvector and the fake Gemini API.
@Suite("Ingest into PostgreSQL with Gemini embeddings", .enabled(if: TestServices.isAvailable(.postgres)))
struct PostgresIngestTests {
    @Test("a corpus ingested through Gemini into PostgreSQL is found by a Gemini query; re-ingest adds no rows")
    func endToEnd() async throws {
        let database = try ScratchDatabase.create()
        defer { database.drop() }
        let fake = try await FakeGeminiServer.start()
        let pool = try PostgresPool(url: database.url, size: 2)
        do {
            try await Migrator(pool: pool, dimensions: 768).migrate()
            let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            let gemini = try GeminiEmbeddings(configuration: GeminiConfiguration(
                apiKey: FakeGeminiServer.apiKey, dimensions: 768, baseURL: fake.baseURL, batchSize: 2))
            let counter = IngestPipelineTests.GenerationCounter()
            let pipeline = try IngestPipelineTests.pipeline(store: store, embedder: gemini, counter: counter)
            let reports = try await IngestPipelineTests.ingestCorpus(pipeline)
            let rows = try database.query("SELECT count(*) FROM chunks")
            #expect(Int(rows) == reports.map(\.chunkCount).reduce(0, +))
            #expect(counter.count == 3)
            // Every document request carried the title and the document task type.
            let sent = fake.requests.compactMap(\.json).flatMap { ($0["requests"] as? [[String: Any]]) ?? [$0] }
            #expect(sent.count == reports.map(\.chunkCount).reduce(0, +))
            #expect(sent.allSatisfy { $0["taskType"] as? String == "RETRIEVAL_DOCUMENT" })
            #expect(Set(sent.compactMap { $0["title"] as? String }) == ["Vacation policy", "expenses", "Security rules"])

            // The fake's vectors carry no meaning, only identity: a query with a chunk's exact
            // text must find that very chunk first.
            let wanted = try database.query("SELECT content FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.title = 'Security rules' ORDER BY ordinal DESC LIMIT 1")
            let query = try await gemini.embed(wanted, task: .retrievalDocument, title: "Security rules")
            let hits = try await store.search(query, k: 3, filter: .none)
            #expect(hits.first?.title == "Security rules")
            #expect(hits.first?.content == wanted)

            let again = try await IngestPipelineTests.ingestCorpus(pipeline)
            #expect(again.allSatisfy { !$0.stored })
            #expect(try database.query("SELECT count(*) FROM chunks") == rows)
            #expect(try database.query("SELECT count(*) FROM documents") == "3")
            #expect(counter.count == 3)
        } catch {
            await pool.close()
            await fake.stop()
            throw error
        }
        await pool.close()
        await fake.stop()
    }
}
