import Foundation
import Synchronization
import Testing
import TestSupport
@testable import VectorStoreKit

@Suite("Re-embedding", .enabled(if: TestServices.isAvailable(.postgres)))
struct ReembedTests {
    /// Stores `count` single-chunk documents embedded at `dimensions`.
    static func fill(_ store: PostgresVectorStore, count: Int) async throws {
        for number in 0..<count {
            let text = "passage number \(number)"
            _ = try await store.upsertDocument(
                NewDocument(source: "doc\(number).txt", title: "Doc \(number)", contentHash: "doc-\(number)"),
                chunks: [NewChunk(content: text, contentHash: "c\(number)",
                                  vector: TestVectors.embed(text, dimensions: store.dimensions))])
        }
    }

    static func embedder(_ dimensions: Int) -> @Sendable ([String]) async throws -> [[Float]] {
        { texts in texts.map { TestVectors.embed($0, dimensions: dimensions) } }
    }

    @Test("re-embedding from 768 to 1536 changes the column and search keeps working")
    func reembed768To1536() async throws {
        try await withMigratedDatabase(dimensions: 768) { pool, _ in
            let old = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            try await Self.fill(old, count: 30)

            let report = try await old.reembed(to: 1536, batchSize: 7, using: Self.embedder(1536))
            #expect(report == ReembedReport(fromDimensions: 768, toDimensions: 1536, chunksEmbedded: 30))
            #expect(try await Migrator(pool: pool, dimensions: 1536).status().storedDimensions == 1536)
            await #expect(throws: DimensionMismatch(stored: 1536, configured: 768)) {
                try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            }

            let store = try await PostgresVectorStore.open(pool: pool, dimensions: 1536)
            #expect(try await store.chunkCount() == 30)
            let hits = try await store.search(TestVectors.embed("passage number 17", dimensions: 1536), k: 3, filter: .none)
            #expect(hits.first?.content == "passage number 17")
            #expect(hits.first?.title == "Doc 17")
            #expect(abs((hits.first?.score ?? 0) - 1) < 1e-4)

            // The rebuilt index serves the new size; nothing of the old column is left.
            let plan = try await explainSearch(
                store, pool: pool, parameters: searchParameters(TestVectors.embed("x", dimensions: 1536), k: 3))
            #expect(plan.contains { $0.contains("Index Scan using \(VectorSQL.indexName) on chunks") },
                    "plan: \(plan.map { $0.prefix(160) })")
            let columns = try await pool.execute("""
                SELECT string_agg(attname, ',' ORDER BY attname) FROM pg_attribute
                WHERE attrelid = 'chunks'::regclass AND attnum > 0 AND NOT attisdropped AND attname LIKE 'content_vector%'
                """).scalar
            #expect(columns == "content_vector")

            // Already at the target: nothing to do.
            let again = try await store.reembed(to: 1536, using: Self.embedder(1536))
            #expect(again.chunksEmbedded == 0)
        }
    }

    @Test("an interrupted re-embedding leaves the old vectors in service and resumes where it stopped")
    func resumes() async throws {
        struct EmbeddingOutage: Error {}
        try await withMigratedDatabase(dimensions: 768) { pool, _ in
            let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            try await Self.fill(store, count: 20)

            let calls = Atomic<Int>(0)
            await #expect(throws: EmbeddingOutage.self) {
                try await store.reembed(to: 1536, batchSize: 5) { texts in
                    // The third batch fails, after two were committed.
                    guard calls.add(1, ordering: .relaxed).newValue < 3 else { throw EmbeddingOutage() }
                    return texts.map { TestVectors.embed($0, dimensions: 1536) }
                }
            }
            // Still a working 768 store.
            let stillOld = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            let hits = try await stillOld.search(TestVectors.embed("passage number 3", dimensions: 768), k: 1, filter: .none)
            #expect(hits.first?.content == "passage number 3")

            let report = try await store.reembed(to: 1536, batchSize: 5, using: Self.embedder(1536))
            #expect(report.chunksEmbedded == 10)
            let store1536 = try await PostgresVectorStore.open(pool: pool, dimensions: 1536)
            for number in [0, 12, 19] {
                let text = "passage number \(number)"
                let top = try await store1536.search(TestVectors.embed(text, dimensions: 1536), k: 1, filter: .none)
                #expect(top.first?.content == text)
            }
        }
    }

    @Test("an embedding function returning the wrong shape stops re-embedding before anything changes")
    func wrongShape() async throws {
        try await withMigratedDatabase(dimensions: 768) { pool, _ in
            let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            try await Self.fill(store, count: 3)
            await #expect(throws: VectorStoreError.embeddingCountMismatch(expected: 3, actual: 0)) {
                try await store.reembed(to: 1536) { _ in [] }
            }
            await #expect(throws: VectorStoreError.wrongDimensions(expected: 1536, actual: 768)) {
                try await store.reembed(to: 1536, using: Self.embedder(768))
            }
            #expect(try await Migrator(pool: pool, dimensions: 768).status().storedDimensions == 768)
        }
    }
}
