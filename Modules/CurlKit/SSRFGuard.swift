#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies a ``URLPolicy`` to one hop of a transfer, on the worker thread that runs it.
///
/// Before the transfer: resolve the host with `getaddrinfo`, refuse if any address is not
/// allowed, and return the `CURLOPT_RESOLVE` entry that pins libcurl to exactly those addresses.
/// During the transfer, ``permits(_:)`` is asked again for every socket libcurl opens
/// (`CURLOPT_OPENSOCKETFUNCTION`), and afterwards for `CURLINFO_PRIMARY_IP`. The socket check
/// alone would stop a connection; the earlier steps make the refusal happen before libcurl starts,
/// with a message naming the host and the address.
struct SSRFGuard: Sendable {
    let policy: URLPolicy

    /// The outcome of the check before a hop.
    enum Clearance: Equatable {
        /// Nothing to enforce for this destination (unrestricted, or allowlisted by name).
        case unrestricted
        /// Connect only to these addresses; pin the host to them.
        case pinned([IPAddress])
    }

    /// Checks `url`'s destination. Blocks while the name resolves (on the worker thread).
    func clear(_ url: CurlURL) throws(HTTPClientError) -> Clearance {
        if policy.allowsHost(named: url.host) { return .unrestricted }
        if !policy.checksBeforeConnecting { return .pinned([]) }
        let addresses: [IPAddress]
        if let literal = IPAddress(url.host) {
            addresses = [literal]
        } else if let overlay = policy.testHosts[url.host.lowercased()] {
            addresses = overlay
        } else {
            addresses = try Self.resolve(url.host, port: url.port)
        }
        for address in addresses {
            if let category = policy.refusal(of: address) {
                throw Self.refusal(host: url.host, address: address, category: category, literal: url.hostIsAddress)
            }
        }
        return .pinned(addresses)
    }

    /// True when a socket to `address` may be opened under this hop's clearance.
    func permits(_ address: IPAddress, clearance: Clearance) -> Bool {
        switch clearance {
        case .unrestricted: return true
        case .pinned(let addresses):
            if addresses.contains(address) { return true }
            return policy.refusal(of: address) == nil
        }
    }

    /// The error for a refused address; it says what the address is and how to allow it.
    static func refusal(host: String, address: IPAddress, category: AddressCategory, literal: Bool) -> HTTPClientError {
        let subject = literal ? "\(address) is" : "\(host) resolves to \(address), which is"
        return HTTPClientError(
            .refused,
            "refused: \(subject) \(category); add it to the allowlist if this host is meant to be reachable"
        )
    }

    /// Every address `host` resolves to for TCP, in resolver order, without duplicates.
    static func resolve(_ host: String, port: Int) throws(HTTPClientError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            throw HTTPClientError(.couldNotResolve, "could not resolve host \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor?.pointee {
            defer { cursor = entry.ai_next }
            guard let socketAddress = entry.ai_addr else { continue }
            var address: IPAddress?
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    var raw = $0.pointee.sin_addr
                    return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
                }
            case AF_INET6:
                address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var raw = $0.pointee.sin6_addr
                    return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
                }
            default:
                break
            }
            if let address, !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else {
            throw HTTPClientError(.couldNotResolve, "could not resolve host \(host): no IPv4 or IPv6 address")
        }
        return addresses
    }
}
