import Foundation
import Hummingbird
import JobsKit
import Logging
import MetricsKit
import ServiceLifecycle

/// `GET /metrics` (Prometheus text) and `GET /health` of the worker process.
///
/// Failing to listen (the port is taken) is logged and does not stop the process: jobs matter
/// more than their metrics. The endpoint then waits for shutdown like the other services.
struct MetricsEndpoint: Service {
    let host: String
    let port: Int
    let mode: String
    let metrics: RecallMetrics
    let worker: Worker?
    let beat: JobsKit.Beat?
    let logger: Logger

    func run() async throws {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: RecallMetrics.contentType],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition()))
            )
        }
        router.get("/health") { _, _ in
            WorkerHealth(status: "ok", mode: mode, processed: worker?.processedCount, beatLeader: beat?.isLeader)
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "recall-worker"),
            onServerRunning: { channel in
                logger.info("serving /metrics and /health", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            logger.error("cannot serve /metrics and /health; jobs keep running without them", metadata: [
                "address": "\(host):\(port)", "error": "\(error)",
            ])
            try? await gracefulShutdown()
        }
    }
}

/// `GET /health`: the process is alive; what it runs and how far it got.
struct WorkerHealth: ResponseEncodable {
    let status: String
    let mode: String
    let processed: Int?
    let beatLeader: Bool?

    enum CodingKeys: String, CodingKey {
        case status, mode, processed
        case beatLeader = "beat_leader"
    }
}
