#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value for a prepared statement: text in PostgreSQL's text format (nil is NULL), or bytes in
/// the parameter type's binary format.
///
/// Binary exists for vectors: writing 768 floats as text and having the server parse them back
/// costs more than the rest of a similarity search's client side.
public enum PostgresParameter: Sendable {
    case text(String?)
    case binary([UInt8])

    /// A pgvector `vector` in its binary format (`vector_recv`): the dimension count and a zero
    /// as big-endian 16-bit integers, then each float as a big-endian IEEE 754 single.
    public static func vector(_ values: [Float]) -> PostgresParameter {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + 4 * values.count)
        let count = UInt16(truncatingIfNeeded: values.count)
        bytes.append(UInt8(count >> 8))
        bytes.append(UInt8(count & 0xFF))
        bytes.append(0)
        bytes.append(0)
        for value in values {
            let bits = value.bitPattern
            bytes.append(UInt8(bits >> 24))
            bytes.append(UInt8(bits >> 16 & 0xFF))
            bytes.append(UInt8(bits >> 8 & 0xFF))
            bytes.append(UInt8(bits & 0xFF))
        }
        return .binary(bytes)
    }

    /// The text of a text parameter, for the NUL check; nil for NULL and binary values.
    var text: String? {
        if case .text(let text) = self { text } else { nil }
    }

    /// Calls `body` with libpq's three parallel arrays: value pointers, byte lengths and formats
    /// (0 text, 1 binary), all alive for the duration of the call.
    static func withWireValues<R>(
        _ parameters: [PostgresParameter],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { parameter in
            switch parameter {
            case .text(let text):
                return text.flatMap { strdup($0) }
            case .binary(let bytes):
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
                bytes.withUnsafeBytes { UnsafeMutableRawPointer(copy).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                return copy
            }
        }
        defer {
            for (parameter, copy) in zip(parameters, copies) {
                if case .binary = parameter { copy?.deallocate() } else { free(copy) }
            }
        }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let lengths: [Int32] = parameters.map { if case .binary(let bytes) = $0 { Int32(bytes.count) } else { 0 } }
        let formats: [Int32] = parameters.map { if case .binary = $0 { 1 } else { 0 } }
        return pointers.withUnsafeBufferPointer { pointers in
            lengths.withUnsafeBufferPointer { lengths in
                formats.withUnsafeBufferPointer { formats in
                    body(pointers.baseAddress, lengths.baseAddress, formats.baseAddress)
                }
            }
        }
    }
}
