#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as the SSRF guard sees it.
///
/// Parsing is strict (`inet_pton`): `"127.0.0.1"` and `"::1"` parse, `"0x7f.1"` and
/// `"2130706433"` do not. Those lenient forms are never trusted as text anyway: host names go
/// through the resolver, and whatever address comes back is what gets checked.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// True for a 4-byte address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// Parses dotted-quad IPv4 or textual IPv6 (brackets allowed: `[::1]`).
    public init?(_ text: some StringProtocol) {
        var string = String(text)
        if string.hasPrefix("["), string.hasSuffix("]") { string = String(string.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// An address from its network-order bytes; nil unless there are exactly 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`); nil otherwise.
    ///
    /// A socket to `::ffff:127.0.0.1` reaches 127.0.0.1, so the guard judges the mapped form as
    /// the IPv4 address it stands for, and an allowlisted IPv4 network admits it too.
    var unmappedIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else {
            return nil
        }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// The canonical text: dotted quad, or RFC 5952 IPv6 (`inet_ntop`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The text libcurl expects in a `CURLOPT_RESOLVE` entry: IPv6 in brackets.
    var resolveEntryText: String { isIPv4 ? description : "[\(description)]" }
}
