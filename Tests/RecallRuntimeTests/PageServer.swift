import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

// This file alone imports Hummingbird, whose HTTPRequest would clash with CurlKit's.

/// A web server on 127.0.0.1 serving fixed pages by path, for `scrape_url`.
final class PageServer: Sendable {
    struct Page: Sendable {
        let contentType: String
        let body: String
    }

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    static func start(pages: [String: Page]) async throws -> PageServer {
        let router = Router()
        for (path, page) in pages {
            router.get(RouterPath(path)) { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: page.contentType],
                         body: .init(byteBuffer: ByteBuffer(string: page.body)))
            }
        }
        var logger = Logger(label: "page-server")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await reported in ports { port = reported }
        guard port > 0 else {
            task.cancel()
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return PageServer(port: port, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
