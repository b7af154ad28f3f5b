/// What an embedding will be used for; Gemini optimises the vector for it.
///
/// For retrieval, index chunks with ``retrievalDocument`` and embed questions with
/// ``retrievalQuery`` (or ``questionAnswering``); never mix task types on one side of an index.
/// Raw values are the API's `taskType` strings.
public enum EmbeddingTask: String, Sendable, Hashable, CaseIterable, Codable {
    case retrievalDocument = "RETRIEVAL_DOCUMENT"
    case retrievalQuery = "RETRIEVAL_QUERY"
    case semanticSimilarity = "SEMANTIC_SIMILARITY"
    case classification = "CLASSIFICATION"
    case clustering = "CLUSTERING"
    case questionAnswering = "QUESTION_ANSWERING"
    case factVerification = "FACT_VERIFICATION"
    case codeRetrievalQuery = "CODE_RETRIEVAL_QUERY"

    /// True for the one task whose requests may carry a document title.
    public var acceptsTitle: Bool { self == .retrievalDocument }
}
