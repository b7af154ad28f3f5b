import Foundation

/// The payload of ``TaskName/processDocument``: the seed's `process_document(job_id, document_data)`.
///
/// Encoded with the seed's snake_case field names, so a job enqueued by another producer reads
/// the same:
///
/// ```json
/// {"job_id": "…", "document_data": {"filename": "handbook.pdf", "content_type": "application/pdf",
///  "content": "JVBERi0…", "content_encoding": "base64", "metadata": {"team": "hr"}}}
/// ```
public struct ProcessDocumentPayload: Codable, Sendable, Equatable {
    /// The uploaded document.
    public struct DocumentData: Codable, Sendable, Equatable {
        /// The name the document was uploaded under.
        public var filename: String
        /// Its media type, such as `application/pdf` or `text/markdown`.
        public var contentType: String
        /// The document's bytes: base64 or plain text, as ``contentEncoding`` says.
        public var content: String
        /// How ``content`` is encoded.
        public var contentEncoding: ContentEncoding
        /// Caller-supplied labels stored with the document.
        public var metadata: [String: String]

        /// A document given as raw bytes, stored base64-encoded.
        public init(filename: String, contentType: String, bytes: Data, metadata: [String: String] = [:]) {
            self.filename = filename
            self.contentType = contentType
            self.content = bytes.base64EncodedString()
            self.contentEncoding = .base64
            self.metadata = metadata
        }

        /// A document given as text, stored as it is (smaller than base64 for text formats).
        public init(filename: String, contentType: String, text: String, metadata: [String: String] = [:]) {
            self.filename = filename
            self.contentType = contentType
            self.content = text
            self.contentEncoding = .text
            self.metadata = metadata
        }

        /// The document's bytes, decoded from ``content``.
        ///
        /// - Throws: ``JobFailure/permanent(_:)`` when base64 content does not decode, because
        ///   retrying the same payload cannot fix it.
        public func bytes() throws -> Data {
            switch contentEncoding {
            case .text:
                return Data(content.utf8)
            case .base64:
                guard let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                    throw JobFailure.permanent("document_data.content of \(filename) is not valid base64")
                }
                return data
            }
        }

        enum CodingKeys: String, CodingKey {
            case filename
            case contentType = "content_type"
            case content
            case contentEncoding = "content_encoding"
            case metadata
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            filename = try container.decode(String.self, forKey: .filename)
            contentType = try container.decode(String.self, forKey: .contentType)
            content = try container.decode(String.self, forKey: .content)
            // The seed's producers sent base64 without saying so.
            contentEncoding = try container.decodeIfPresent(ContentEncoding.self, forKey: .contentEncoding) ?? .base64
            metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        }
    }

    /// How ``DocumentData/content`` is encoded.
    public enum ContentEncoding: String, Codable, Sendable, Hashable {
        /// Base64 of the raw bytes (any format).
        case base64
        /// The text itself, for text formats.
        case text
    }

    /// The ingest job's id as the API reported it to the caller.
    public var jobID: String
    /// The document to ingest.
    public var documentData: DocumentData

    /// A payload for one document.
    public init(jobID: String, documentData: DocumentData) {
        self.jobID = jobID
        self.documentData = documentData
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case documentData = "document_data"
    }
}
