import Foundation

/// A document handed to ``IngestPipeline``: its content, where it came from and who owns it.
///
/// The format is taken from ``contentType`` when that names a supported type, else from the
/// extension of ``source`` (so an upload sent as `application/octet-stream` named `notes.md`
/// still reads as Markdown).
public struct IngestDocument: Sendable, Equatable {
    /// The document's content: raw bytes (UTF-8 text is expected) or text already decoded.
    public enum Content: Sendable, Equatable {
        case bytes(Data)
        case text(String)
    }

    public var content: Content
    /// The file name or URL it came from; stored with the document and shown with citations.
    public var source: String
    /// Its media type, such as `text/markdown`; nil to go by ``source``'s extension alone.
    public var contentType: String?
    /// A title to use when the text has none of its own (an HTML `<title>`, a Markdown `# heading`).
    public var title: String?
    /// Caller-supplied labels stored with the document.
    public var metadata: [String: String]
    /// The owning tenant; `""` is the default tenant.
    public var tenant: String

    public init(
        content: Content, source: String, contentType: String? = nil, title: String? = nil,
        metadata: [String: String] = [:], tenant: String = ""
    ) {
        self.content = content
        self.source = source
        self.contentType = contentType
        self.title = title
        self.metadata = metadata
        self.tenant = tenant
    }

    /// The format to extract with.
    ///
    /// - Throws: ``IngestError/unsupportedFormat(source:contentType:)`` when neither the content
    ///   type nor the file name's extension is one Recall reads.
    public func format() throws(IngestError) -> DocumentFormat {
        if let contentType, let format = DocumentFormat(contentType: contentType) { return format }
        let path = source.split(separator: "?", maxSplits: 1).first.map(String.init) ?? source
        if let format = DocumentFormat(filename: path) { return format }
        throw IngestError.unsupportedFormat(source: source, contentType: contentType)
    }

    var bytes: Data {
        switch content {
        case .bytes(let data): data
        case .text(let text): Data(text.utf8)
        }
    }
}
