/// A chunk found by a search, with the document it belongs to.
public struct SearchHit: Sendable, Equatable {
    public var chunkID: Int64
    public var documentID: Int64
    public var title: String
    public var source: String
    /// The chunk's position in its document, from 0.
    public var ordinal: Int
    public var content: String
    /// Cosine similarity, `1 - cosine distance`: 1 for the same direction, 0 for orthogonal.
    public var score: Double

    public init(chunkID: Int64, documentID: Int64, title: String, source: String, ordinal: Int, content: String, score: Double) {
        self.chunkID = chunkID
        self.documentID = documentID
        self.title = title
        self.source = source
        self.ordinal = ordinal
        self.content = content
        self.score = score
    }
}
