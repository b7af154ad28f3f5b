import Foundation
import TestSupport
import Testing
@testable import VectorStoreKit

@Suite("Database diagnosis", .enabled(if: TestServices.isAvailable(.postgres)))
struct DatabaseDiagnosisTests {
    @Test("an empty database: pgvector available but not installed, everything pending, no index")
    func empty() async throws {
        try await ScratchDatabase.with { url in
            try await withPool(url: url) { pool in
                let diagnosis = try await DatabaseDiagnosis.read(pool: pool, dimensions: 768)
                #expect(!diagnosis.serverVersion.isEmpty)
                #expect(diagnosis.pgvectorInstalled == nil)
                #expect(diagnosis.pgvectorAvailable != nil)
                #expect(diagnosis.migrations.applied.isEmpty && !diagnosis.migrations.isUpToDate)
                #expect(diagnosis.migrations.storedDimensions == nil)
                #expect(!diagnosis.hasSearchIndex)
            }
        }
    }

    @Test("a migrated database: pgvector, the stored dimension and the search index; a dropped index is noticed",
          arguments: [768, 3072])
    func migrated(dimensions: Int) async throws {
        try await withMigratedDatabase(dimensions: dimensions) { pool, _ in
            let diagnosis = try await DatabaseDiagnosis.read(pool: pool, dimensions: dimensions)
            #expect(diagnosis.pgvectorInstalled != nil)
            #expect(diagnosis.migrations.isUpToDate)
            #expect(diagnosis.migrations.storedDimensions == dimensions)
            #expect(diagnosis.hasSearchIndex)
            try await pool.execute("DROP INDEX \(VectorSQL.indexName)")
            #expect(!(try await DatabaseDiagnosis.read(pool: pool, dimensions: dimensions)).hasSearchIndex)
        }
    }
}
