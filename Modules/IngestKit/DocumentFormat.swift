/// The document formats Recall can extract text from.
public enum DocumentFormat: String, Sendable, CaseIterable, Codable {
    case plainText = "text/plain"
    case markdown = "text/markdown"
    case html = "text/html"

    /// The format of a MIME type such as `text/html; charset=utf-8`, or nil when unsupported.
    public init?(contentType: String) {
        let essence = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch essence {
        case "text/plain": self = .plainText
        case "text/markdown", "text/x-markdown": self = .markdown
        case "text/html", "application/xhtml+xml": self = .html
        default: return nil
        }
    }

    /// The format suggested by a file name's extension, or nil when unknown.
    public init?(filename: String) {
        guard let dot = filename.lastIndex(of: ".") else { return nil }
        switch filename[filename.index(after: dot)...].lowercased() {
        case "txt", "text": self = .plainText
        case "md", "markdown": self = .markdown
        case "html", "htm", "xhtml": self = .html
        default: return nil
        }
    }

    /// The content types accepted, for error messages.
    public static var supportedContentTypes: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
