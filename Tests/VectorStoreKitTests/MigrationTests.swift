import Foundation
import Testing
import TestSupport
@testable import VectorStoreKit

@Suite("Migrations and dimension checks", .enabled(if: TestServices.isAvailable(.postgres)))
struct MigrationTests {
    static let allVersions = Migration.all.map(\.version)

    @Test("migrate creates the schema once, and running it again changes nothing", arguments: [768, 3072])
    func migrateIsIdempotent(dimensions: Int) async throws {
        try await ScratchDatabase.with { url in
            try await withPool(url: url) { pool in
                let migrator = try Migrator(pool: pool, dimensions: dimensions)
                let before = try await migrator.status()
                #expect(before == MigrationStatus(applied: [], pending: Self.allVersions, storedDimensions: nil))

                #expect(try await migrator.migrate() == Self.allVersions)
                #expect(try await migrator.migrate() == [])
                let after = try await migrator.status()
                #expect(after == MigrationStatus(applied: Self.allVersions, pending: [], storedDimensions: dimensions))
                #expect(after.isUpToDate)

                let recorded = try await pool.execute("SELECT count(*) FROM schema_migrations").scalar
                #expect(recorded == String(Self.allVersions.count))
                let column = try await pool.execute("""
                    SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                    WHERE attrelid = 'chunks'::regclass AND attname = 'content_vector'
                    """).scalar
                #expect(column == "vector(\(dimensions))")
            }
        }
    }

    @Test("processes migrating at the same time apply each step once")
    func concurrentMigrations() async throws {
        try await ScratchDatabase.with { url in
            try await withPool(url: url, size: 4) { pool in
                let migrator = try Migrator(pool: pool, dimensions: 768)
                async let first = migrator.migrate()
                async let second = migrator.migrate()
                async let third = migrator.migrate()
                let applied = try await [first, second, third]
                #expect(applied.flatMap { $0 }.sorted() == Self.allVersions)
                #expect(try await migrator.status().pending.isEmpty)
            }
        }
    }

    @Test("the search query uses the HNSW index", arguments: [768, 1536, 3072])
    func searchUsesIndex(dimensions: Int) async throws {
        try await withMigratedDatabase(dimensions: dimensions) { pool, _ in
            let store = try await PostgresVectorStore.open(pool: pool, dimensions: dimensions)
            for number in 0..<20 {
                let chunks = (0..<5).map { index in
                    NewChunk(content: "chunk \(index)", contentHash: "\(number)-\(index)",
                             vector: TestVectors.embed("\(number)-\(index)", dimensions: dimensions))
                }
                _ = try await store.upsertDocument(
                    NewDocument(source: "s", title: "t", contentHash: "doc-\(number)"), chunks: chunks)
            }
            let plan = try await explainSearch(
                store, pool: pool, parameters: searchParameters(TestVectors.embed("3-2", dimensions: dimensions), k: 5))
            #expect(plan.contains { $0.contains("Index Scan using \(VectorSQL.indexName) on chunks") },
                    "plan: \(plan.map { $0.prefix(160) })")

            // And the store's own search finds the chunk whose vector was the query.
            let hits = try await store.search(TestVectors.embed("3-2", dimensions: dimensions), k: 5, filter: .none)
            #expect(hits.first?.content == "chunk 2")
            #expect(abs((hits.first?.score ?? 0) - 1) < 0.01)
        }
    }

    @Test("a store at another dimension than the database's is refused, with both ways out")
    func dimensionMismatch() async throws {
        try await withMigratedDatabase(dimensions: 768) { pool, _ in
            let error = await #expect(throws: DimensionMismatch.self) {
                try await PostgresVectorStore.open(pool: pool, dimensions: 1536)
            }
            #expect(error == DimensionMismatch(stored: 768, configured: 1536))
            let message = error.map(String.init(describing:)) ?? ""
            #expect(message.contains("768"))
            #expect(message.contains("1536"))
            #expect(message.contains("EMBEDDING_DIM=768"))
            #expect(message.contains("recall db reembed --dim 1536"))

            // Migrating does not paper over it either.
            await #expect(throws: DimensionMismatch(stored: 768, configured: 1536)) {
                try await Migrator(pool: pool, dimensions: 1536).migrate()
            }
            _ = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
        }
    }

    @Test("opening a store before the migrations ran says so")
    func schemaMissing() async throws {
        try await ScratchDatabase.with { url in
            try await withPool(url: url) { pool in
                await #expect(throws: VectorStoreError.schemaMissing) {
                    try await PostgresVectorStore.open(pool: pool, dimensions: 768)
                }
            }
        }
    }

    @Test("a chunk vector of the wrong length is refused by the database inside the transaction")
    func wrongLengthIsSQLState() async throws {
        try await withMigratedDatabase(dimensions: 768) { pool, _ in
            let store = try await PostgresVectorStore.open(pool: pool, dimensions: 768)
            let chunks = [
                NewChunk(content: "good", contentHash: "g", vector: TestVectors.near(axis: 0, dimensions: 768)),
                NewChunk(content: "bad", contentHash: "b", vector: [1, 2, 3]),
            ]
            let error = await #expect(throws: PostgresError.self) {
                try await store.upsertDocument(NewDocument(source: "s", title: "t", contentHash: "h"), chunks: chunks)
            }
            #expect(error?.sqlState == "22000")
            #expect(error?.message.contains("expected 768 dimensions, not 3") == true)
            #expect(try await pool.execute("SELECT count(*) FROM documents").scalar == "0")
        }
    }
}
