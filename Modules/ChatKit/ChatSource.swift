import VectorStoreKit

/// One retrieved chunk an answer was grounded on; its position in ``ChatReply/sources`` (from 1)
/// is the `[n]` the answer cites.
///
/// JSON: `{"document_id", "title", "chunk", "score", "snippet"}`.
public struct ChatSource: Sendable, Codable, Equatable, Hashable {
    /// The document's id in the vector store.
    public var documentID: Int64
    /// The document's title.
    public var title: String
    /// The chunk's position in its document, from 0.
    public var chunk: Int
    /// Cosine similarity of the chunk to the question, 1 at best.
    public var score: Double
    /// The start of the chunk's text, white space folded, for display.
    public var snippet: String

    /// A source.
    public init(documentID: Int64, title: String, chunk: Int, score: Double, snippet: String) {
        self.documentID = documentID
        self.title = title
        self.chunk = chunk
        self.score = score
        self.snippet = snippet
    }

    /// The source for a search hit, its snippet cut to `snippetLength` characters.
    public init(hit: SearchHit, snippetLength: Int = 240) {
        let folded = hit.content.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let snippet = folded.count > snippetLength ? String(folded.prefix(snippetLength)) + "…" : folded
        self.init(documentID: hit.documentID, title: hit.title, chunk: hit.ordinal, score: hit.score, snippet: snippet)
    }

    enum CodingKeys: String, CodingKey {
        case documentID = "document_id"
        case title, chunk, score, snippet
    }
}
