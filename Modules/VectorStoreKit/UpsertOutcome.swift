/// What ``VectorStore/upsertDocument(_:chunks:)`` did.
public enum UpsertOutcome: Sendable, Equatable {
    /// The document was new and is now stored with this many chunks.
    case inserted(documentID: Int64, chunkCount: Int)
    /// A document with the same content hash was already stored; nothing changed.
    case unchanged(documentID: Int64)

    /// The stored document's id either way.
    public var documentID: Int64 {
        switch self {
        case .inserted(let id, _), .unchanged(let id): id
        }
    }
}
