import Crypto
import Foundation

/// The cache key of a chat answer: a normalised question with its session and model, hashed.
///
/// ``hash`` is `sha256("<normalised question>|session:<id>|model:<m>")` in lowercase hex, cut to
/// 32 characters, with the session and model parts left out when empty. For ASCII questions with
/// single spaces it is byte for byte the seed's Python `cache_key_for_chat`, so keys written by
/// the Python service and by Recall agree.
///
/// The hash identifies the question; it does not scope it. Where an answer depends on more
/// (tenant, corpus generation), ``ChatKeyLayout`` puts those in the Redis key beside the hash.
public struct ChatCacheKey: Sendable, Hashable {
    /// The question after ``normalize(_:)``.
    public let question: String
    /// The chat session, or `""` for none. Used as given: ids are not normalised.
    public let sessionID: String
    /// The model name, or `""` for the default. Used as given.
    public let model: String
    /// The 32 lowercase hex characters that identify this key.
    public let hash: String

    /// Normalises `question` and computes the hash.
    public init(question: String, sessionID: String = "", model: String = "") {
        self.question = Self.normalize(question)
        self.sessionID = sessionID
        self.model = model
        self.hash = Self.hash(normalizedQuestion: self.question, sessionID: sessionID, model: model)
    }

    /// The question as the key sees it: trimmed, every run of white space folded to one space,
    /// lower-cased, in Unicode NFC.
    ///
    /// Two questions a person would call the same — differing in case, in spacing, or in how an
    /// accented letter is encoded (`é` as one scalar or as `e` plus a combining accent) — get the
    /// same key, so they share one cached answer. Lower-casing uses Unicode's default full case
    /// mapping, as Python's `str.lower()` does, except that a final capital sigma becomes `σ`
    /// rather than Python's context-dependent `ς`. NFC is applied last because lower-casing can
    /// produce decomposed text (`İ` becomes `i` plus a combining dot).
    public static func normalize(_ question: String) -> String {
        normalizeASCII(question) ?? normalizeUnicode(question)
    }

    /// The normalisation for any text.
    static func normalizeUnicode(_ question: String) -> String {
        var folded = ""
        folded.reserveCapacity(question.utf8.count)
        var pendingSpace = false
        for scalar in question.unicodeScalars {
            if scalar.properties.isWhitespace {
                // Leading white space is dropped, inner runs become one space, trailing is dropped.
                pendingSpace = !folded.isEmpty
                continue
            }
            if pendingSpace {
                folded.unicodeScalars.append(" ")
                pendingSpace = false
            }
            folded.unicodeScalars.append(scalar)
        }
        return folded.lowercased().precomposedStringWithCanonicalMapping
    }

    /// The same normalisation for pure ASCII text, byte by byte, or `nil` if `question` is not
    /// ASCII. Most questions are, and this path avoids Unicode property look-ups and Foundation's
    /// normaliser (ASCII text is already in NFC).
    static func normalizeASCII(_ question: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(question.utf8.count)
        var pendingSpace = false
        for byte in question.utf8 {
            switch byte {
            case 0x80...:
                return nil
            // The ASCII characters with Unicode's White_Space property: tab, LF, VT, FF, CR, space.
            case 0x09...0x0D, 0x20:
                pendingSpace = !bytes.isEmpty
            default:
                if pendingSpace {
                    bytes.append(0x20)
                    pendingSpace = false
                }
                // A–Z to a–z.
                bytes.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The seed's key for an already normalised question.
    static func hash(normalizedQuestion: String, sessionID: String, model: String) -> String {
        var material = normalizedQuestion
        if !sessionID.isEmpty { material += "|session:\(sessionID)" }
        if !model.isEmpty { material += "|model:\(model)" }
        var sha = SHA256()
        material.withUTF8 { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let digest = sha.finalize()
        // 32 hex characters are the first 16 bytes.
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        for byte in digest.prefix(16) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
