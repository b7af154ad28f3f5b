/// Documents split into chunks, each with an embedding, searchable by cosine similarity.
///
/// ``PostgresVectorStore`` keeps them in PostgreSQL with pgvector, shared by every process;
/// ``MemoryVectorStore`` keeps them in this process, for the embedded default and for tests. Both
/// behave the same, and one conformance test suite runs against each.
public protocol VectorStore: Sendable {
    /// The length of every vector this store takes and returns.
    var dimensions: Int { get }

    /// Stores a document and its chunks, all or nothing.
    ///
    /// Idempotent by ``NewDocument/contentHash``: storing a document whose hash is already present
    /// adds nothing and returns ``UpsertOutcome/unchanged(documentID:)``. A chunk's ordinal is its
    /// position in `chunks`.
    func upsertDocument(_ document: NewDocument, chunks: [NewChunk]) async throws -> UpsertOutcome

    /// The `k` chunks nearest to `vector` by cosine distance that pass `filter`, nearest first.
    func search(_ vector: [Float], k: Int, filter: SearchFilter) async throws -> [SearchHit]

    /// Deletes a document and its chunks; false when there was no such document.
    func deleteDocument(id: Int64) async throws -> Bool

    /// How many documents are stored.
    func documentCount() async throws -> Int

    /// How many chunks are stored.
    func chunkCount() async throws -> Int
}
