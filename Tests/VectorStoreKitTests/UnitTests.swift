import Foundation
import Testing
@testable import VectorStoreKit

/// Pieces that need no database.
@Suite("VectorStoreKit units")
struct UnitTests {
    @Test("vectors are sent in pgvector's text form")
    func vectorLiteral() {
        #expect(PostgresLiteral.vector([1, -0.5, 0.1, 3.5e-05]) == "[1.0,-0.5,0.1,3.5e-05]")
        #expect(PostgresLiteral.vector([]) == "[]")
    }

    @Test("array literals quote every element and escape quotes and backslashes")
    func arrayLiteral() {
        #expect(PostgresLiteral.array(["a", "b c", "{x,y}"]) == #"{"a","b c","{x,y}"}"#)
        #expect(PostgresLiteral.array([#"say "hi""#, #"back\slash"#]) == #"{"say \"hi\"","back\\slash"}"#)
        #expect(PostgresLiteral.array([String]()) == "{}")
        #expect(PostgresLiteral.array(["NULL"]) == #"{"NULL"}"#)
    }

    @Test("up to 2,000 dimensions index the column; above, a halfvec expression that the search repeats")
    func indexPlans() throws {
        let small = try VectorSQL(dimensions: 768)
        #expect(small.createIndex(named: "i", column: "content_vector")
            == "CREATE INDEX i ON chunks USING hnsw (content_vector vector_cosine_ops)")
        #expect(small.search.contains("ORDER BY c.content_vector <=> $1::vector(768)"))

        let large = try VectorSQL(dimensions: 3072)
        #expect(large.createIndex(named: "i", column: "content_vector")
            == "CREATE INDEX i ON chunks USING hnsw ((content_vector::halfvec(3072)) halfvec_cosine_ops)")
        #expect(large.search.contains(
            "ORDER BY (c.content_vector::halfvec(3072)) <=> ($1::vector(3072))::halfvec(3072)"))

        #expect(throws: VectorStoreError.unsupportedDimensions(4001)) { try VectorSQL(dimensions: 4001) }
        #expect(throws: VectorStoreError.unsupportedDimensions(0)) { try VectorSQL(dimensions: 0) }
    }

    @Test("connection strings are described without their password")
    func connectionInfo() throws {
        let info = try ConnectionInfo("postgresql://recall:s%40cret@db.internal:6543/recall?sslmode=disable")
        #expect(info.endpoint == "db.internal:6543/recall")
        #expect(info.secrets.contains("s%40cret"))
        #expect(info.secrets.contains("s@cret"))
        let keywordForm = try ConnectionInfo("host=h port=1 dbname=d password=hunter2")
        #expect(keywordForm.endpoint == "h:1/d")
        #expect(keywordForm.secrets == ["hunter2"])

        let error = PostgresError(.connection, context: "connecting", message: "bad s@cret and s%40cret")
            .redacting(info.secrets)
        #expect(error.message == "bad *** and ***")
    }

    @Test("the mismatch message gives both numbers and both ways out")
    func mismatchMessage() {
        let text = DimensionMismatch(stored: 3072, configured: 768).description
        #expect(text.contains("vector(3072)"))
        #expect(text.contains("EMBEDDING_DIM is 768"))
        #expect(text.contains("EMBEDDING_DIM=3072"))
        #expect(text.contains("recall db reembed --dim 768"))
    }

    @Test("statement summaries keep errors short")
    func summaries() {
        #expect(PostgresConnection.summary(of: "\n   SELECT 1\n FROM x") == "SELECT 1")
        #expect(PostgresConnection.summary(of: String(repeating: "a", count: 100)).count == 78)
    }

    @Test("the memory store scores by cosine, whatever the vectors' lengths")
    func memoryCosine() async throws {
        let store = MemoryVectorStore(dimensions: 2)
        _ = try await store.upsertDocument(NewDocument(source: "s", title: "t", contentHash: "h"), chunks: [
            NewChunk(content: "east", contentHash: "e", vector: [10, 0]),
            NewChunk(content: "north-east", contentHash: "ne", vector: [1, 1]),
            NewChunk(content: "zero", contentHash: "z", vector: [0, 0]),
        ])
        let hits = try await store.search([3, 0], k: 5, filter: .none)
        #expect(hits.map(\.content) == ["east", "north-east"])
        #expect(abs(hits[0].score - 1) < 1e-9)
        #expect(abs(hits[1].score - 0.5.squareRoot()) < 1e-6)
    }
}
