import Logging
import RecallRuntime
import TestSupport
import Testing

/// Opening the vector store from settings: memory without DATABASE_URL, PostgreSQL migrated and
/// checked with it.
@Suite("VectorStoreHandle")
struct VectorStoreHandleTests {
    @Test("without DATABASE_URL the store is in memory, at EMBEDDING_DIM")
    func memory() async throws {
        let handle = try await VectorStoreHandle.open(settings: try settings(["EMBEDDING_DIM": "1536"]), logger: Logger(label: "test"))
        #expect(handle.backend == "memory")
        #expect(handle.store.dimensions == 1536)
    }

    @Test("PostgreSQL is migrated on open; another EMBEDDING_DIM later refuses to start, naming both sizes and both fixes",
          .enabled(if: TestServices.isAvailable(.postgres)))
    func dimensionMismatch() async throws {
        let database = try ScratchDatabase.create()
        defer { database.drop() }
        let first = try await VectorStoreHandle.open(
            settings: try settings(["DATABASE_URL": database.url, "EMBEDDING_DIM": "768"]), logger: Logger(label: "test"))
        #expect(first.backend == "postgres")
        await first.close()
        #expect(try database.query("SELECT count(*) FROM schema_migrations") != "0")
        let mismatched = try settings(["DATABASE_URL": database.url, "EMBEDDING_DIM": "1536"])
        do {
            let second = try await VectorStoreHandle.open(settings: mismatched, logger: Logger(label: "test"))
            await second.close()
            Issue.record("a 1536-dimension process opened a 768-dimension database")
        } catch {
            #expect(error.message.contains("768") && error.message.contains("1536"))
            #expect(error.message.contains("EMBEDDING_DIM=768"))
            #expect(error.message.contains("recall db reembed --dim 1536"))
        }
    }
}
