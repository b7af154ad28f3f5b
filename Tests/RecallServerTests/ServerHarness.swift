import ConfigKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MetricsKit
import NIOCore
import RecallServerCore
import Testing

/// Builds the server's application from an environment, for Hummingbird's test clients.
enum ServerHarness {
    static let adminToken = "test-admin-token"

    /// Embedded defaults (no Redis, no PostgreSQL), small vectors, an admin token.
    static let baseEnvironment: [String: String] = [
        "PORT": "0", "EMBEDDING_DIM": "768", "ADMIN_TOKEN": adminToken, "CACHE_BACKEND": "memory",
        "WORKER_CONCURRENCY": "1", "LOG_LEVEL": "critical",
    ]

    static func components(_ overrides: [String: String] = [:]) async throws -> ServerComponents {
        let environment = baseEnvironment.merging(overrides) { $1 }.filter { !$0.value.isEmpty }
        let settings = try SettingsLoader.load(environment: environment).settings
        var logger = Logger(label: "recall-server-test")
        logger.logLevel = .critical
        return try await ServerComponents.make(settings: settings, metrics: RecallMetrics(), logger: logger)
    }

    /// Runs `body` against the application over the router test client.
    static func withServer<T: Sendable>(
        _ overrides: [String: String] = [:],
        _ body: @Sendable (any TestClientProtocol, ServerComponents) async throws -> T
    ) async throws -> T {
        let components = try await components(overrides)
        var logger = Logger(label: "recall-server-test")
        logger.logLevel = .critical
        let app = ServerApplication.make(components: components, logger: logger)
        let result = try await app.test(.router) { client in try await body(client, components) }
        await components.shutdown()
        return result
    }

    static let handbook = """
        # Employee handbook

        Time off is requested in the HR portal at least two weeks ahead, and your manager approves it within three days.
        The benefits include health insurance, a yearly training budget and a public transport pass.
        The refund policy lets customers return products within thirty days of delivery.
        """

    /// Ingests the handbook through the API (as `headers`' tenant) and waits until the in-process
    /// worker stored it: answers are cached only when documents were found.
    static func seed(_ client: any TestClientProtocol, headers: HTTPFields = jsonHeaders) async throws {
        let response = try await client.execute(
            uri: "/api/v1/ingest", method: .post, headers: headers,
            body: json(["filename": "handbook.md", "content_type": "text/markdown", "content": handbook]))
        let id = try #require(try response.object["job_id"] as? String)
        for _ in 0..<300 {
            let job = try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get, headers: headers)
            if try job.object["status"] as? String == "succeeded" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the seed document was not ingested")
    }

    static func json(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func admin(_ extra: HTTPFields = [:]) -> HTTPFields {
        var headers = jsonHeaders
        headers[.authorization] = "Bearer \(adminToken)"
        for field in extra { headers.append(field) }
        return headers
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        get throws {
            let data = Data(buffer: body)
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ResponseShape(body: String(decoding: data, as: UTF8.self))
            }
            return object
        }
    }

    /// The `{"error": {"code", "message"}}` of an error response.
    var error: (code: String, message: String) {
        get throws {
            let detail = try object["error"] as? [String: Any]
            return (detail?["code"] as? String ?? "", detail?["message"] as? String ?? "")
        }
    }

    var text: String { String(buffer: body) }
}

struct ResponseShape: Error, CustomStringConvertible {
    let body: String
    var description: String { "not a JSON object: \(body)" }
}
