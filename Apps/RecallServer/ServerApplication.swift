import ConfigKit
import Hummingbird
import Logging

/// Builds the Hummingbird application: routes and listening address from the settings.
enum ServerApplication {
    static func make(settings: Settings, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/health") { _, _ in
            HealthResponse(status: "ok")
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "recall-server"),
            onServerRunning: { channel in
                logger.info("recall-server listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger
        )
    }
}

/// `GET /health`: the process is alive and serving.
struct HealthResponse: ResponseEncodable {
    let status: String
}
