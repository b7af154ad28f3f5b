/// Which destinations an ``HTTPClient`` may connect to: the SSRF guard's rules.
///
/// Use ``unrestricted`` for destinations the operator configured (the Gemini base URL, a proxy
/// in front of it). Use ``publicInternetOnly`` for any URL a user supplied, such as a document
/// to ingest: loopback, private, link-local (cloud metadata), CGNAT, unique-local, multicast and
/// reserved addresses are refused, including their IPv4-mapped IPv6 forms.
///
/// The check is made on addresses, not on URL text: the host name is resolved first, every
/// address it resolves to must pass, libcurl is then pinned to exactly those addresses
/// (`CURLOPT_RESOLVE`) so a second DNS answer cannot change the target (DNS rebinding), the
/// address of every socket libcurl opens is checked again before it connects, and each redirect
/// hop goes through the same steps. A refusal happens before any byte is sent.
///
/// ```swift
/// let fetcher = HTTPClient(configuration: .init(urlPolicy: try .publicInternetOnly(allowing: ["wiki.internal", "10.20.0.0/16"])))
/// ```
public struct URLPolicy: Sendable, Equatable, CustomStringConvertible {
    enum Mode: Sendable, Equatable { case unrestricted, publicOnly }

    let mode: Mode
    /// Host names (lower-cased) that may be reached whatever they resolve to.
    public let allowedHosts: Set<String>
    /// Address blocks that may be reached even though they are not public.
    public let allowedNetworks: [IPNetwork]
    /// Only for tests of the socket-level check: skips the resolve-and-check step before the
    /// transfer, so the `CURLOPT_OPENSOCKETFUNCTION` hook has to refuse on its own.
    var checksBeforeConnecting = true
    /// Only for tests: answers for these names instead of `getaddrinfo` (an /etc/hosts overlay),
    /// to show that libcurl connects to the pinned addresses and never resolves on its own.
    var testHosts: [String: [IPAddress]] = [:]

    /// Any destination; only the scheme is restricted (http and https).
    public static let unrestricted = URLPolicy(mode: .unrestricted, allowedHosts: [], allowedNetworks: [])

    /// Public internet addresses only, with no exceptions.
    public static let publicInternetOnly = URLPolicy(mode: .publicOnly, allowedHosts: [], allowedNetworks: [])

    /// Public internet addresses, plus the listed exceptions.
    ///
    /// - Parameter allowlist: host names (`wiki.internal`: reachable whatever it resolves to, so
    ///   list only names whose DNS you control), addresses (`127.0.0.1`, `::1`) and CIDR blocks
    ///   (`10.20.0.0/16`).
    /// - Throws: ``HTTPClientError/Kind/invalidRequest`` for an entry that is neither.
    public static func publicInternetOnly(allowing allowlist: [String]) throws(HTTPClientError) -> URLPolicy {
        var hosts: Set<String> = []
        var networks: [IPNetwork] = []
        for raw in allowlist {
            let entry = raw.trimmingSpaces()
            if entry.isEmpty { continue }
            if let network = IPNetwork(entry) {
                networks.append(network)
            } else if entry.contains("/") || !entry.allSatisfy(Self.isHostNameCharacter) {
                throw HTTPClientError(.invalidRequest, "allowlist entry '\(entry)' is neither a host name, an IP address nor a CIDR block such as 10.0.0.0/8")
            } else {
                hosts.insert(entry.lowercased())
            }
        }
        return URLPolicy(mode: .publicOnly, allowedHosts: hosts, allowedNetworks: networks)
    }

    /// True when nothing but the scheme is checked.
    public var isUnrestricted: Bool { mode == .unrestricted }

    public var description: String {
        switch mode {
        case .unrestricted: return "unrestricted"
        case .publicOnly:
            let exceptions = allowedHosts.sorted() + allowedNetworks.map(\.description)
            return exceptions.isEmpty ? "public internet only" : "public internet only, plus \(exceptions.joined(separator: ", "))"
        }
    }

    /// True when `host` (as it appears in the URL, without brackets) is on the allowlist by name.
    func allowsHost(named host: String) -> Bool {
        mode == .unrestricted || allowedHosts.contains(host.lowercased())
    }

    /// Why `address` may not be reached, or nil when it may.
    func refusal(of address: IPAddress) -> AddressCategory? {
        guard mode == .publicOnly else { return nil }
        let judged = address.unmappedIPv4 ?? address
        if allowedNetworks.contains(where: { $0.contains(judged) || $0.contains(address) }) { return nil }
        return AddressCategory.of(address)
    }

    private static func isHostNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == ".")
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
