/// A document to store, without its chunks.
public struct NewDocument: Sendable, Equatable {
    /// Where it came from: a file name or URL.
    public var source: String
    public var title: String
    /// A hash of the whole extracted text, computed by the caller; documents are deduplicated by it.
    public var contentHash: String
    /// Free-form labels, stored as a JSON object and matched by ``SearchFilter/metadata``.
    public var metadata: [String: String]
    /// The tenant that owns it; `""` is the default tenant.
    public var tenant: String

    public init(source: String, title: String, contentHash: String, metadata: [String: String] = [:], tenant: String = "") {
        self.source = source
        self.title = title
        self.contentHash = contentHash
        self.metadata = metadata
        self.tenant = tenant
    }
}

/// One chunk of a ``NewDocument``, with its embedding.
public struct NewChunk: Sendable, Equatable {
    public var content: String
    /// A hash of ``content``, computed by the caller.
    public var contentHash: String
    /// The embedding of ``content``; its length must be the store's dimension.
    public var vector: [Float]

    public init(content: String, contentHash: String, vector: [Float]) {
        self.content = content
        self.contentHash = contentHash
        self.vector = vector
    }
}
