import Foundation
import Hummingbird
import MetricsKit
import NIOCore

/// `GET /health` (alive), `GET /ready` (which backend serves each part, 503 while a required
/// one is down) and `GET /metrics` (Prometheus).
struct OperationalRoutes {
    let components: ServerComponents

    struct Health: Encodable {
        let status: String
    }

    struct Readiness: Encodable {
        let status: String
        let parts: [String: String]
        let down: [String]?
    }

    func register(on router: Router<RecallRequestContext>, routes: RouteRegistry) {
        routes.add(.get, "/health")
        router.get("/health") { _, _ in try JSONBody.response(Health(status: "ok")) }
        routes.add(.get, "/ready")
        router.get("/ready") { _, context in try await ready(context) }
        routes.add(.get, "/metrics")
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: RecallMetrics.contentType],
                     body: .init(byteBuffer: ByteBuffer(string: components.metrics.exposition())))
        }
    }

    func ready(_ context: RecallRequestContext) async throws -> Response {
        let parts = [
            "cache": components.cache.activeBackend.rawValue,
            "vectors": components.vectorsBackend,
            "embeddings": components.embeddingsBackend,
            "answers": components.answersBackend,
            "jobs": components.jobsBackend,
        ]
        let problems = await components.readinessProblems()
        if !problems.isEmpty {
            // The reasons go to the log only: they may name hosts an anonymous caller need not know.
            context.logger.warning("not ready", metadata: ["down": "\(problems)"])
            return try JSONBody.response(Readiness(status: "unavailable", parts: parts, down: problems.keys.sorted()),
                                         status: .serviceUnavailable)
        }
        return try JSONBody.response(Readiness(status: "ready", parts: parts, down: nil))
    }
}
