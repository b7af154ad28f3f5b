/// A glob pattern with the semantics of Redis `MATCH` and `KEYS`, for the in-process backend's
/// ``InProcessTTLCache/invalidate(pattern:)``.
///
/// Both backends must select exactly the same keys for the same pattern, so this follows Redis'
/// own matcher rather than shell globbing:
///
/// - `*` matches any run of bytes, including none and including `:` (there are no path segments);
/// - `?` matches exactly one byte;
/// - `[abc]`, `[a-z]` and `[^abc]` match one byte in (or not in) a set; `\` inside brackets makes
///   the next byte literal; `[]` matches nothing; an unclosed `[` runs to the end of the pattern;
/// - `\x` matches `x` literally, and a trailing `\` matches a backslash;
/// - matching is case-sensitive and anchored at both ends.
///
/// Like Redis it works on UTF-8 bytes, so `?` matches one byte, not one character. Patterns are
/// compiled once, so matching one pattern against every key of a large cache does no re-parsing,
/// and the matcher backtracks only to the last `*`, so no pattern can take exponential time.
public struct GlobPattern: Sendable, Hashable {
    /// The pattern as written.
    public let pattern: String
    private let tokens: [Token]

    /// Compiles `pattern`. Every string is a valid pattern, as in Redis.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.tokens = Self.compile(Array(pattern.utf8))
    }

    /// Whether the whole of `string` matches the pattern.
    public func matches(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { matches(bytes: $0) }
    }

    /// `literal` with every character that is special in a pattern (`*`, `?`, `[`, `]`, `\`)
    /// escaped by a backslash, so that it matches only itself.
    public static func escape(_ literal: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(literal.utf8.count)
        for character in literal.unicodeScalars {
            if specialCharacters.contains(character) { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(character)
        }
        return escaped
    }

    static let specialCharacters: Set<Unicode.Scalar> = ["*", "?", "[", "]", "\\"]

    private func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var tokenIndex = 0
        var byteIndex = 0
        // Where to resume after the most recent `*` if the bytes after it fail to match: the
        // star then swallows one more byte. Only the last star matters, which is what keeps the
        // matcher linear in practice and quadratic at worst.
        var starToken = -1
        var starByte = 0
        while byteIndex < bytes.count {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starByte = byteIndex
                    tokenIndex += 1
                    continue
                case let token where token.matches(bytes[byteIndex]):
                    tokenIndex += 1
                    byteIndex += 1
                    continue
                default:
                    break
                }
            }
            guard starToken >= 0 else { return false }
            starByte += 1
            byteIndex = starByte
            tokenIndex = starToken + 1
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    private enum Token: Sendable, Hashable {
        case literal(UInt8)
        case anyByte
        case anyRun
        case set(negated: Bool, ranges: [ClosedRange<UInt8>])

        func matches(_ byte: UInt8) -> Bool {
            switch self {
            case .literal(let literal): literal == byte
            case .anyByte: true
            case .anyRun: false
            case .set(let negated, let ranges): ranges.contains { $0.contains(byte) } != negated
            }
        }
    }

    private static func compile(_ pattern: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < pattern.count {
            let byte = pattern[index]
            index += 1
            switch byte {
            case UInt8(ascii: "*"):
                // Consecutive stars match the same as one; folding them keeps backtracking short.
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case UInt8(ascii: "?"):
                tokens.append(.anyByte)
            case UInt8(ascii: "\\"):
                if index < pattern.count {
                    tokens.append(.literal(pattern[index]))
                    index += 1
                } else {
                    tokens.append(.literal(byte))
                }
            case UInt8(ascii: "["):
                tokens.append(compileSet(pattern, from: &index))
            default:
                tokens.append(.literal(byte))
            }
        }
        return tokens
    }

    /// Reads a bracket expression whose `[` has been consumed, leaving `index` after its `]`.
    private static func compileSet(_ pattern: [UInt8], from index: inout Int) -> Token {
        var negated = false
        if index < pattern.count, pattern[index] == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt8>] = []
        while index < pattern.count {
            var low = pattern[index]
            if low == UInt8(ascii: "]") {
                index += 1
                break
            }
            if low == UInt8(ascii: "\\"), index + 1 < pattern.count {
                index += 1
                low = pattern[index]
                index += 1
                ranges.append(low...low)
            } else if index + 2 < pattern.count, pattern[index + 1] == UInt8(ascii: "-") {
                // Redis accepts a reversed range such as `[z-a]` and treats it as `[a-z]`.
                let high = pattern[index + 2]
                ranges.append(min(low, high)...max(low, high))
                index += 3
            } else {
                ranges.append(low...low)
                index += 1
            }
        }
        return .set(negated: negated, ranges: ranges)
    }
}
