import Foundation
import Testing
import TestSupport
@testable import VectorStoreKit

@Suite("PostgreSQL filtered search", .enabled(if: TestServices.isAvailable(.postgres)))
struct FilteredSearchTests {
    @Test("a selective filter still yields k rows through the HNSW index", arguments: [768, 3072])
    func filterDoesNotStarveIndexScan(dimensions: Int) async throws {
        try await ScratchDatabase.with { url in
            // One connection, so the session settings below apply to the store's searches too.
            try await withPool(url: url, size: 1) { pool in
                try await Migrator(pool: pool, dimensions: dimensions).migrate()
                let store = try await PostgresVectorStore.open(pool: pool, dimensions: dimensions)
                for number in 0..<30 {
                    let chunks = (0..<10).map { index in
                        NewChunk(content: "\(number)/\(index)", contentHash: "\(number)/\(index)",
                                 vector: TestVectors.embed("\(number)/\(index)", dimensions: dimensions))
                    }
                    _ = try await store.upsertDocument(
                        NewDocument(source: "s", title: "t", contentHash: "doc-\(number)",
                                    tenant: number % 10 == 0 ? "rare" : "common"),
                        chunks: chunks)
                }
                let query = TestVectors.embed("query", dimensions: dimensions)
                let plan = try await pool.withConnection { [searchSQL = store.searchSQL] connection in
                    // Leave the HNSW index as the only way to serve the query, and let it look at
                    // just 10 candidates: without an iterative scan, a filter passing a tenth of
                    // the rows would get about one of them. The settings stay for the searches
                    // below, which run on this same (only) connection.
                    try connection.execute("DROP INDEX chunks_tenant_idx")
                    try connection.execute("ANALYZE chunks")
                    for setting in indexOnlySettings { try connection.execute(setting) }
                    try connection.execute("SET hnsw.ef_search = 10")
                    let parameters = searchParameters(query, k: 20, tenant: "rare")
                    return try connection.execute("EXPLAIN " + searchSQL, parameters).rows.compactMap { $0.first ?? nil }
                }
                #expect(plan.contains { $0.contains("Index Scan using \(VectorSQL.indexName) on chunks") })

                let hits = try await store.search(query, k: 20, filter: SearchFilter(tenant: "rare"))
                #expect(hits.count == 20)
                #expect(hits.allSatisfy { ["0", "10", "20"].contains($0.content.split(separator: "/")[0]) })
                #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
            }
        }
    }
}
