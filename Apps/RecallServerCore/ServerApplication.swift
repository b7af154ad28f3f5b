import ConfigKit
import CurlKit
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds recall-server's HTTP application from its components: middleware, routes and the
/// listening address.
///
/// Middleware order, outermost first: request id, metrics, errors to JSON, body limit; the API
/// routes add the rate limit, and the data routes (chat, search, ingest, jobs) the API key.
public enum ServerApplication {
    /// The router with every route, and the table of what it registered.
    public static func router(components: ServerComponents) -> (Router<RecallRequestContext>, RouteRegistry) {
        let settings = components.settings
        let registry = RouteRegistry()
        let router = Router(context: RecallRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(metrics: components.metrics))
        router.add(middleware: ErrorMiddleware(routes: registry))
        router.add(middleware: BodyLimitMiddleware(maxBodyBytes: settings.server.maxBodyBytes,
                                                   ingestMaxBytes: settings.server.ingestMaxBytes))
        OperationalRoutes(components: components).register(on: router, routes: registry)

        let open = router.group("/api/v1")
        let data = router.group("/api/v1")
        if let limiter = components.rateLimiter {
            open.add(middleware: RateLimitMiddleware(limiter: limiter, keyring: components.keyring))
            data.add(middleware: RateLimitMiddleware(limiter: limiter, keyring: components.keyring))
        }
        data.add(middleware: APIKeyMiddleware(keyring: components.keyring))

        let questionLimit = settings.chatMaxQuestionCharacters
        CacheRoutes(cache: components.cache, chat: components.chat, admin: components.admin, maxQuestionCharacters: questionLimit)
            .register(on: open, routes: registry)
        ChatRoutes(chat: components.chat, maxQuestionCharacters: questionLimit).register(on: data, routes: registry)
        IngestRoutes(queue: components.queue, metrics: components.metrics, maxBytes: settings.server.ingestMaxBytes,
                     urlPolicy: .publicInternetOnly).register(on: data, routes: registry)
        JobRoutes(queue: components.queue, tenantsEnabled: components.keyring.isEnabled).register(on: data, routes: registry)
        return (router, registry)
    }

    /// The application listening on `HOST:PORT`.
    public static func make(components: ServerComponents, logger: Logger) -> some ApplicationProtocol {
        let settings = components.settings
        let (router, _) = router(components: components)
        return Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "recall-server"),
            services: components.services,
            onServerRunning: { channel in
                logger.info("recall-server listening", metadata: [
                    "address": "\(channel.localAddress?.description ?? "?")",
                    "backends": .string("cache=\(components.cache.activeBackend.rawValue) vectors=\(components.vectorsBackend) "
                        + "embeddings=\(components.embeddingsBackend) answers=\(components.answersBackend) jobs=\(components.jobsBackend)"),
                ])
            },
            logger: logger
        )
    }

    /// Runs the server until SIGTERM or SIGINT: it then stops accepting connections, lets
    /// requests in flight finish, stops the in-process worker, and closes its connections.
    public static func run(components: ServerComponents, logger: Logger) async throws {
        let app = make(components: components, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await components.shutdown()
    }
}
