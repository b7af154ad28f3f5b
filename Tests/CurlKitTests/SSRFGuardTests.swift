@testable import CurlKit
import Foundation
import Testing

/// The SSRF guard end to end. Every refused destination here is refused before a connection
/// is attempted, so no packet ever leaves for a non-loopback address; the loopback server
/// proves it for loopback targets by seeing no request at all.
@Suite("SSRF guard", .timeLimit(.minutes(1)))
struct SSRFGuardTests {
    static let guarded = HTTPClientConfiguration(connectTimeout: .seconds(2), timeout: .seconds(5), urlPolicy: .publicInternetOnly)

    @Test("loopback, private, link-local and metadata destinations are refused before connecting")
    func refusals() async throws {
        try await withServer(Self.guarded) { server, client in
            let port = server.port
            let cases: [(url: String, message: String)] = [
                ("http://127.0.0.1:\(port)/hello", "refused: 127.0.0.1 is a loopback address"),
                ("http://[::1]:\(port)/hello", "refused: ::1 is a loopback address"),
                ("http://[::ffff:127.0.0.1]:\(port)/hello", "refused: ::ffff:127.0.0.1 is a loopback address"),
                ("http://10.1.2.3/", "refused: 10.1.2.3 is a private address"),
                ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is the cloud metadata address (link-local)"),
                ("http://192.168.1.1:8080/admin", "refused: 192.168.1.1 is a private address"),
                ("http://172.20.0.1/", "refused: 172.20.0.1 is a private address"),
                ("http://100.64.1.1/", "refused: 100.64.1.1 is a carrier-grade NAT (shared, 100.64.0.0/10) address"),
                ("http://[fd00::1]/", "refused: fd00::1 is a unique-local (private IPv6) address"),
                ("http://[fe80::1]/", "refused: fe80::1 is a link-local address"),
                ("http://0.0.0.0:\(port)/", "refused: 0.0.0.0 is an unspecified ('this network') address"),
                ("http://localhost:\(port)/hello", "refused: localhost resolves to "),
                ("https://10.0.0.5/secret?token=abc", "refused: 10.0.0.5 is a private address; add it to the allowlist if this host is meant to be reachable"),
            ]
            for (url, message) in cases {
                let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
                #expect(error?.kind == .refused, "\(url): \(String(describing: error))")
                #expect(error?.message.hasPrefix(message) == true, "\(url): \(error?.message ?? "no error")")
                #expect(error?.message.hasSuffix("; add it to the allowlist if this host is meant to be reachable") == true)
                #expect(error?.message.contains("token") == false)
            }
            #expect(server.requests.isEmpty, "the loopback server was never reached")
        }
    }

    @Test("other spellings of loopback are judged by the address they mean")
    func numericForms() async throws {
        try await withServer(Self.guarded) { server, client in
            for host in ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "LOCALHOST", "localhost.", "[0:0:0:0:0:0:0:1]"] {
                let error = await #expect(throws: HTTPClientError.self) {
                    try await client.send(HTTPRequest(url: "http://\(host):\(server.port)/hello"))
                }
                // Refused, or not resolvable here ("localhost." is not in /etc/hosts): never sent.
                #expect([.refused, .invalidURL, .couldNotResolve].contains(error?.kind), "\(host): \(String(describing: error))")
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test("the allowlist lets 127.0.0.1 through, and only it")
    func allowlist() async throws {
        let policy = try URLPolicy.publicInternetOnly(allowing: ["127.0.0.1"])
        try await withServer(HTTPClientConfiguration(urlPolicy: policy)) { server, client in
            let response = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/hello"))
            #expect(response.status == 200)
            #expect(response.remoteAddress == "127.0.0.1")

            let other = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: "http://127.0.0.2:\(server.port)/hello"))
            }
            #expect(other?.kind == .refused)
            #expect(server.requests.count == 1)
        }
    }

    @Test("libcurl connects to the addresses that were checked, and does not resolve again")
    func pinning() async throws {
        var policy = try URLPolicy.publicInternetOnly(allowing: ["127.0.0.1"])
        // `.test` names never resolve in DNS (RFC 6761): only the pin can make this work.
        policy.testHosts = ["docs.recall.test": [IPAddress("127.0.0.1")!]]
        try await withServer(HTTPClientConfiguration(urlPolicy: policy)) { server, client in
            let response = try await client.send(HTTPRequest(url: "http://docs.recall.test:\(server.port)/hello"))
            #expect(response.status == 200)
            #expect(response.remoteAddress == "127.0.0.1")
            #expect(server.requests.first?.authority == "docs.recall.test:\(server.port)")
        }
        policy.testHosts = ["rebound.recall.test": [IPAddress("127.0.0.2")!]]
        try await withServer(HTTPClientConfiguration(urlPolicy: policy)) { server, client in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: "http://rebound.recall.test:\(server.port)/hello"))
            }
            #expect(error?.message == "refused: rebound.recall.test resolves to 127.0.0.2, which is a loopback address; add it to the allowlist if this host is meant to be reachable")
            #expect(server.requests.isEmpty)
        }
    }

    @Test("every redirect hop is checked again")
    func redirectHops() async throws {
        let policy = try URLPolicy.publicInternetOnly(allowing: ["127.0.0.1"])
        try await withServer(HTTPClientConfiguration(urlPolicy: policy)) { server, client in
            let base = "http://127.0.0.1:\(server.port)"
            let followed = try await client.send(HTTPRequest(url: "\(base)/redirect?n=2", redirects: .follow(maximum: 5)))
            #expect(followed.status == 200)

            for target in ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://[::1]:\(server.port)/hello"] {
                let before = server.requests.count
                let error = await #expect(throws: HTTPClientError.self) {
                    try await client.send(HTTPRequest(url: "\(base)/redirect-to?url=\(target)", redirects: .follow(maximum: 5)))
                }
                #expect(error?.kind == .refused, "\(target): \(String(describing: error))")
                #expect(server.requests.count == before + 1, "only the first hop reached the server")
            }
        }
    }

    @Test("the socket hook refuses on its own, whatever the resolver said (DNS rebinding)")
    func socketHook() async throws {
        var policy = URLPolicy.publicInternetOnly
        policy.checksBeforeConnecting = false
        try await withServer(HTTPClientConfiguration(urlPolicy: policy)) { server, client in
            for url in ["http://127.0.0.1:\(server.port)/hello", "http://localhost:\(server.port)/hello"] {
                let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
                #expect(error?.kind == .refused, "\(url): \(String(describing: error))")
                #expect(error?.message.contains("is a loopback address") == true, "\(error?.message ?? "")")
            }
            #expect(server.requests.isEmpty)
        }
    }
}
