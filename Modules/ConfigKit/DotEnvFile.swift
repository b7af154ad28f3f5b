import Foundation

/// A parsed `.env` file: `KEY=value` assignments in file order.
///
/// The grammar is the one operators expect from dotenv tools: blank lines and `#` comments,
/// an optional `export ` prefix, values that contain `=`, single quotes (literal), double quotes
/// (with `\n`, `\t`, `\"`, `\\` escapes), and `#` comments after an unquoted value when preceded
/// by white space. Windows line endings are accepted. Anything else is an error naming the file
/// and line, because a silently skipped line is a setting the operator believes is applied.
public struct DotEnvFile: Sendable, Equatable {
    /// One `KEY=value` line.
    public struct Assignment: Sendable, Equatable {
        public let key: String
        public let value: String
        public let line: Int
    }

    /// A line that cannot be parsed, with what is wrong and how to write it instead.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let reason: String
        public var description: String { "\(path):\(line): \(reason)" }
    }

    public let path: String
    public let assignments: [Assignment]

    /// Values by key; a key assigned twice keeps its last value, as a shell would.
    public var values: [String: String] {
        var result: [String: String] = [:]
        for assignment in assignments { result[assignment.key] = assignment.value }
        return result
    }

    /// Reads and parses the file at `path`; returns nil when it does not exist.
    public static func load(path: String) throws -> DotEnvFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyntaxError(path: path, line: 0, reason: "cannot be read: check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SyntaxError(path: path, line: 0, reason: "is not UTF-8 text: save it as UTF-8")
        }
        return try DotEnvFile(parsing: text, path: path)
    }

    /// Parses `text`; every malformed line is reported, not only the first.
    public init(parsing text: String, path: String = ".env") throws {
        self.path = path
        var assignments: [Assignment] = []
        var errors: [SyntaxError] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                assignments.append(try Self.parseAssignment(trimmed, line: lineNumber))
            } catch {
                let reason = (error as? LineError)?.message ?? String(describing: error)
                errors.append(SyntaxError(path: path, line: lineNumber, reason: reason))
            }
        }
        if let first = errors.first {
            throw errors.count == 1 ? first : SyntaxError(
                path: first.path, line: first.line,
                reason: errors.map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
            )
        }
        self.assignments = assignments
    }

    private struct LineError: Error { let message: String }

    private static func parseAssignment(_ text: String, line: Int) throws -> Assignment {
        var rest = Substring(text)
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            rest = rest.dropFirst("export".count).drop(while: { $0 == " " || $0 == "\t" })
        }
        guard let equals = rest.firstIndex(of: "=") else {
            throw LineError(message: "expected KEY=value, found `\(preview(rest))`")
        }
        let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
        guard isValidKey(key) else {
            throw LineError(
                message: "`\(preview(Substring(key)))` is not a variable name: use letters, digits and _ and start with a letter or _"
            )
        }
        let rawValue = rest[rest.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
        let value = try parseValue(rawValue)
        return Assignment(key: key, value: value, line: line)
    }

    private static func parseValue(_ raw: Substring) throws -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: an inline comment starts at a `#` preceded by white space.
            var value = ""
            var previous: Character = " "
            for character in raw {
                if character == "#" && (previous == " " || previous == "\t") { break }
                value.append(character)
                previous = character
            }
            return value.trimmingCharacters(in: .whitespaces)
        }
        var value = ""
        var index = raw.index(after: raw.startIndex)
        var closed = false
        while index < raw.endIndex {
            let character = raw[index]
            if character == quote { closed = true; break }
            if quote == "\"" && character == "\\" {
                let next = raw.index(after: index)
                if next < raw.endIndex {
                    switch raw[next] {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    default: value.append("\\"); value.append(raw[next])
                    }
                    index = raw.index(after: next)
                    continue
                }
            }
            value.append(character)
            index = raw.index(after: index)
        }
        guard closed else {
            throw LineError(message: "the value opens a \(quote) quote that is never closed on this line: close it, or drop the quote")
        }
        let trailing = raw[raw.index(after: index)...].trimmingCharacters(in: .whitespaces)
        guard trailing.isEmpty || trailing.hasPrefix("#") else {
            throw LineError(message: "unexpected text after the closing quote: `\(preview(Substring(trailing)))`")
        }
        return value
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Shows the first word of a bad line, never what follows it: that may be a secret.
    private static func preview(_ text: Substring) -> String {
        let word = text.prefix(while: { $0 != " " && $0 != "\t" }).prefix(24)
        return word.count < text.count ? word + " …" : String(word)
    }
}
