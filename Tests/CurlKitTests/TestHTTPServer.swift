import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

// This file alone imports Hummingbird, whose HTTPRequest/HTTPResponse (from swift-http-types)
// would otherwise be ambiguous with CurlKit's in the test files.

/// What the test server saw of one request.
struct SeenRequest: Sendable {
    let method: String
    let path: String
    /// The Host header (HTTP types keep it as the request's authority).
    let authority: String?
    /// Header values by lower-cased name.
    let headers: [String: String]
    let body: [UInt8]
    /// The client's TCP port: the same port for two requests means one connection.
    let clientPort: Int?
}

/// An HTTP/1.1 server on 127.0.0.1 (port 0, so any free one) for CurlKit's tests.
///
/// Routes: `/hello`, `/echo` (any method; echoes the body), `/slow?ms=`, `/bytes?count=`
/// (Content-Length known), `/stream?count=` (chunked, length unknown), `/redirect?n=` (n hops
/// to `/hello`), `/redirect-to?url=` (one hop anywhere), `/see-other` (303 to `/echo`).
final class TestHTTPServer: Sendable {
    struct Context: RequestContext {
        var coreContext: CoreRequestContextStorage
        let clientPort: Int?

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            clientPort = source.channel.remoteAddress?.port
        }
    }

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let log: RequestLog

    var requests: [SeenRequest] { log.entries.withLock { $0 } }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, log: RequestLog) {
        self.port = port
        self.group = group
        self.task = task
        self.log = log
    }

    static func start() async throws -> TestHTTPServer {
        let log = RequestLog()
        let router = Router(context: Context.self)
        router.middlewares.add(RecordingMiddleware(log: log))
        router.get("/hello") { _, _ in "hello from loopback" }
        router.on("/echo", method: .post) { request, _ in try await echo(request) }
        router.on("/echo", method: .put) { request, _ in try await echo(request) }
        router.get("/echo") { request, _ in try await echo(request) }
        router.get("/slow") { request, _ -> String in
            let milliseconds = request.uri.queryParameters.get("ms", as: Int.self) ?? 1000
            // In short steps, so that stop() (which waits for running handlers) is not held up.
            let end = ContinuousClock.now + .milliseconds(milliseconds)
            while ContinuousClock.now < end, !log.stopping.load(ordering: .relaxed) {
                try await Task.sleep(for: .milliseconds(20))
            }
            return "slow"
        }
        router.get("/bytes") { request, _ -> Response in
            let count = request.uri.queryParameters.get("count", as: Int.self) ?? 0
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: count)))
        }
        router.get("/stream") { request, _ -> Response in
            let count = request.uri.queryParameters.get("count", as: Int.self) ?? 0
            return Response(status: .ok, body: .init(contentLength: nil) { writer in
                var left = count
                while left > 0 {
                    let chunk = min(left, 8192)
                    try await writer.write(ByteBuffer(repeating: UInt8(ascii: "y"), count: chunk))
                    left -= chunk
                }
                try await writer.finish(nil)
            })
        }
        router.get("/redirect") { request, _ -> Response in
            let hops = request.uri.queryParameters.get("n", as: Int.self) ?? 1
            let location = hops <= 1 ? "/hello" : "/redirect?n=\(hops - 1)"
            return Response(status: .found, headers: [.location: location])
        }
        router.get("/redirect-to") { request, _ -> Response in
            let target = request.uri.queryParameters.get("url") ?? "/hello"
            return Response(status: .found, headers: [.location: target])
        }
        router.post("/see-other") { _, _ -> Response in
            Response(status: .seeOther, headers: [.location: "/echo"])
        }

        var logger = Logger(label: "curlkit-test-server")
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
        // Run under a ServiceGroup so that stop() can shut down gracefully instead of cancelling.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await reported in portStream { port = reported }
        guard port > 0 else {
            task.cancel()
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return TestHTTPServer(port: port, group: group, task: task, log: log)
    }

    func stop() async {
        log.stopping.store(true, ordering: .relaxed)
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    private static func echo(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 8 << 20)
        var headers: HTTPFields = [:]
        headers[.init("x-echo-method")!] = request.method.rawValue
        if let type = request.headers[.contentType] { headers[.contentType] = type }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

final class RequestLog: Sendable {
    let entries = Mutex<[SeenRequest]>([])
    let stopping = Atomic<Bool>(false)
}

/// Records every request before it is routed, body included.
struct RecordingMiddleware: RouterMiddleware {
    typealias Context = TestHTTPServer.Context
    let log: RequestLog

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 8 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let seen = SeenRequest(
            method: request.method.rawValue,
            path: request.uri.description,
            authority: request.head.authority,
            headers: headers,
            body: Array(body.readableBytesView),
            clientPort: context.clientPort
        )
        log.entries.withLock { $0.append(seen) }
        return try await next(request, context)
    }
}
