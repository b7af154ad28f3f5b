import Foundation
import Testing
@testable import IngestKit

@Suite("Chunker")
struct ChunkerTests {
    /// Deterministic prose: numbered sentences, so order and coverage can be checked.
    static func prose(paragraphs: Int, sentencesEach: Int) -> String {
        (0..<paragraphs).map { p in
            (0..<sentencesEach).map { s in "Sentence \(p)-\(s) says something about topic \(p * 31 + s)." }.joined(separator: " ")
        }.joined(separator: "\n\n")
    }

    @Test("chunks stay near the target, cover every sentence in order, and overlap")
    func sizesCoverageOverlap() {
        let chunker = Chunker(targetCharacters: 300, overlapCharacters: 80)
        let text = Self.prose(paragraphs: 12, sentencesEach: 7)
        let chunks = chunker.chunk(text)
        #expect(chunks.count > 5)
        #expect(chunks.map(\.ordinal) == Array(0..<chunks.count))
        for chunk in chunks {
            #expect(chunk.text.count <= 300 + 80)
        }
        for p in 0..<12 {
            for s in 0..<7 {
                #expect(chunks.contains { $0.text.contains("Sentence \(p)-\(s) says") })
            }
        }
        // Consecutive chunks share text: the next starts with the previous one's last sentence.
        var overlapping = 0
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            let lastSentence = Chunker.sentences(of: previous.text.replacingOccurrences(of: "\n\n", with: " ")).last ?? ""
            if next.text.hasPrefix(lastSentence) { overlapping += 1 }
        }
        #expect(overlapping >= chunks.count / 2)
    }

    @Test("boundaries fall between sentences, never inside one, when sentences fit")
    func sentenceBoundaries() {
        let chunks = Chunker(targetCharacters: 200, overlapCharacters: 0).chunk(Self.prose(paragraphs: 1, sentencesEach: 30))
        for chunk in chunks {
            #expect(chunk.text.hasPrefix("Sentence "))
            #expect(chunk.text.hasSuffix("."))
        }
    }

    @Test("short paragraphs are packed together, separated by a blank line")
    func packsParagraphs() {
        let chunks = Chunker(targetCharacters: 500, overlapCharacters: 0).chunk("Alpha one.\n\nBeta two.\n\nGamma three.")
        #expect(chunks.count == 1)
        #expect(chunks.first?.text == "Alpha one.\n\nBeta two.\n\nGamma three.")
    }

    @Test("a sentence longer than a chunk is cut between words, and a giant word is cut anyway")
    func longSentence() {
        let words = (0..<200).map { "word\($0)" }.joined(separator: " ")
        let chunks = Chunker(targetCharacters: 100, overlapCharacters: 0).chunk(words + " " + String(repeating: "x", count: 250))
        #expect(chunks.allSatisfy { $0.text.count <= 100 })
        #expect(chunks.map(\.text).joined(separator: " ").contains("word0 word1"))
        #expect(chunks.contains { $0.text.hasSuffix("word199") || $0.text.contains("word199 ") })
    }

    @Test("empty and blank text give no chunks; hashes are SHA-256 of the text")
    func emptyAndHash() {
        #expect(Chunker().chunk("").isEmpty)
        #expect(Chunker().chunk("  \n\n  ").isEmpty)
        let chunk = Chunker().chunk("hello")
        // sha256("hello"), from `printf hello | sha256sum`.
        #expect(chunk.first?.contentHash == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    }

    /// Texts where a hand-written split could differ from Foundation's or from Character's rules.
    static let awkwardTexts = [
        "", "\n\n", "a\n\nb", "a\n\n\nb", "\n\n\n\na", "a\r\n\nb", "a\r\n\r\nb", "a\n \nb",
        "é\n\n\u{301}x", "tab\tand\u{00A0}nbsp\u{2003}em\u{85}nel\u{0B}vt\u{0C}ff\r\ncrlf", "👩‍👩‍👧\n\n日本語  text",
    ]

    @Test("paragraphs and white space are cut exactly as components(separatedBy:) and Character.isWhitespace cut them")
    func fastSplittingMatchesFoundation() {
        for text in Self.awkwardTexts {
            #expect(Chunker.paragraphs(of: text).map(String.init) == text.components(separatedBy: "\n\n"), "\(text.debugDescription)")
            for character in text {
                #expect(Chunker.isWhitespace(character) == character.isWhitespace, "\(character.unicodeScalars.map(\.value))")
            }
            for paragraph in text.components(separatedBy: "\n\n") + ["plain words", " lead", "trail ", "two  spaces", "tab\there"] {
                #expect(Chunker.collapsingWhitespace(Substring(paragraph))
                        == paragraph.split(whereSeparator: \.isWhitespace).joined(separator: " "), "\(paragraph.debugDescription)")
            }
        }
    }

    @Test("the running length of a chunk is the Character count of its text")
    func lengthsMatchJoinedText() {
        let text = Self.awkwardTexts.joined(separator: " ") + "\n\n" + Self.prose(paragraphs: 12, sentencesEach: 9)
        let chunker = Chunker(targetCharacters: 120, overlapCharacters: 40)
        let units = chunker.units(of: text)
        #expect(units.allSatisfy { $0.length == $0.text.count })
        for end in 1...units.count {
            let slice = Array(units[..<end])
            #expect(Chunker.length(of: slice) == Chunker.join(slice).count)
        }
        #expect(chunker.chunk(text).allSatisfy { $0.text.count <= 120 })
    }
}
