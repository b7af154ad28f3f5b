#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads the vectors out of Gemini's embedding answers without `JSONDecoder`.
///
/// Why it exists: the ingest benchmark measured `JSONDecoder` at about 0.7 ms per 768-float
/// vector (70 ms for one 100-text `batchEmbedContents` answer of about 1 MB), enough to keep
/// ingest far below what the API latency allows. This scanner walks the bytes once and gives
/// each number the correctly rounded `Float`, as `JSONDecoder` does (it calls `strtof`): most
/// through an exact `Double` fast path, the rest through `strtof` on a NUL-terminated copy, so
/// the values are bit-for-bit the ones `JSONDecoder` gives.
///
/// It is deliberately narrow: whitespace anywhere, members in any order and unknown members of
/// any JSON type (such as `usageMetadata`) are fine, but anything else it does not fully
/// understand — invalid JSON, non-ASCII or surrogate escapes in strings, `null` values, a repeated
/// key, numbers that do not fit a `Float`, deep nesting — makes it answer `nil`, and the caller
/// decodes with `JSONDecoder` as before, so errors and their messages do not change.
struct EmbeddingResponseScanner {
    /// `embedContent`'s `{"embedding":{"values":[…]}}`, or nil to fall back to `JSONDecoder`.
    static func embedding(in body: Data) -> [Float]? {
        scan(body, for: .embedding) { scanner in scanner.readEmbedding().map { [$0] } }?.first
    }

    /// `batchEmbedContents`' `{"embeddings":[{"values":[…]}, …]}`, or nil to fall back.
    static func embeddings(in body: Data) -> [[Float]]? {
        scan(body, for: .embeddings) { scanner in scanner.readEmbeddingList() }
    }

    /// Reads the top-level object: `read` takes the value of `wanted`, every other member is
    /// skipped; a missing or repeated `wanted` falls back.
    private static func scan(
        _ body: Data, for wanted: Key, read: (inout EmbeddingResponseScanner) -> [[Float]]?
    ) -> [[Float]]? {
        body.withUnsafeBytes { bytes -> [[Float]]? in
            var scanner = EmbeddingResponseScanner(bytes: bytes)
            var found: [[Float]]?
            let complete = scanner.readObject { scanner, key in
                guard key == wanted else { return scanner.skipValue(depth: 1) }
                guard found == nil, let vectors = read(&scanner) else { return false }
                found = vectors
                return true
            }
            guard complete else { return nil }
            scanner.skipWhitespace()
            guard scanner.position == bytes.count else { return nil }
            return found
        }
    }

    /// The keys this scanner reads; any other is skipped.
    private enum Key {
        case embedding, embeddings, values, other
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    /// The length of the last vector, to size the next one in one allocation.
    private var expectedCount = 0

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private static let maximumDepth = 32
    private static let maximumNumberLength = 63

    // MARK: The two shapes

    private mutating func readEmbeddingList() -> [[Float]]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "[")) else { return nil }
        var vectors: [[Float]] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return vectors }
        while true {
            guard let values = readEmbedding() else { return nil }
            vectors.append(values)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? vectors : nil
        }
    }

    /// One `{"values":[…]}` (other members skipped).
    private mutating func readEmbedding() -> [Float]? {
        var values: [Float]?
        let complete = readObject { scanner, key in
            guard key == .values else { return scanner.skipValue(depth: 2) }
            guard values == nil else { return false }
            values = scanner.readFloats()
            return values != nil
        }
        return complete ? values : nil
    }

    private mutating func readFloats() -> [Float]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "[")) else { return nil }
        var values: [Float] = []
        values.reserveCapacity(expectedCount)
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return values }
        while true {
            skipWhitespace()
            guard let value = readFloat() else { return nil }
            values.append(value)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { return nil }
            expectedCount = values.count
            return values
        }
    }

    // MARK: Objects and skipping

    /// Reads `{ "key": value, … }`, handing each key to `member`, which reads or skips the value
    /// and returns false to give up. Keys with escapes give up, because they might spell a known
    /// key.
    private mutating func readObject(_ member: (inout EmbeddingResponseScanner, Key) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = readKey() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            guard member(&self, key) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    private mutating func readKey() -> Key? {
        let start = position + 1
        guard skipString(allowEscapes: false) else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1])
        if name.elementsEqual("values".utf8) { return .values }
        if name.elementsEqual("embedding".utf8) { return .embedding }
        if name.elementsEqual("embeddings".utf8) { return .embeddings }
        return .other
    }

    /// Skips one JSON value, checking it as strictly as `JSONDecoder` would.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= Self.maximumDepth else { return false }
        skipWhitespace()
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return skipString(allowEscapes: true)
        case UInt8(ascii: "{"):
            return readObject { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return true }
            while true {
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                return consume(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "t"): return consumeLiteral("true")
        case UInt8(ascii: "f"): return consumeLiteral("false")
        case UInt8(ascii: "n"): return consumeLiteral("null")
        default:
            return numberEnd() != nil
        }
    }

    /// Skips a string starting at `"`: ASCII only; escapes (if allowed) must be valid JSON and
    /// not UTF-16 surrogates, which `JSONDecoder` checks for pairing.
    private mutating func skipString(allowEscapes: Bool) -> Bool {
        guard consume(UInt8(ascii: "\"")) else { return false }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard allowEscapes, position < bytes.count else { return false }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count else { return false }
                    var unit: UInt32 = 0
                    for hex in bytes[position..<position + 4] {
                        guard let digit = Self.hexValue(hex) else { return false }
                        unit = unit << 4 | digit
                    }
                    guard !(0xD800...0xDFFF).contains(unit) else { return false }
                    position += 4
                default:
                    return false
                }
            case 0x20..<0x80:
                continue
            default:
                return false
            }
        }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: Numbers

    /// A JSON number as a `Float`, exactly as `JSONDecoder` rounds it (`strtof`, correctly
    /// rounded); nil for one out of `Float`'s range, or not strict JSON.
    private mutating func readFloat() -> Float? {
        let start = position
        guard let end = numberEnd() else { return nil }
        if let value = clingerFloat(start, end) { return value }
        let length = end - start
        guard length <= Self.maximumNumberLength else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text -> Float? in
            let source = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            UnsafeMutableRawBufferPointer(text).copyMemory(from: source)
            text[length] = 0
            var parsedEnd: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtof(text.baseAddress!, &parsedEnd)
            // A different end means a locale with another decimal point; ERANGE an overflow or an
            // underflow, which JSONDecoder may judge differently: leave those to it.
            guard parsedEnd == text.baseAddress! + length, errno == 0, value.isFinite else { return nil }
            return value
        }
    }

    /// The common case without `strtof` (Clinger's fast path): a decimal mantissa of at most
    /// 2^53 and a power of ten up to 10^22 are exact `Double`s, so one division or multiplication
    /// gives the correctly rounded `Double`; rounding that to `Float` is then exact too unless the
    /// `Double` lies exactly halfway between two `Float`s (a closer midpoint would be a closer
    /// `Double`), which is left to `strtof`. Nil when the number is outside this path.
    private func clingerFloat(_ start: Int, _ end: Int) -> Float? {
        var index = start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var inFraction = false
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                break
            } else {
                let digit = UInt64(byte &- UInt8(ascii: "0"))
                if mantissa != 0 || digit != 0 {
                    guard significantDigits < 16 else { return nil }
                    mantissa = mantissa * 10 + digit
                    significantDigits += 1
                }
                if inFraction { exponent -= 1 }
            }
            index += 1
        }
        if index < end {
            index += 1
            var exponentSign = 1
            if bytes[index] == UInt8(ascii: "-") { exponentSign = -1; index += 1 } else if bytes[index] == UInt8(ascii: "+") { index += 1 }
            guard end - index <= 3 else { return nil }
            var written = 0
            while index < end {
                written = written * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
            exponent += exponentSign * written
        }
        guard mantissa <= 1 << 53, (-22...22).contains(exponent) else { return nil }
        let tens = Self.exactPowersOfTen[abs(exponent)]
        let double = exponent < 0 ? Double(mantissa) / tens : Double(mantissa) * tens
        // The 29 low fraction bits are what Float drops; exactly 1 followed by zeros is a tie.
        guard double.bitPattern & (1 << 29 - 1) != 1 << 28 else { return nil }
        let value = Float(double)
        return negative ? -value : value
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { power in
        (0..<power).reduce(1.0) { product, _ in product * 10 }
    }

    /// Moves past `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns the end, or nil.
    private mutating func numberEnd() -> Int? {
        _ = consume(UInt8(ascii: "-"))
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard skipDigits() else { return nil }
        }
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() else { return nil }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() else { return nil }
        }
        return position
    }

    /// Skips one or more digits; false if there is none.
    private mutating func skipDigits() -> Bool {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        return position > start
    }

    // MARK: Bytes

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
            .elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: count))
        if matches { position += count }
        return matches
    }
}
