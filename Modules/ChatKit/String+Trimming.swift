import Foundation

extension String {
    /// The string without leading and trailing white space and newlines: the same as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without Foundation's cost when there is
    /// nothing to trim (a string that starts and ends with a visible ASCII character, as typed
    /// questions and names do).
    package func trimmingWhitespace() -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if Self.isVisibleASCII(first), Self.isVisibleASCII(last) { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the string has at most `limit` characters, counting them only when its UTF-8
    /// length does not settle it (a character is at least one byte).
    package func hasAtMost(_ limit: Int) -> Bool {
        utf8.count <= limit || count <= limit
    }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte)
    }
}
