import Crypto
import Foundation

/// One piece of a document, sized for embedding.
public struct TextChunk: Sendable, Equatable {
    public let ordinal: Int
    public let text: String
    /// SHA-256 of the text, lowercase hex: identical chunks are stored and embedded once.
    public let contentHash: String
}

/// Splits text into chunks of about ``targetCharacters``, with ``overlapCharacters`` of the end
/// of one chunk repeated at the start of the next so that a sentence cut by a boundary is still
/// found whole.
///
/// Boundaries fall between paragraphs where possible, then between sentences, and only inside a
/// sentence (between words) when one sentence is longer than a whole chunk.
public struct Chunker: Sendable {
    public let targetCharacters: Int
    public let overlapCharacters: Int

    public init(targetCharacters: Int = 1200, overlapCharacters: Int = 200) {
        precondition(targetCharacters >= 50, "chunks under 50 characters carry too little meaning to embed")
        precondition(overlapCharacters >= 0 && overlapCharacters < targetCharacters / 2, "overlap must be under half the chunk size")
        self.targetCharacters = targetCharacters
        self.overlapCharacters = overlapCharacters
    }

    public func chunk(_ text: String) -> [TextChunk] {
        var chunks: [[Unit]] = []
        var current: [Unit] = []
        var length = 0
        // Units carried over from the previous chunk never make a chunk on their own.
        var freshUnits = 0
        for unit in units(of: text) {
            let added = unit.length + (current.isEmpty ? 0 : (unit.startsParagraph ? 2 : 1))
            if length + added > targetCharacters, freshUnits > 0 {
                chunks.append(current)
                current = overlap(after: current)
                length = Self.length(of: current)
                freshUnits = 0
            }
            current.append(unit)
            length += unit.length + (current.count == 1 ? 0 : (unit.startsParagraph ? 2 : 1))
            freshUnits += 1
        }
        if freshUnits > 0 { chunks.append(current) }
        return chunks.enumerated().map { index, units in
            let text = Self.join(units)
            return TextChunk(ordinal: index, text: text, contentHash: Self.hash(text))
        }
    }

    /// The trailing units of a finished chunk, up to ``overlapCharacters``, to open the next one.
    private func overlap(after units: [Unit]) -> [Unit] {
        var carried: [Unit] = []
        var length = 0
        for unit in units.reversed() {
            let added = unit.length + (carried.isEmpty ? 0 : 1)
            guard length + added <= overlapCharacters else { break }
            carried.insert(Unit(text: unit.text, length: unit.length, startsParagraph: false), at: 0)
            length += added
        }
        return carried
    }

    struct Unit {
        let text: String
        /// `text.count`, counted once: counting Characters walks the whole string.
        let length: Int
        let startsParagraph: Bool

        init(text: String, length: Int? = nil, startsParagraph: Bool) {
            self.text = text
            self.length = length ?? text.count
            self.startsParagraph = startsParagraph
        }
    }

    /// Paragraphs that fit; otherwise their sentences; otherwise word-bounded pieces.
    func units(of text: String) -> [Unit] {
        var units: [Unit] = []
        let paragraphs = Self.paragraphs(of: text).map(Self.collapsingWhitespace).filter { !$0.isEmpty }
        for paragraph in paragraphs {
            let length = paragraph.utf8.allSatisfy({ $0 < 0x80 }) ? paragraph.utf8.count : paragraph.count
            if length <= targetCharacters {
                units.append(Unit(text: paragraph, length: length, startsParagraph: true))
                continue
            }
            var first = true
            for sentence in Self.sentences(of: paragraph) {
                for piece in sentence.count <= targetCharacters ? [sentence] : Self.wordPieces(of: sentence, limit: targetCharacters) {
                    units.append(Unit(text: piece, startsParagraph: first))
                    first = false
                }
            }
        }
        return units
    }

    /// The text between blank lines (`\n\n`), as `components(separatedBy:)` cuts it, without
    /// Foundation's string search (a measurable share of ingest time).
    static func paragraphs(of text: String) -> [Substring] {
        let scalars = text.unicodeScalars
        var paragraphs: [Substring] = []
        var start = scalars.startIndex
        var index = start
        var previous: Unicode.Scalar?
        while index != scalars.endIndex {
            let next = scalars.index(after: index)
            // A line feed is a Character of its own unless it ends a "\r\n", which is one Character
            // and so never the start of a "\n\n" match.
            if scalars[index] == "\n", previous != "\r", next != scalars.endIndex, scalars[next] == "\n" {
                paragraphs.append(Substring(scalars[start..<index]))
                start = scalars.index(after: next)
                index = start
                previous = "\n"
            } else {
                previous = scalars[index]
                index = next
            }
        }
        paragraphs.append(Substring(scalars[start...]))
        return paragraphs
    }

    /// The paragraph with each run of white space made one space, and none at either end.
    ///
    /// Most paragraphs already are (ASCII, single spaces between words), and are returned as they
    /// are without walking their Characters.
    static func collapsingWhitespace(_ paragraph: Substring) -> String {
        var previousWasSpace = true   // a space at the start is not clean
        var clean = true
        for byte in paragraph.utf8 {
            if byte >= 0x80 || (9...13).contains(byte) || (byte == 32 && previousWasSpace) {
                clean = false
                break
            }
            previousWasSpace = byte == 32
        }
        if clean && !previousWasSpace { return String(paragraph) }
        return paragraph.split(whereSeparator: isWhitespace).joined(separator: " ")
    }

    /// `Character.isWhitespace`, answered without a Unicode property lookup for ASCII.
    static func isWhitespace(_ character: Character) -> Bool {
        if let ascii = character.asciiValue { return ascii == 32 || (9...13).contains(ascii) }
        return character.isWhitespace
    }

    /// The Character count of ``join(_:)``'s result.
    /// (Units are never empty, so every unit after the first brings its separator.)
    static func length(of units: [Unit]) -> Int {
        let separators = units.dropFirst().reduce(0) { $0 + ($1.startsParagraph ? 2 : 1) }
        return units.reduce(separators) { $0 + $1.length }
    }

    /// Sentences end at `.`, `!` or `?` (optionally followed by a closing quote or bracket) before white space.
    static func sentences(of paragraph: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(paragraph)
        for (index, character) in characters.enumerated() {
            current.append(character)
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            let ends = ".!?".contains(character) || (("\"')]”’".contains(character)) && index > 0 && ".!?".contains(characters[index - 1]))
            if ends && next.isWhitespace {
                sentences.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { sentences.append(rest) }
        return sentences
    }

    static func wordPieces(of sentence: String, limit: Int) -> [String] {
        var pieces: [String] = []
        var current = ""
        for word in sentence.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > limit {
                pieces.append(current)
                current = ""
            }
            if word.count > limit {
                // A "word" longer than a chunk (a URL, a base64 blob) is cut where it must be.
                var rest = Substring(word)
                while rest.count > limit {
                    pieces.append(String(rest.prefix(limit)))
                    rest = rest.dropFirst(limit)
                }
                current = String(rest)
                continue
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func join(_ units: [Unit]) -> String {
        var text = ""
        for unit in units {
            if !text.isEmpty { text += unit.startsParagraph ? "\n\n" : " " }
            text += unit.text
        }
        return text
    }

    /// SHA-256, lowercase hex.
    public static func hash(_ text: String) -> String {
        // Not String(format:): it cost more than the rest of chunking put together (ingest profile).
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(text.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
