@testable import CurlKit
import Testing

/// The SSRF guard's address rules, as pure functions: no socket is opened here.
@Suite("URLPolicy: address classification and allowlist")
struct AddressPolicyTests {
    @Test("addresses parse strictly and print canonically")
    func parsing() throws {
        #expect(IPAddress("127.0.0.1")?.bytes == [127, 0, 0, 1])
        #expect(IPAddress("[::1]")?.description == "::1")
        #expect(IPAddress("::FFFF:10.0.0.1")?.description == "::ffff:10.0.0.1")
        #expect(IPAddress("0x7f.1") == nil, "lenient inet_aton forms are not parsed as text")
        #expect(IPAddress("2130706433") == nil)
        #expect(IPAddress("example.com") == nil)
        let network = try #require(IPNetwork("10.1.2.3/8"))
        #expect(network.description == "10.0.0.0/8")
        #expect(network.contains(IPAddress("10.255.0.1")!))
        #expect(!network.contains(IPAddress("11.0.0.1")!))
        #expect(!network.contains(IPAddress("::ffff:10.0.0.1")!), "families never mix inside IPNetwork")
        #expect(IPNetwork("fd00::/8")!.contains(IPAddress("fdab::1")!))
        #expect(IPNetwork("10.0.0.0/33") == nil)
    }

    @Test("non-public ranges are refused with their reason", arguments: [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("172.31.255.254", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "the cloud metadata address (link-local)"),
        ("169.254.10.1", "a link-local address"),
        ("100.64.0.1", "a carrier-grade NAT (shared, 100.64.0.0/10) address"),
        ("100.127.255.255", "a carrier-grade NAT (shared, 100.64.0.0/10) address"),
        ("0.0.0.0", "an unspecified ('this network') address"),
        ("0.1.2.3", "an unspecified ('this network') address"),
        ("224.0.0.1", "a multicast address"),
        ("255.255.255.255", "a reserved address (future use and broadcast)"),
        ("198.18.0.1", "a reserved address (benchmarking)"),
        ("::1", "a loopback address"),
        ("::", "an unspecified ('this network') address"),
        ("fc00::1", "a unique-local (private IPv6) address"),
        ("fd12:3456::1", "a unique-local (private IPv6) address"),
        ("fe80::1", "a link-local address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:169.254.169.254", "the cloud metadata address (link-local)"),
        ("::127.0.0.1", "a loopback address"),
        ("64:ff9b::a9fe:a9fe", "the cloud metadata address (link-local)"),
        ("2002:7f00:1::", "a loopback address"),
        ("2002:c0a8:101::1", "a private address"),
    ])
    func refused(address: String, reason: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(URLPolicy.publicInternetOnly.refusal(of: ip)?.description == reason)
        #expect(URLPolicy.unrestricted.refusal(of: ip) == nil)
    }

    @Test("public addresses pass", arguments: [
        "8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1", "169.255.0.1",
        "192.169.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "2002:808:808::1",
    ])
    func permitted(address: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(URLPolicy.publicInternetOnly.refusal(of: ip) == nil)
    }

    @Test("the allowlist admits listed addresses, blocks and names, and mapped forms of them")
    func allowlist() throws {
        let policy = try URLPolicy.publicInternetOnly(allowing: ["127.0.0.1", " 10.20.0.0/16 ", "Wiki.Internal", "fd00::/8", ""])
        #expect(policy.allowedHosts == ["wiki.internal"])
        #expect(policy.allowedNetworks.map(\.description) == ["127.0.0.1/32", "10.20.0.0/16", "fd00::/8"])
        #expect(policy.refusal(of: IPAddress("127.0.0.1")!) == nil)
        #expect(policy.refusal(of: IPAddress("::ffff:127.0.0.1")!) == nil)
        #expect(policy.refusal(of: IPAddress("127.0.0.2")!) == .loopback)
        #expect(policy.refusal(of: IPAddress("10.20.3.4")!) == nil)
        #expect(policy.refusal(of: IPAddress("10.21.0.1")!) == .privateNetwork)
        #expect(policy.refusal(of: IPAddress("fd00::5")!) == nil)
        #expect(policy.allowsHost(named: "WIKI.internal"))
        #expect(!policy.allowsHost(named: "wiki.internal.evil.com"))
        #expect(policy.description == "public internet only, plus wiki.internal, 127.0.0.1/32, 10.20.0.0/16, fd00::/8")

        let error = #expect(throws: HTTPClientError.self) { try URLPolicy.publicInternetOnly(allowing: ["10.0.0.0/99"]) }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("10.0.0.0/99") == true)
        #expect(throws: HTTPClientError.self) { try URLPolicy.publicInternetOnly(allowing: ["http://x"]) }
    }
}
