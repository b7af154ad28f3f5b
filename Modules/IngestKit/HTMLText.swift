import Foundation

/// Text from HTML: scripts, styles and other non-content elements are dropped, block elements
/// become paragraph breaks, and character references are decoded.
///
/// This is a tolerant scanner, not a validating parser: real-world pages are rarely well formed,
/// and all retrieval needs is their readable text.
enum HTMLText {
    /// Elements whose content is never text a reader sees.
    static let skippedElements: Set<String> = ["script", "style", "noscript", "template", "svg", "iframe", "object"]
    /// Elements that start a new paragraph.
    static let blockElements: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
        "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "main", "nav", "aside",
    ]

    static func extract(_ html: String) -> ExtractedText {
        var output = ""
        var title: String?
        var skipping: String?
        var inTitle = false
        var titleText = ""
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<" {
                if html[index...].hasPrefix("<!--") {
                    let end = html.range(of: "-->", range: index..<html.endIndex)?.upperBound ?? html.endIndex
                    index = end
                    continue
                }
                guard let close = html[index...].firstIndex(of: ">") else { break }
                let tag = Tag(html[html.index(after: index)..<close])
                index = html.index(after: close)
                if let skipped = skipping {
                    if tag.isClosing && tag.name == skipped { skipping = nil }
                    continue
                }
                if tag.name == "title" {
                    inTitle = !tag.isClosing
                    if tag.isClosing, title == nil {
                        let decoded = decodeEntities(titleText).trimmingCharacters(in: .whitespacesAndNewlines)
                        title = decoded.isEmpty ? nil : collapseSpaces(decoded)
                    }
                    continue
                }
                if !tag.isClosing, !tag.isSelfClosing, skippedElements.contains(tag.name) {
                    skipping = tag.name
                    continue
                }
                if blockElements.contains(tag.name) { output += "\n\n" }
                continue
            }
            if skipping == nil {
                if inTitle { titleText.append(character) } else { output.append(character) }
            }
            index = html.index(after: index)
        }
        let paragraphs = decodeEntities(output)
            .components(separatedBy: "\n\n")
            .map { collapseSpaces($0) }
            .filter { !$0.isEmpty }
        return ExtractedText(title: title, text: paragraphs.joined(separator: "\n\n"))
    }

    struct Tag {
        let name: String
        let isClosing: Bool
        let isSelfClosing: Bool

        init(_ body: Substring) {
            isClosing = body.hasPrefix("/")
            isSelfClosing = body.hasSuffix("/")
            name = body.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber }).lowercased()
        }
    }

    static func collapseSpaces(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "mdash": "—", "ndash": "–", "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
        "euro": "€", "pound": "£", "eacute": "é", "egrave": "è", "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß",
    ]

    /// Decodes `&name;`, `&#NNN;` and `&#xHH;`; unknown references stay as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            let name = text[text.index(after: index)..<semicolon]
            if let decoded = decodeReference(name) {
                result += decoded
                index = text.index(after: semicolon)
            } else {
                result.append(character)
                index = text.index(after: index)
            }
        }
        return result
    }

    private static func decodeReference(_ name: Substring) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        if name.hasPrefix("#") {
            return UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return namedEntities[String(name)]
    }
}
