/// What ``IngestPipeline/ingest(_:progress:)`` did with one document; the result a job records.
public struct IngestReport: Sendable, Equatable, Codable {
    /// The stored document's id (the existing one when nothing changed).
    public let documentID: Int64
    /// The title it is stored under.
    public let title: String
    /// Chunks after removing repeats within the document.
    public let chunkCount: Int
    /// False when a document with the same content was already stored: nothing was added, and
    /// the corpus generation was not advanced.
    public let stored: Bool

    public init(documentID: Int64, title: String, chunkCount: Int, stored: Bool) {
        self.documentID = documentID
        self.title = title
        self.chunkCount = chunkCount
        self.stored = stored
    }

    enum CodingKeys: String, CodingKey {
        case documentID = "document_id"
        case title
        case chunkCount = "chunk_count"
        case stored
    }
}

/// How far one document's ingest has come: chunks embedded out of all its chunks.
public struct IngestProgress: Sendable, Equatable {
    public let embeddedChunks: Int
    public let totalChunks: Int

    public init(embeddedChunks: Int, totalChunks: Int) {
        self.embeddedChunks = embeddedChunks
        self.totalChunks = totalChunks
    }

    /// From 0 to 1; 1 for a document without chunks.
    public var fraction: Double {
        totalChunks == 0 ? 1 : Double(embeddedChunks) / Double(totalChunks)
    }
}
