import NIOCore

/// The members of a JSON object whose values are all strings or `null`, read without
/// `JSONDecoder`: the shape of nearly every chat request.
///
/// It answers `nil` for anything else — escapes, numbers, nesting, a name given twice, text
/// that is not JSON — and the caller then asks `JSONDecoder`, for the same value or the same
/// error message as before.
enum FlatJSONObject {
    /// The members of the readable bytes of `buffer`; `nil` when they are not such an object.
    static func members(of buffer: ByteBuffer) -> [String: String?]? {
        buffer.withUnsafeReadableBytes { members(of: $0) }
    }

    static func members(of bytes: UnsafeRawBufferPointer) -> [String: String?]? {
        var reader = Reader(bytes: bytes)
        var members: [String: String?] = [:]
        reader.skipSpace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        reader.skipSpace()
        if !reader.take(UInt8(ascii: "}")) {
            while true {
                reader.skipSpace()
                guard let name = reader.string() else { return nil }
                reader.skipSpace()
                guard reader.take(UInt8(ascii: ":")) else { return nil }
                reader.skipSpace()
                let value: String?
                if reader.takeNull() {
                    value = nil
                } else if let text = reader.string() {
                    value = text
                } else {
                    return nil
                }
                guard members.index(forKey: name) == nil else { return nil }
                members[name] = value
                reader.skipSpace()
                if reader.take(UInt8(ascii: ",")) { continue }
                guard reader.take(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        reader.skipSpace()
        return reader.atEnd ? members : nil
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func takeNull() -> Bool {
            guard bytes.count - index >= 4, zip(bytes[index..<index + 4], "null".utf8).allSatisfy({ $0 == $1 }) else { return false }
            index += 4
            return true
        }

        /// A string without escapes or control characters, in valid UTF-8.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var ascii = true
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            index += 1
            return ascii ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
        }
    }
}
