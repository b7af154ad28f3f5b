import Synchronization

/// Documents and chunks in this process's memory, with exact cosine search: the embedded default
/// when no `DATABASE_URL` is set, and a stand-in for PostgreSQL in tests.
///
/// It behaves like ``PostgresVectorStore`` (same deduplication, filters, ordering and errors for
/// bad query vectors) but keeps nothing across restarts and scans every chunk on each search, which
/// suits the small corpora it is meant for.
public final class MemoryVectorStore: VectorStore {
    private struct StoredDocument: Sendable {
        let document: NewDocument
        var chunkIDs: [Int64]
    }

    private struct StoredChunk: Sendable {
        let documentID: Int64
        let ordinal: Int
        let content: String
        let tenant: String
        let vector: [Float]
        /// Precomputed so a search costs one dot product per chunk.
        let norm: Double
    }

    private struct State: Sendable {
        var documents: [Int64: StoredDocument] = [:]
        var documentsByHash: [String: Int64] = [:]
        var chunks: [Int64: StoredChunk] = [:]
        var nextDocumentID: Int64 = 1
        var nextChunkID: Int64 = 1
    }

    public let dimensions: Int
    private let state = Mutex(State())

    /// An empty store for vectors of `dimensions` floats.
    public init(dimensions: Int) {
        precondition(dimensions >= 1, "a vector has at least one dimension")
        self.dimensions = dimensions
    }

    public func upsertDocument(_ document: NewDocument, chunks: [NewChunk]) async throws -> UpsertOutcome {
        // Everything is checked before anything is stored, so a bad chunk leaves no trace.
        for chunk in chunks {
            try VectorChecks.validateStored(chunk.vector, dimensions: dimensions)
        }
        let prepared = chunks.enumerated().map { ordinal, chunk in
            StoredChunk(documentID: 0, ordinal: ordinal, content: chunk.content, tenant: document.tenant,
                        vector: chunk.vector, norm: Self.norm(chunk.vector))
        }
        return state.withLock { state in
            if let existing = state.documentsByHash[document.contentHash] {
                return .unchanged(documentID: existing)
            }
            let documentID = state.nextDocumentID
            state.nextDocumentID += 1
            var chunkIDs: [Int64] = []
            chunkIDs.reserveCapacity(prepared.count)
            for chunk in prepared {
                let chunkID = state.nextChunkID
                state.nextChunkID += 1
                state.chunks[chunkID] = StoredChunk(documentID: documentID, ordinal: chunk.ordinal, content: chunk.content,
                                                    tenant: chunk.tenant, vector: chunk.vector, norm: chunk.norm)
                chunkIDs.append(chunkID)
            }
            state.documents[documentID] = StoredDocument(document: document, chunkIDs: chunkIDs)
            state.documentsByHash[document.contentHash] = documentID
            return .inserted(documentID: documentID, chunkCount: prepared.count)
        }
    }

    public func search(_ vector: [Float], k: Int, filter: SearchFilter) async throws -> [SearchHit] {
        try VectorChecks.validateQuery(vector, dimensions: dimensions)
        guard k > 0 else { return [] }
        let queryNorm = Self.norm(vector)
        let allowedDocuments = filter.documentIDs.map(Set.init)
        return state.withLock { state in
            var scored: [(id: Int64, chunk: StoredChunk, score: Double)] = []
            for (id, chunk) in state.chunks {
                if let tenant = filter.tenant, chunk.tenant != tenant { continue }
                if let allowedDocuments, !allowedDocuments.contains(chunk.documentID) { continue }
                // Zero vectors have no cosine distance; pgvector's index skips them too.
                if chunk.norm == 0 { continue }
                if !filter.metadata.isEmpty {
                    guard let metadata = state.documents[chunk.documentID]?.document.metadata,
                          filter.metadata.allSatisfy({ metadata[$0.key] == $0.value }) else { continue }
                }
                scored.append((id, chunk, Self.dot(vector, chunk.vector) / (queryNorm * chunk.norm)))
            }
            // Best first; equal scores by chunk id, as the PostgreSQL store orders them.
            scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
            return scored.prefix(k).map { id, chunk, score in
                let document = state.documents[chunk.documentID]?.document
                return SearchHit(chunkID: id, documentID: chunk.documentID, title: document?.title ?? "",
                                 source: document?.source ?? "", ordinal: chunk.ordinal, content: chunk.content,
                                 score: score)
            }
        }
    }

    public func deleteDocument(id: Int64) async throws -> Bool {
        state.withLock { state in
            guard let stored = state.documents.removeValue(forKey: id) else { return false }
            state.documentsByHash[stored.document.contentHash] = nil
            for chunkID in stored.chunkIDs {
                state.chunks[chunkID] = nil
            }
            return true
        }
    }

    public func documentCount() async throws -> Int {
        state.withLock { $0.documents.count }
    }

    public func chunkCount() async throws -> Int {
        state.withLock { $0.chunks.count }
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Double {
        var sum = 0.0
        for index in a.indices {
            sum += Double(a[index]) * Double(b[index])
        }
        return sum
    }

    private static func norm(_ vector: [Float]) -> Double {
        dot(vector, vector).squareRoot()
    }
}
