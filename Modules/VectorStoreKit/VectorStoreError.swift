/// A request a vector store refuses before (or instead of) touching its data.
public enum VectorStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dimension cannot be stored with an HNSW index (pgvector indexes at most 4,000
    /// dimensions, through `halfvec` above 2,000).
    case unsupportedDimensions(Int)
    /// A vector's length differs from the store's dimension.
    case wrongDimensions(expected: Int, actual: Int)
    /// A vector holds NaN or infinity, or (for a query) is all zeros, which has no cosine
    /// distance to anything.
    case invalidVector(String)
    /// The database has no `chunks` table yet: migrations have not run.
    case schemaMissing
    /// Re-embedding got a different number of vectors back than it sent texts.
    case embeddingCountMismatch(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .unsupportedDimensions(let dimensions):
            "\(dimensions) dimensions cannot be indexed: pgvector's HNSW index takes 1 to \(VectorSQL.maximumDimensions)"
        case .wrongDimensions(let expected, let actual):
            "expected a vector of \(expected) dimensions, got \(actual)"
        case .invalidVector(let reason):
            "invalid vector: \(reason)"
        case .schemaMissing:
            "the database has no chunks table: run the migrations first (`recall db migrate`)"
        case .embeddingCountMismatch(let expected, let actual):
            "the embedding function returned \(actual) vectors for \(expected) texts"
        }
    }
}
