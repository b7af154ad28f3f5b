import CCurl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The state of one hop that libcurl's callbacks write into (their `userdata`).
///
/// Lives on the worker thread for exactly one `curl_easy_perform`; the callbacks run on that
/// same thread, so nothing here needs a lock.
final class TransferContext {
    let limit: Int
    let job: TransferJob
    let ssrfGuard: SSRFGuard
    let clearance: SSRFGuard.Clearance

    private(set) var body = Data()
    private(set) var headers: [HTTPHeader] = []
    private var headerBytes = 0
    /// Set when the write callback stopped the transfer because of ``limit``.
    private(set) var exceededLimit = false
    /// Set when the socket hook refused an address.
    private(set) var refusedAddress: (address: IPAddress, category: AddressCategory)?

    init(limit: Int, job: TransferJob, ssrfGuard: SSRFGuard, clearance: SSRFGuard.Clearance) {
        self.limit = limit
        self.job = job
        self.ssrfGuard = ssrfGuard
        self.clearance = clearance
    }

    /// `CURLOPT_WRITEFUNCTION`: appends body bytes, or returns 0 to abort once the cap would be
    /// passed (libcurl then fails with `CURLE_WRITE_ERROR`).
    func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int {
        guard length > 0, let data else { return 0 }
        if body.count + length > limit {
            exceededLimit = true
            return 0
        }
        body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
        return length
    }

    /// `CURLOPT_HEADERFUNCTION`: one header line at a time. A status line starts a new response
    /// (after `100 Continue`), so the fields collected so far are dropped.
    func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int {
        guard length > 0, let data else { return 0 }
        headerBytes += length
        if headerBytes > CurlSession.maximumHeaderBytes {
            exceededLimit = true
            return 0
        }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingSpaces()
            let value = String(line[line.index(after: colon)...]).trimmingSpaces()
            if !name.isEmpty { headers.append(HTTPHeader(name, value)) }
        }
        return length
    }

    /// `CURLOPT_OPENSOCKETFUNCTION`: the address libcurl is about to connect to, after every
    /// resolution it did. Refusing here (`CURL_SOCKET_BAD`) stops the connection before a single
    /// packet leaves, whatever the DNS said at any point.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
        guard let address else { return CURL_SOCKET_BAD }
        var raw = [UInt8](repeating: 0, count: 16)
        let length = raw.withUnsafeMutableBufferPointer { recall_curl_sockaddr_ip(address, $0.baseAddress) }
        guard let ip = IPAddress(bytes: Array(raw.prefix(Int(length)))) else {
            // Neither IPv4 nor IPv6 (a Unix socket, say): never what a URL fetch should open.
            refusedAddress = nil
            return CURL_SOCKET_BAD
        }
        guard ssrfGuard.permits(ip, clearance: clearance) else {
            refusedAddress = (ip, ssrfGuard.policy.refusal(of: ip) ?? .reserved("not allowed"))
            return CURL_SOCKET_BAD
        }
        #if canImport(Glibc)
        let type = address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = address.pointee.socktype
        #endif
        return socket(address.pointee.family, type, address.pointee.protocol)
    }
}
