/// The database stores vectors of a different size than `EMBEDDING_DIM` asks for.
///
/// Searching would fail on every query (pgvector refuses to compare vectors of different sizes),
/// and mixing sizes would make the stored vectors meaningless, so start-up stops here and the
/// message tells the operator both ways out.
public struct DimensionMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dimension of `chunks.content_vector` in the database.
    public let stored: Int
    /// The dimension the process is configured with (`EMBEDDING_DIM`).
    public let configured: Int

    public init(stored: Int, configured: Int) {
        self.stored = stored
        self.configured = configured
    }

    public var description: String {
        "The database stores \(stored)-dimensional vectors (chunks.content_vector is vector(\(stored))) "
            + "but EMBEDDING_DIM is \(configured). Either set EMBEDDING_DIM=\(stored) to keep using the stored "
            + "vectors, or re-embed every chunk at the new size with `recall db reembed --dim \(configured)`."
    }
}
