import CacheKit
import ConfigKit
import Foundation
import JobsKit
import Logging
import MetricsKit
import RedisKit
import ChatKit
import RecallRuntime
import ServiceLifecycle
import VectorStoreKit

/// Everything the routes use, built once from the settings: the backends chosen as the design's
/// table says, and the services (the in-process worker) that run beside the HTTP server.
public final class ServerComponents: Sendable {
    public let settings: Settings
    public let metrics: RecallMetrics
    public let cache: ResponseCache
    public let queue: any JobQueue
    public let chat: any ChatService
    /// Backend names for `/ready`: `postgres|memory`, `gemini|local`, `gemini|extractive`,
    /// `redis|in-process`.
    public let vectorsBackend: String
    public let embeddingsBackend: String
    public let answersBackend: String
    public let jobsBackend: String
    let rateLimiter: (any RateLimiter)?
    /// The documents, for `--ingest-if-empty`'s check.
    let store: any VectorStore
    let keyring: APIKeyring
    let admin: AdminGuard
    /// Services to run beside the server (the in-process worker).
    let services: [any Service]
    private let probes: [ReadinessProbe]
    private let closers: [@Sendable () async -> Void]

    /// A check `/ready` runs: the part's name and a function that throws while it is down.
    struct ReadinessProbe: Sendable {
        let part: String
        let check: @Sendable () async throws -> Void
    }

    init(settings: Settings, metrics: RecallMetrics, cache: ResponseCache, queue: any JobQueue, chat: any ChatService,
         backends: (vectors: String, embeddings: String, answers: String, jobs: String),
         rateLimiter: (any RateLimiter)?, services: [any Service], probes: [ReadinessProbe],
         closers: [@Sendable () async -> Void], store: any VectorStore) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.cache = cache
        self.queue = queue
        self.chat = chat
        (vectorsBackend, embeddingsBackend, answersBackend, jobsBackend) = backends
        self.rateLimiter = rateLimiter
        self.keyring = APIKeyring(settings.server.apiKeys)
        self.admin = AdminGuard(token: settings.adminToken)
        self.services = services
        self.probes = probes
        self.closers = closers
    }

    /// Builds the components the settings ask for: the cache (CacheKit), the vector store,
    /// embedder and ingest pipeline (RecallRuntime), the chat engine (ChatKit) and the job queue.
    ///
    /// - Throws: when a configured backend cannot be used at all (a PostgreSQL whose vector
    ///   column has other dimensions than `EMBEDDING_DIM`, a Gemini provider without a key).
    public static func make(settings: Settings, metrics: RecallMetrics = RecallMetrics(), logger: Logger) async throws
        -> ServerComponents {
        let cache = await CacheFactory.make(settings: settings, metrics: metrics, logger: logger)
        var probes: [ReadinessProbe] = []
        var closers: [@Sendable () async -> Void] = [{ await cache.shutdown() }]
        var services: [any Service] = []

        let runtime: IngestRuntime
        let engine: ChatEngine
        do {
            runtime = try await IngestRuntime.open(
                settings: settings, corpusChanged: IngestRuntime.bumpingGeneration(of: cache, logger: logger), logger: logger)
            let generator = CountingAnswerGenerator(
                base: try ChatEngineFactory.makeGenerator(settings: settings, http: nil, logger: logger), metrics: metrics)
            engine = ChatEngineFactory.makeEngine(settings: settings, embeddings: runtime.embedder, store: runtime.vectors.store,
                                                  generator: generator, cache: cache, logger: logger)
        } catch {
            await cache.shutdown()
            throw error
        }
        closers.append { await runtime.shutdown() }
        if let pool = runtime.vectors.pool {
            probes.append(ReadinessProbe(part: "vectors") { _ = try await pool.execute("SELECT 1") })
        }
        var handlers = JobHandlerRegistry()
        IngestTasks.register(into: &handlers, runtime: runtime)

        let (queue, jobs) = await makeQueue(settings: settings, handlers: handlers, metrics: metrics, logger: logger,
                                            probes: &probes, closers: &closers, services: &services)
        let chat = EngineChatService(engine: engine, cache: cache, logger: logger)

        var rateLimiter: (any RateLimiter)?
        let limit = settings.server.rateLimitPerMinute
        if limit > 0 {
            if let redis = settings.redis, cache.activeBackend == .redis || jobs == "redis" {
                let client = RedisClient(configuration: RedisConfiguration(
                    host: redis.host, port: redis.port, password: redis.password, username: redis.username,
                    database: redis.database, connectTimeout: .milliseconds(settings.cacheTimeoutMilliseconds),
                    commandTimeout: .milliseconds(settings.cacheTimeoutMilliseconds), poolSize: 4), logger: logger)
                rateLimiter = RedisRateLimiter(client: client, prefix: settings.cacheKeyPrefix, limit: limit, logger: logger)
                closers.append { await client.shutdown() }
            } else {
                rateLimiter = MemoryRateLimiter(limit: limit)
            }
        }
        return ServerComponents(
            settings: settings, metrics: metrics, cache: cache, queue: queue, chat: chat,
            backends: (runtime.vectors.backend, settings.embeddingProvider.rawValue, settings.chatProvider.rawValue, jobs),
            rateLimiter: rateLimiter, services: services, probes: probes, closers: closers, store: runtime.vectors.store)
    }

    /// Redis Streams when the broker answers PING now, else the in-process queue with a worker
    /// inside this server.
    private static func makeQueue(
        settings: Settings, handlers: JobHandlerRegistry, metrics: RecallMetrics, logger: Logger,
        probes: inout [ReadinessProbe], closers: inout [@Sendable () async -> Void], services: inout [any Service]
    ) async -> (any JobQueue, String) {
        let jobs = settings.jobs
        if let broker = jobs.broker, let (queue, redis) = try? RedisStreamsQueue.open(settings: settings, metrics: metrics, logger: logger) {
            do {
                try await redis.ping()
                probes.append(ReadinessProbe(part: "jobs") { try await redis.ping() })
                closers.append { await redis.shutdown() }
                logger.info("Jobs: Redis Streams", metadata: ["jobs.broker": "\(broker)"])
                return (queue, "redis")
            } catch {
                logger.warning("Jobs: the broker did not answer PING; running jobs in this process", metadata: [
                    "jobs.broker": "\(broker)", "error": "\(error)",
                ])
                await redis.shutdown()
            }
        }
        let queue = InProcessQueue(options: JobQueueOptions(settings: jobs), metrics: metrics)
        let worker = Worker(queue: queue, handlers: handlers,
                            configuration: WorkerConfiguration(concurrency: jobs.workerConcurrency,
                                                               shutdownGracePeriod: .seconds(jobs.shutdownGraceSeconds)),
                            metrics: metrics, logger: logger)
        services.append(worker)
        return (queue, "in-process")
    }

    /// The parts that are down now, by name, with the reason; empty when all answer.
    func readinessProblems() async -> [String: String] {
        var problems: [String: String] = [:]
        for probe in probes {
            do {
                try await probe.check()
            } catch {
                problems[probe.part] = "\(error)"
            }
        }
        return problems
    }

    /// Closes connections and stops background work; call after the server stopped.
    public func shutdown() async {
        for closer in closers.reversed() { await closer() }
    }
}
