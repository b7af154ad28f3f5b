import Foundation
import Testing
import TestSupport
@testable import VectorStoreKit

/// A kind of store the contract is checked against; each test gets a fresh, empty one.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case memory, postgres

    var testDescription: String { rawValue }

    /// PostgreSQL joins when `make test` provides it (and always under CI, where its absence fails).
    static let all: [StoreKind] = TestServices.isAvailable(.postgres) ? [.memory, .postgres] : [.memory]

    static let dimensions = 768

    func with(_ body: (any VectorStore) async throws -> Void) async throws {
        switch self {
        case .memory:
            try await body(MemoryVectorStore(dimensions: Self.dimensions))
        case .postgres:
            try await withMigratedDatabase(dimensions: Self.dimensions) { pool, _ in
                try await body(PostgresVectorStore.open(pool: pool, dimensions: Self.dimensions))
            }
        }
    }
}

/// The contract of `VectorStore`, written once and run against every store.
@Suite("VectorStore conformance")
struct VectorStoreConformanceTests {
    static let dimensions = StoreKind.dimensions

    static func document(_ name: String, tenant: String = "", metadata: [String: String] = [:]) -> NewDocument {
        NewDocument(source: "\(name).md", title: "Title of \(name)", contentHash: "hash-\(name)",
                    metadata: metadata, tenant: tenant)
    }

    /// Chunks whose vectors point along `axes` (one chunk per axis).
    static func chunks(_ name: String, axes: [Int]) -> [NewChunk] {
        axes.enumerated().map { index, axis in
            NewChunk(content: "\(name) chunk \(index)", contentHash: "\(name)-\(index)",
                     vector: TestVectors.near(axis: axis, dimensions: dimensions))
        }
    }

    @Test("upsert stores the document and all its chunks", arguments: StoreKind.all)
    func upsertStores(kind: StoreKind) async throws {
        try await kind.with { store in
            let outcome = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0, 1, 2]))
            guard case .inserted(_, let chunkCount) = outcome else {
                Issue.record("expected .inserted, got \(outcome)")
                return
            }
            #expect(chunkCount == 3)
            #expect(try await store.documentCount() == 1)
            #expect(try await store.chunkCount() == 3)
        }
    }

    @Test("the same document twice adds no rows", arguments: StoreKind.all)
    func reupsertIsIdempotent(kind: StoreKind) async throws {
        try await kind.with { store in
            let first = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0, 1]))
            // Same content hash, even under another title: the content is what identifies it.
            var again = Self.document("a")
            again.title = "Renamed"
            let second = try await store.upsertDocument(again, chunks: Self.chunks("a", axes: [0, 1]))
            #expect(second == .unchanged(documentID: first.documentID))
            #expect(try await store.documentCount() == 1)
            #expect(try await store.chunkCount() == 2)
        }
    }

    @Test("search returns the nearest chunk first, with its document", arguments: StoreKind.all)
    func searchFindsNearest(kind: StoreKind) async throws {
        try await kind.with { store in
            let a = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0, 10, 20]))
            let b = try await store.upsertDocument(Self.document("b"), chunks: Self.chunks("b", axes: [30, 40]))
            let query = TestVectors.near(axis: 40, dimensions: Self.dimensions, tilt: 0.1)
            let hits = try await store.search(query, k: 3, filter: .none)
            #expect(hits.count == 3)
            let top = try #require(hits.first)
            #expect(top.documentID == b.documentID)
            #expect(top.ordinal == 1)
            #expect(top.content == "b chunk 1")
            #expect(top.title == "Title of b")
            #expect(top.source == "b.md")
            #expect(top.score > 0.99)
            #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
            #expect(Set(hits.map(\.chunkID)).count == 3)
            #expect(hits.dropFirst().allSatisfy { $0.score < 0.1 })
            #expect(a.documentID != b.documentID)
            #expect(try await store.search(query, k: 0, filter: .none).isEmpty)
            #expect(try await store.search(query, k: 50, filter: .none).count == 5)
        }
    }

    @Test("a tenant filter returns only that tenant's chunks", arguments: StoreKind.all)
    func tenantFilter(kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.upsertDocument(Self.document("a", tenant: "acme"), chunks: Self.chunks("a", axes: [0, 1]))
            _ = try await store.upsertDocument(Self.document("b", tenant: "globex"), chunks: Self.chunks("b", axes: [0, 1]))
            _ = try await store.upsertDocument(Self.document("c"), chunks: Self.chunks("c", axes: [0]))
            let query = TestVectors.near(axis: 0, dimensions: Self.dimensions)
            let acme = try await store.search(query, k: 10, filter: SearchFilter(tenant: "acme"))
            #expect(acme.map(\.content).sorted() == ["a chunk 0", "a chunk 1"])
            let defaultTenant = try await store.search(query, k: 10, filter: SearchFilter(tenant: ""))
            #expect(defaultTenant.map(\.content) == ["c chunk 0"])
            #expect(try await store.search(query, k: 10, filter: SearchFilter(tenant: "nobody")).isEmpty)
            #expect(try await store.search(query, k: 10, filter: .none).count == 5)
        }
    }

    @Test("a document filter returns only those documents' chunks", arguments: StoreKind.all)
    func documentFilter(kind: StoreKind) async throws {
        try await kind.with { store in
            let a = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0, 1]))
            let b = try await store.upsertDocument(Self.document("b"), chunks: Self.chunks("b", axes: [0, 1]))
            let c = try await store.upsertDocument(Self.document("c"), chunks: Self.chunks("c", axes: [0]))
            let query = TestVectors.near(axis: 0, dimensions: Self.dimensions)
            let hits = try await store.search(query, k: 10, filter: SearchFilter(documentIDs: [b.documentID, c.documentID]))
            #expect(Set(hits.map(\.documentID)) == [b.documentID, c.documentID])
            #expect(hits.count == 3)
            #expect(!hits.contains { $0.documentID == a.documentID })
            #expect(try await store.search(query, k: 10, filter: SearchFilter(documentIDs: [])).isEmpty)
        }
    }

    @Test("a metadata filter returns chunks of documents whose metadata contains the pairs", arguments: StoreKind.all)
    func metadataFilter(kind: StoreKind) async throws {
        try await kind.with { store in
            let a = try await store.upsertDocument(Self.document("a", metadata: ["lang": "en", "kind": "guide"]),
                                                   chunks: Self.chunks("a", axes: [0]))
            _ = try await store.upsertDocument(Self.document("b", metadata: ["lang": "de", "kind": "guide"]),
                                               chunks: Self.chunks("b", axes: [0]))
            _ = try await store.upsertDocument(Self.document("c"), chunks: Self.chunks("c", axes: [0]))
            let query = TestVectors.near(axis: 0, dimensions: Self.dimensions)
            let english = try await store.search(query, k: 10, filter: SearchFilter(metadata: ["lang": "en"]))
            #expect(english.map(\.documentID) == [a.documentID])
            let guides = try await store.search(query, k: 10, filter: SearchFilter(metadata: ["kind": "guide"]))
            #expect(guides.count == 2)
            let both = SearchFilter(tenant: "", metadata: ["kind": "guide", "lang": "de"])
            #expect(try await store.search(query, k: 10, filter: both).map(\.content) == ["b chunk 0"])
            #expect(try await store.search(query, k: 10, filter: SearchFilter(metadata: ["lang": "fr"])).isEmpty)
        }
    }

    @Test("deleting a document deletes its chunks", arguments: StoreKind.all)
    func deleteCascades(kind: StoreKind) async throws {
        try await kind.with { store in
            let a = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0, 1, 2]))
            let b = try await store.upsertDocument(Self.document("b"), chunks: Self.chunks("b", axes: [3]))
            #expect(try await store.deleteDocument(id: a.documentID))
            #expect(try await store.documentCount() == 1)
            #expect(try await store.chunkCount() == 1)
            let hits = try await store.search(TestVectors.near(axis: 0, dimensions: Self.dimensions), k: 10, filter: .none)
            #expect(hits.map(\.documentID) == [b.documentID])
            #expect(try await store.deleteDocument(id: a.documentID) == false)
            // Its hash is free again: storing it once more inserts a new document.
            let again = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0]))
            #expect(again == .inserted(documentID: again.documentID, chunkCount: 1))
            #expect(again.documentID != a.documentID)
            #expect(try await store.chunkCount() == 2)
        }
    }

    @Test("an upsert that fails on one chunk leaves no trace of the document", arguments: StoreKind.all)
    func upsertIsAtomic(kind: StoreKind) async throws {
        try await kind.with { store in
            var chunks = Self.chunks("a", axes: [0, 1, 2])
            chunks[2].vector = [1, 2, 3]
            await #expect(throws: (any Error).self) {
                try await store.upsertDocument(Self.document("a"), chunks: chunks)
            }
            #expect(try await store.documentCount() == 0)
            #expect(try await store.chunkCount() == 0)
            // Nothing is left holding the content hash either.
            let retry = try await store.upsertDocument(Self.document("a"), chunks: Self.chunks("a", axes: [0, 1, 2]))
            #expect(retry == .inserted(documentID: retry.documentID, chunkCount: 3))
            #expect(try await store.chunkCount() == 3)
        }
    }

    @Test("query vectors of the wrong length, of zeros or with NaN are refused", arguments: StoreKind.all)
    func badQueryVectors(kind: StoreKind) async throws {
        try await kind.with { store in
            await #expect(throws: VectorStoreError.wrongDimensions(expected: Self.dimensions, actual: 3)) {
                try await store.search([1, 2, 3], k: 5, filter: .none)
            }
            await #expect(throws: VectorStoreError.self) {
                try await store.search([Float](repeating: 0, count: Self.dimensions), k: 5, filter: .none)
            }
            var nan = TestVectors.near(axis: 0, dimensions: Self.dimensions)
            nan[5] = .nan
            await #expect(throws: VectorStoreError.self) {
                try await store.search(nan, k: 5, filter: .none)
            }
        }
    }

    @Test("text with quotes, backslashes, braces and SQL comes back verbatim", arguments: StoreKind.all)
    func textIsData(kind: StoreKind) async throws {
        try await kind.with { store in
            let tricky = #"Robert'); DROP TABLE documents; -- "quoted" \back\slash {a,b} [1,2] NULL ünïcødé 🚀"#
            let document = NewDocument(source: tricky, title: tricky, contentHash: tricky,
                                       metadata: ["note": tricky], tenant: tricky)
            let chunks = [
                NewChunk(content: tricky, contentHash: tricky, vector: TestVectors.near(axis: 7, dimensions: Self.dimensions)),
                NewChunk(content: "NULL", contentHash: "", vector: TestVectors.near(axis: 9, dimensions: Self.dimensions)),
            ]
            _ = try await store.upsertDocument(document, chunks: chunks)
            let filter = SearchFilter(tenant: tricky, metadata: ["note": tricky])
            let hits = try await store.search(TestVectors.near(axis: 7, dimensions: Self.dimensions), k: 5, filter: filter)
            #expect(hits.map(\.content) == [tricky, "NULL"])
            #expect(hits.first?.title == tricky)
            #expect(hits.first?.source == tricky)
            #expect(try await store.documentCount() == 1)
        }
    }
}
