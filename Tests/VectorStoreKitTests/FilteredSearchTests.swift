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

    @Test("search is prepared once per connection and planned with each call's values; a new connection prepares it again")
    func searchIsPreparedPerConnection() async throws {
        try await ScratchDatabase.with { url in
            try await withPool(url: url, size: 1) { pool in
                try await Migrator(pool: pool, dimensions: 768).migrate()
                let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
                for tenant in ["a", "b"] {
                    _ = try await store.upsertDocument(
                        NewDocument(source: tenant, title: tenant, contentHash: "doc-\(tenant)", tenant: tenant),
                        chunks: [NewChunk(content: "text of \(tenant)", contentHash: tenant,
                                          vector: TestVectors.embed(tenant, dimensions: 768))])
                }
                let query = TestVectors.embed("query", dimensions: 768)
                // More than the five executions after which PostgreSQL may switch to a generic plan.
                for round in 0..<8 {
                    let tenant = round.isMultiple(of: 2) ? "a" : "b"
                    let hits = try await store.search(query, k: 5, filter: SearchFilter(tenant: tenant))
                    #expect(hits.map(\.source) == [tenant])
                }
                #expect(try await store.search(query, k: 5, filter: .none).count == 2)
                let plans = try await pool.execute(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM chunks c%'").rows
                #expect(plans.count == 1, "one prepared search statement on the connection")
                #expect(plans.first?[0] == "0", "never a generic plan")
                #expect(Int(plans.first?[1] ?? "") ?? 0 >= 9)

                let pid = try #require(try await pool.execute("SELECT pg_backend_pid()").scalar)
                try await withPool(url: url, size: 1) { admin in
                    try await admin.execute("SELECT pg_terminate_backend($1::integer)", [pid])
                }
                _ = try? await store.search(query, k: 5, filter: .none)   // finds the connection dead
                #expect(try await store.search(query, k: 5, filter: .none).count == 2)
            }
        }
    }
}
