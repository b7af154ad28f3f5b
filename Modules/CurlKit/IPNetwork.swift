/// A block of addresses in CIDR notation, such as `10.0.0.0/8` or `fd00::/8`.
///
/// Used for the operator's allowlist in ``URLPolicy`` and for the guard's table of
/// special-purpose ranges.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block (host bits cleared).
    public let address: IPAddress
    /// How many leading bits are fixed.
    public let prefixLength: Int

    /// Parses `address/prefix`, or a bare address as a single-address block.
    ///
    /// Host bits are cleared, so `10.1.2.3/8` means `10.0.0.0/8`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else { return nil }
            length = parsed
        }
        self.init(address: address, prefixLength: length)
    }

    /// A block from its first address and prefix length (host bits are cleared).
    public init(address: IPAddress, prefixLength: Int) {
        let maximum = address.bytes.count * 8
        let length = min(max(prefixLength, 0), maximum)
        var bytes = address.bytes
        for index in bytes.indices {
            let fixedBits = min(max(length - index * 8, 0), 8)
            bytes[index] &= fixedBits == 0 ? 0 : ~UInt8(0) << (8 - fixedBits)
        }
        self.address = IPAddress(bytes: bytes)!
        self.prefixLength = length
    }

    /// True when `candidate` is inside this block (always false across IPv4 and IPv6).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in address.bytes.indices where remaining > 0 {
            let bits = min(remaining, 8)
            let mask: UInt8 = ~UInt8(0) << (8 - bits)
            if candidate.bytes[index] & mask != address.bytes[index] { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
