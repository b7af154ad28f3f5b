/// Why a document was not ingested, said so that the sender knows what to change.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither the content type nor the file name says a format Recall reads.
    case unsupportedFormat(source: String, contentType: String?)
    /// The bytes could not be read as text in their format.
    case unreadable(source: String, reason: String)
    /// Nothing is left to index once the markup is removed.
    case emptyDocument(source: String)
    /// The embedding provider failed; nothing was stored. `isTransient` tells whether trying
    /// again later may succeed (rate limits, outages, network), as opposed to configuration.
    case embeddingFailed(source: String, reason: String, isTransient: Bool)
    /// The vector store refused or failed; nothing was stored (the upsert is one transaction).
    case storeFailed(source: String, reason: String)

    /// True when the same input can never succeed, so a job should not be retried.
    public var isPermanent: Bool {
        switch self {
        case .unsupportedFormat, .unreadable, .emptyDocument: true
        case .embeddingFailed(_, _, let isTransient): !isTransient
        case .storeFailed: false
        }
    }

    public var description: String {
        switch self {
        case .unsupportedFormat(let source, let contentType):
            "\(source): unsupported format\(contentType.map { " '\($0)'" } ?? ""); send one of "
                + "\(DocumentFormat.supportedContentTypes), or name the file .txt, .md or .html"
        case .unreadable(let source, let reason):
            "\(source): \(reason)"
        case .emptyDocument(let source):
            "\(source): the document has no text to index (it is empty, or only markup); send a document with text in it"
        case .embeddingFailed(let source, let reason, _):
            "\(source): embedding failed, nothing was stored: \(reason)"
        case .storeFailed(let source, let reason):
            "\(source): storing failed, nothing was stored: \(reason)"
        }
    }
}
