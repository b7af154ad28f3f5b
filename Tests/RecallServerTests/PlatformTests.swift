import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Errors, request ids, metrics and body limits: what every route shares.
@Suite("recall-server platform")
struct PlatformTests {
    @Test("GET /health answers ok with a generated X-Request-Id; a caller's id is echoed, an unusable one replaced")
    func requestIDs() async throws {
        try await ServerHarness.withServer { client, _ in
            let plain = try await client.execute(uri: "/health", method: .get)
            #expect(plain.status == .ok)
            #expect(try plain.object["status"] as? String == "ok")
            let generated = try #require(plain.headers[.init("X-Request-Id")!])
            #expect(UUID(uuidString: generated) != nil)

            let echoed = try await client.execute(uri: "/health", method: .get, headers: [.init("X-Request-Id")!: "abc-123"])
            #expect(echoed.headers[.init("X-Request-Id")!] == "abc-123")

            let injected = try await client.execute(uri: "/health", method: .get, headers: [.init("X-Request-Id")!: "a b\"c"])
            #expect(injected.headers[.init("X-Request-Id")!] != "a b\"c")
        }
    }

    @Test("unknown routes are 404 and known paths under another method 405 with Allow, both as JSON errors with the request id")
    func notFoundAndMethodNotAllowed() async throws {
        try await ServerHarness.withServer { client, _ in
            let missing = try await client.execute(uri: "/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(try missing.error.code == "not_found")
            #expect(missing.headers[.init("X-Request-Id")!] != nil)

            let wrongMethod = try await client.execute(uri: "/api/v1/chat", method: .get)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(try wrongMethod.error.code == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "POST")

            let jobWrongMethod = try await client.execute(uri: "/api/v1/jobs/123", method: .delete)
            #expect(jobWrongMethod.status == .methodNotAllowed)
        }
    }

    @Test("a body over MAX_BODY_BYTES is 413, declared or streamed, and says which setting limits it")
    func bodyLimit() async throws {
        try await ServerHarness.withServer(["MAX_BODY_BYTES": "2048"]) { client, _ in
            let question = String(repeating: "a", count: 3000)
            let response = try await client.execute(
                uri: "/api/v1/chat", method: .post, headers: ServerHarness.jsonHeaders,
                body: ServerHarness.json(["question": question]))
            #expect(response.status == .contentTooLarge)
            #expect(try response.error.code == "body_too_large")
            #expect(try response.error.message.contains("MAX_BODY_BYTES"))

            let small = try await client.execute(
                uri: "/api/v1/chat", method: .post, headers: ServerHarness.jsonHeaders,
                body: ServerHarness.json(["question": "What is Recall?"]))
            #expect(small.status == .ok)
        }
    }

    @Test("/metrics counts requests by route template, never by raw path, with a duration histogram")
    func httpMetrics() async throws {
        try await ServerHarness.withServer { client, _ in
            _ = try await client.execute(uri: "/api/v1/jobs/first-unknown-id", method: .get)
            _ = try await client.execute(uri: "/api/v1/jobs/second-unknown-id", method: .get)
            _ = try await client.execute(uri: "/no/such/route/42", method: .get)
            _ = try await client.execute(uri: "/health", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/v1/jobs/{id}",status="404"} 2"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/health",status="200"} 1"#))
            #expect(text.contains(#"http_request_duration_seconds_count{method="GET",route="/api/v1/jobs/{id}"} 2"#))
            #expect(!text.contains("first-unknown-id"))
            #expect(!text.contains("/no/such/route"))
        }
    }

    @Test("GET /ready names the backend of every part")
    func readiness() async throws {
        try await ServerHarness.withServer { client, _ in
            let response = try await client.execute(uri: "/ready", method: .get)
            #expect(response.status == .ok)
            let object = try response.object
            #expect(object["status"] as? String == "ready")
            let parts = try #require(object["parts"] as? [String: String])
            #expect(parts == ["cache": "memory", "vectors": "memory", "embeddings": "local", "answers": "extractive",
                              "jobs": "in-process"])
        }
    }

    @Test("with CACHE_ENABLED=false /ready reports the cache as disabled")
    func readinessWithoutCache() async throws {
        try await ServerHarness.withServer(["CACHE_ENABLED": "false"]) { client, _ in
            let response = try await client.execute(uri: "/ready", method: .get)
            let parts = try #require(try response.object["parts"] as? [String: String])
            #expect(parts["cache"] == "disabled")
        }
    }
}
