/// Why an address is not on the public internet, in words for an error message.
///
/// The table follows the IANA special-purpose registries (RFC 6890 and successors). Anything a
/// server-side fetch could use to reach the machine itself, its network or its cloud provider's
/// internal services is here; addresses that are merely unroutable (documentation, benchmarking)
/// are refused too, because no legitimate document lives there.
enum AddressCategory: Sendable, Equatable, CustomStringConvertible {
    case unspecified
    case loopback
    case privateNetwork
    case sharedCGNAT
    case linkLocal
    case cloudMetadata
    case uniqueLocal
    case multicast
    case reserved(String)

    var description: String {
        switch self {
        case .unspecified: "an unspecified ('this network') address"
        case .loopback: "a loopback address"
        case .privateNetwork: "a private address"
        case .sharedCGNAT: "a carrier-grade NAT (shared, 100.64.0.0/10) address"
        case .linkLocal: "a link-local address"
        case .cloudMetadata: "the cloud metadata address (link-local)"
        case .uniqueLocal: "a unique-local (private IPv6) address"
        case .multicast: "a multicast address"
        case .reserved(let purpose): "a reserved address (\(purpose))"
        }
    }

    /// The category of a non-public address; nil for an address on the public internet.
    ///
    /// IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
    /// NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) are judged by that IPv4 address,
    /// because that is where the packets end up.
    static func of(_ address: IPAddress) -> AddressCategory? {
        if address.isIPv4 { return ofIPv4(address) }
        let bytes = address.bytes
        if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return .loopback }
        for (network, category) in ipv6Table where network.contains(address) {
            return category
        }
        for prefix in embeddedIPv4Prefixes where prefix.network.contains(address) {
            let start = prefix.offset
            return ofIPv4(IPAddress(bytes: Array(bytes[start..<start + 4]))!)
        }
        return nil
    }

    private static func ofIPv4(_ address: IPAddress) -> AddressCategory? {
        if address.bytes == [169, 254, 169, 254] { return .cloudMetadata }
        for (network, category) in ipv4Table where network.contains(address) {
            return category
        }
        return nil
    }

    private static let ipv4Table: [(IPNetwork, AddressCategory)] = table([
        ("0.0.0.0/8", .unspecified),
        ("10.0.0.0/8", .privateNetwork),
        ("100.64.0.0/10", .sharedCGNAT),
        ("127.0.0.0/8", .loopback),
        ("169.254.0.0/16", .linkLocal),
        ("172.16.0.0/12", .privateNetwork),
        ("192.0.0.0/24", .reserved("IETF protocol assignments")),
        ("192.0.2.0/24", .reserved("documentation")),
        ("192.88.99.0/24", .reserved("6to4 relay")),
        ("192.168.0.0/16", .privateNetwork),
        ("198.18.0.0/15", .reserved("benchmarking")),
        ("198.51.100.0/24", .reserved("documentation")),
        ("203.0.113.0/24", .reserved("documentation")),
        ("224.0.0.0/4", .multicast),
        ("240.0.0.0/4", .reserved("future use and broadcast")),
    ])

    private static let ipv6Table: [(IPNetwork, AddressCategory)] = table([
        ("64:ff9b:1::/48", .reserved("local-use NAT64")),
        ("100::/64", .reserved("discard-only")),
        ("2001::/32", .reserved("Teredo tunnelling")),
        ("2001:db8::/32", .reserved("documentation")),
        ("fc00::/7", .uniqueLocal),
        ("fe80::/10", .linkLocal),
        ("fec0::/10", .privateNetwork),
        ("ff00::/8", .multicast),
    ])

    private static func table(_ rows: [(String, AddressCategory)]) -> [(IPNetwork, AddressCategory)] {
        rows.map { (IPNetwork($0.0)!, $0.1) }
    }

    /// IPv6 prefixes whose addresses embed an IPv4 address, and the byte offset of that address.
    private static let embeddedIPv4Prefixes: [(network: IPNetwork, offset: Int)] = [
        (IPNetwork("::ffff:0:0/96")!, 12),
        (IPNetwork("::/96")!, 12),
        (IPNetwork("64:ff9b::/96")!, 12),
        (IPNetwork("2002::/16")!, 2),
    ]
}
