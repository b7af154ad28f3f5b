import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("recall-server API keys and rate limit")
struct SecurityTests {
    static let keys = ["API_KEYS": "key-a:tenantA,key-b:tenantB"]

    static func headers(key: String, header: String = "bearer") -> HTTPFields {
        var headers = ServerHarness.jsonHeaders
        if header == "bearer" {
            headers[.authorization] = "Bearer \(key)"
        } else {
            headers[.init("X-API-Key")!] = key
        }
        return headers
    }

    @Test("with API_KEYS the data routes need a key: none → 401, unknown → 403; health, ready and metrics stay open")
    func keysRequired() async throws {
        try await ServerHarness.withServer(Self.keys) { client, _ in
            let routes: [(String, HTTPRequest.Method, ByteBuffer?)] = [
                ("/api/v1/chat", .post, ServerHarness.json(["question": "q"])), ("/api/v1/search", .post, ServerHarness.json(["query": "q"])),
                ("/api/v1/ingest", .post, ServerHarness.json(["filename": "a.txt", "content": "x"])),
                ("/api/v1/ingest/url", .post, ServerHarness.json(["url": "https://93.184.215.14/"])),
                ("/api/v1/jobs", .get, nil), ("/api/v1/jobs/x", .get, nil),
            ]
            for (uri, method, body) in routes {
                let missing = try await client.execute(uri: uri, method: method, headers: ServerHarness.jsonHeaders, body: body)
                #expect(missing.status == .unauthorized, "\(uri)")
                #expect(try missing.error.code == "unauthorized")
                let wrong = try await client.execute(uri: uri, method: method, headers: Self.headers(key: "key-c"), body: body)
                #expect(wrong.status == .forbidden, "\(uri)")
                #expect(try !wrong.error.message.contains("key-a"))
            }
            for uri in ["/health", "/ready", "/metrics"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .ok)
            }
            let viaHeader = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-b", header: "x-api-key"),
                                                     body: ServerHarness.json(["question": "q"]))
            #expect(viaHeader.status == .ok)
        }
    }

    @Test("tenants never share cached answers or see each other's jobs")
    func tenantIsolation() async throws {
        try await ServerHarness.withServer(Self.keys) { client, _ in
            try await ServerHarness.seed(client, headers: Self.headers(key: "key-a"))
            let question = ServerHarness.json(["question": "What are the benefits?"])
            let a1 = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-a"), body: question)
            #expect(a1.headers[ChatRouteTests.cacheHeader] == "MISS")
            #expect(try (a1.object["sources"] as? [Any])?.isEmpty == false)
            let b1 = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-b"), body: question)
            #expect(b1.headers[ChatRouteTests.cacheHeader] == "MISS", "tenant B must not get tenant A's answer")
            #expect(try (b1.object["sources"] as? [Any])?.isEmpty == true, "tenant B must not search tenant A's documents")
            let a2 = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-a"), body: question)
            #expect(a2.headers[ChatRouteTests.cacheHeader] == "HIT")

            let ingest = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: Self.headers(key: "key-a"),
                                                  body: ServerHarness.json(["filename": "a.txt", "content_type": "text/plain", "content": "secret plans"]))
            let id = try #require(try ingest.object["job_id"] as? String)
            #expect(try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get, headers: Self.headers(key: "key-a")).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get, headers: Self.headers(key: "key-b")).status == .notFound)
            let listB = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: Self.headers(key: "key-b"))
            #expect(try (listB.object["jobs"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("over RATE_LIMIT_PER_MINUTE a client gets 429 with Retry-After; another client is not affected")
    func rateLimit() async throws {
        // Stay inside one window: the counters reset at the minute.
        let second = Int(Date().timeIntervalSince1970) % 60
        if second > 50 { try await Task.sleep(for: .seconds(61 - second)) }
        try await ServerHarness.withServer(Self.keys.merging(["RATE_LIMIT_PER_MINUTE": "3"]) { $1 }) { client, _ in
            let question = ServerHarness.json(["question": "q"])
            for _ in 0..<3 {
                let allowed = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-a"), body: question)
                #expect(allowed.status == .ok)
            }
            let limited = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-a"), body: question)
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.error.code == "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...60).contains(retryAfter))
            let other = try await client.execute(uri: "/api/v1/chat", method: .post, headers: Self.headers(key: "key-b"), body: question)
            #expect(other.status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok, "health is never rate limited")
        }
    }
}
