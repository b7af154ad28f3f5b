import Foundation

/// Turns a document's bytes into the plain text that is chunked and embedded.
public enum TextExtractor {
    /// An extraction failure that says what was wrong with the input.
    public struct ExtractionError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Extracts text from `data` in `format`. The bytes must be UTF-8 (a leading BOM is dropped).
    public static func extract(_ data: Data, format: DocumentFormat) throws -> ExtractedText {
        guard var text = String(data: data, encoding: .utf8) else {
            throw ExtractionError(description: "the document is not UTF-8 text: convert it to UTF-8 and upload it again")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        switch format {
        case .plainText:
            return ExtractedText(title: nil, text: normalizeLineEndings(text))
        case .markdown:
            return MarkdownText.extract(normalizeLineEndings(text))
        case .html:
            return HTMLText.extract(text)
        }
    }

    static func normalizeLineEndings(_ text: String) -> String {
        // Most text has no carriage return at all; Foundation's search would copy it twice anyway.
        guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}

/// Text ready for chunking, with the document's own title when it has one.
public struct ExtractedText: Sendable, Equatable {
    public let title: String?
    /// Paragraphs separated by blank lines.
    public let text: String
}

/// Markdown keeps its prose; markup that carries no meaning for retrieval is dropped.
enum MarkdownText {
    static func extract(_ source: String) -> ExtractedText {
        var title: String?
        var lines: [String] = []
        var inFence = false
        for rawLine in source.components(separatedBy: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            if inFence {
                lines.append(rawLine)
                continue
            }
            if line.hasPrefix("#") {
                let heading = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
                if title == nil, line.hasPrefix("# ") { title = heading }
                // A heading is its own paragraph, so chunk boundaries fall on sections.
                lines.append("")
                lines.append(heading)
                lines.append("")
                continue
            }
            lines.append(stripInline(line))
        }
        return ExtractedText(title: title, text: lines.joined(separator: "\n"))
    }

    /// `[text](url)` → text, `**b**`/`*i*`/`` `c` `` → their text, list and quote markers dropped.
    static func stripInline(_ line: String) -> String {
        var text = line
        for marker in ["> ", "- ", "* ", "+ "] where text.hasPrefix(marker) {
            text.removeFirst(marker.count)
        }
        text = text.replacingOccurrences(of: #"!?\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(\*\*|__|`)"#, with: "", options: .regularExpression)
        return text
    }
}
