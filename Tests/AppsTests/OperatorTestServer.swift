import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

// This file alone imports Hummingbird, so its HTTP types never meet anyone else's.

/// A stand-in recall-server (and Gemini models endpoint) on 127.0.0.1 for recall-top and
/// recall doctor: it serves the documented JSON shapes with known values and records every
/// request it receives.
final class OperatorTestServer: Sendable {
    /// One request as the server saw it.
    struct Seen: Sendable {
        let method: String
        let path: String
        let authorization: String?
        let googleKey: String?
        let body: String
    }

    /// The Gemini key the models endpoint accepts, and the models it knows.
    static let goodKey = "test-key-5d0c-not-a-real-one"
    static let knownModels: Set<String> = ["gemini-2.5-flash", "gemini-embedding-001"]

    static let stats = """
        {"backend": "redis", "timestamp": 1795924800.0, "redis_used_memory": 67108864,
         "redis_maxmemory": 268435456, "redis_connected_clients": 10, "redis_keyspace_hits": 15000,
         "redis_keyspace_misses": 3000, "hit_rate": 0.833}
        """
    static let metrics = """
        # TYPE cache_hits_total counter
        cache_hits_total{backend="redis"} 1500
        cache_misses_total{backend="redis"} 300
        cache_evictions_total{backend="redis"} 4
        cache_errors_total{backend="redis",operation="get"} 2
        cache_errors_total{backend="redis",operation="set"} 1
        http_requests_total{method="POST",route="/api/v1/chat",status="200"} 1000
        jobs_queue_depth{queue="default"} 3
        """
    static let jobs = """
        {"jobs": [
          {"id": "job-7f3a", "type": "process_document", "status": "running", "attempts": 1, "deliveries": 1,
           "progress": 0.45, "progress_message": "embedding batch 3 of 7", "result": null, "error": null,
           "created_at": "2026-11-29T04:00:00Z", "updated_at": "2026-11-29T04:00:05Z",
           "started_at": "2026-11-29T04:00:01Z", "finished_at": null},
          {"id": "job-91c2", "type": "scrape_url", "status": "dead", "attempts": 5, "deliveries": 5,
           "progress": 0, "progress_message": null, "result": null, "error": "HTTP 404 from the site",
           "created_at": "2026-11-29T03:50:00Z", "updated_at": "2026-11-29T03:55:00Z",
           "started_at": "2026-11-29T03:50:01Z", "finished_at": "2026-11-29T03:55:00Z"}
        ],
         "counts": {"queued": 3, "running": 1, "retrying": 0, "dead": 1, "succeeded": 12}}
        """

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let recorder: Recorder

    var requests: [Seen] { recorder.log.withLock { $0 } }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, recorder: Recorder) {
        self.port = port
        self.group = group
        self.task = task
        self.recorder = recorder
    }

    var url: String { "http://127.0.0.1:\(port)" }

    static func start() async throws -> OperatorTestServer {
        let box = Recorder()
        let router = Router()
        router.middlewares.add(Recording(recorder: box))
        router.get("/api/v1/cache/stats") { _, _ in json(stats) }
        router.get("/metrics") { _, _ -> Response in
            let scrape = box.scrapes.wrappingAdd(1, ordering: .relaxed).newValue
            // 10 more requests per scrape: a rate the dashboard can show.
            let text = metrics + "\nhttp_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} \(scrape * 10)\n"
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/api/v1/jobs") { _, _ in json(jobs) }
        router.post("/api/v1/cache/invalidate") { _, _ in json(#"{"deleted": 3}"#) }
        router.delete("/api/v1/cache") { _, _ in json(#"{"deleted": 12}"#) }
        router.get("/v1beta/models/{model}") { request, context -> Response in
            let model = context.parameters.get("model") ?? ""
            guard request.headers[.init("x-goog-api-key")!] == goodKey else {
                return json(#"{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"}}"#,
                            status: .badRequest)
            }
            guard knownModels.contains(model) else {
                return json(#"{"error": {"code": 404, "message": "models/\#(model) is not found", "status": "NOT_FOUND"}}"#,
                            status: .notFound)
            }
            return json(#"{"name": "models/\#(model)", "displayName": "\#(model)"}"#)
        }

        var logger = Logger(label: "operator-test-server")
        logger.logLevel = .warning
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await reported in portStream { port = reported }
        guard port > 0 else {
            task.cancel()
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return OperatorTestServer(port: port, group: group, task: task, recorder: box)
    }

    /// Stops listening; the port then refuses connections.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Shared between the routes and the server object; `scrapes` counts /metrics requests so that
/// requests/s is not zero.
private final class Recorder: Sendable {
    let log = Mutex<[OperatorTestServer.Seen]>([])
    let scrapes = Atomic<Int>(0)
}

private struct Recording: RouterMiddleware {
    typealias Context = BasicRequestContext
    let recorder: Recorder

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let seen = OperatorTestServer.Seen(
            method: request.method.rawValue,
            path: request.uri.description,
            authorization: request.headers[.authorization],
            googleKey: request.headers[.init("x-goog-api-key")!],
            body: String(buffer: body)
        )
        recorder.log.withLock { $0.append(seen) }
        return try await next(request, context)
    }
}
