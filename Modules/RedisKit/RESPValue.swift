/// A reply from Redis (RESP2, the only protocol hiredis 0.14 speaks).
///
/// Bulk strings are kept as bytes because Redis values are binary-safe; ``string`` decodes them
/// as UTF-8 when that is what you expect.
public enum RESPValue: Sendable, Equatable {
    /// A nil bulk string or nil array (`GET` of a missing key).
    case null
    /// A simple status reply such as `OK` or `PONG`.
    case status(String)
    /// An error reply such as `ERR unknown command`. ``RedisClient/send(_:)`` throws these;
    /// ``RedisClient/pipeline(_:)`` returns them in place.
    case error(String)
    /// An integer reply.
    case integer(Int)
    /// A bulk string, byte for byte.
    case bulk([UInt8])
    /// An array reply, possibly nested.
    case array([RESPValue])

    /// Bulk and status replies as text (invalid UTF-8 is repaired with U+FFFD); `nil` otherwise.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// Integer replies, and bulk or status replies that hold a decimal integer; `nil` otherwise.
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The elements of an array reply; `nil` for every other reply.
    public var array: [RESPValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The bytes of a bulk reply; `nil` for every other reply.
    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    /// True for ``null``.
    public var isNull: Bool { self == .null }
}
