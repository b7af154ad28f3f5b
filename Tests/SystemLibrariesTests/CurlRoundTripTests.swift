import CCurl
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// libcurl through the typed setopt wrappers, against an HTTP listener this test starts on
/// 127.0.0.1.
@Suite("libcurl round trip")
struct CurlRoundTripTests {
    final class Body: @unchecked Sendable {
        var data = Data()
    }

    @Test("GET a local listener: status 200 and the body")
    func get() throws {
        let server = try OneShotHTTPServer(body: "hello from loopback")
        let thread = Thread { server.serveOnce() }
        thread.start()

        #expect(curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK)
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        let body = Body()
        let url = "http://127.0.0.1:\(server.port)/hello"
        #expect(recall_curl_setopt_string(handle, CURLOPT_URL, url) == CURLE_OK)
        #expect(recall_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(recall_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 5000) == CURLE_OK)
        #expect(recall_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(body).toOpaque()) == CURLE_OK)
        let write: recall_curl_data_callback = { data, size, count, user in
            let body = Unmanaged<Body>.fromOpaque(user!).takeUnretainedValue()
            body.data.append(UnsafeRawPointer(data!).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        #expect(recall_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, write) == CURLE_OK)
        #expect(curl_easy_perform(handle) == CURLE_OK)
        var status = 0
        #expect(recall_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        #expect(status == 200)
        #expect(String(decoding: body.data, as: UTF8.self) == "hello from loopback")
        #expect(server.requestLine.hasPrefix("GET /hello HTTP/1.1"))
    }
}

/// Accepts one connection on 127.0.0.1, reads the request head and answers 200 with `body`.
final class OneShotHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let body: String
    private(set) var requestLine = ""

    init(body: String) throws {
        self.body = body
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 1) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func serveOnce() {
        defer { close(listener) }
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.ends(with: Array("\r\n\r\n".utf8)) {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        requestLine = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
        let response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
