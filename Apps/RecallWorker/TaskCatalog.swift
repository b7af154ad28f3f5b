import CacheKit
import ChatKit
import ConfigKit
import JobsKit
import Logging
import MetricsKit
import RecallRuntime

/// The task handlers this worker serves.
///
/// `cleanup_failed_jobs` is always served (the `Worker` brings it). `process_document` and
/// `scrape_url` are served when `DATABASE_URL` names the PostgreSQL that the servers read: an
/// in-memory store in a worker would keep documents nobody can search. Without it the worker does
/// not claim those tasks, and their jobs wait for a worker that does. `warm_hot_questions` is
/// served beside them: it needs the same store and embedder to answer.
enum TaskCatalog {
    /// What the ingest handlers hold open, to close at shutdown.
    struct Resources {
        var runtime: IngestRuntime?
        var cache: ResponseCache?

        func close() async {
            await runtime?.shutdown()
            await cache?.shutdown()
        }
    }

    static func handlers(
        for queue: RedisStreamsQueue, settings: Settings, diagnostics: Bool, metrics: RecallMetrics, logger: Logger
    ) async throws(StartupError) -> (JobHandlerRegistry, Resources) {
        var handlers = JobHandlerRegistry()
        if diagnostics {
            handlers.registerDiagnosticTasks(for: queue)
        }
        guard settings.databaseURL != nil else {
            logger.warning("DATABASE_URL is not set: this worker does not serve process_document or scrape_url")
            return (handlers, Resources())
        }
        // The cache advances the corpus generation after each stored document, and holds the
        // answers and question counts that warm_hot_questions works on.
        let cache = await CacheFactory.make(settings: settings, metrics: metrics, logger: logger)
        do {
            let runtime = try await IngestRuntime.open(
                settings: settings, corpusChanged: IngestRuntime.bumpingGeneration(of: cache, logger: logger), logger: logger)
            IngestTasks.register(into: &handlers, runtime: runtime)
            do {
                let generator = try ChatEngineFactory.makeGenerator(settings: settings, http: nil, logger: logger)
                let engine = ChatEngineFactory.makeEngine(
                    settings: settings, embeddings: runtime.embedder, store: runtime.vectors.store,
                    generator: generator, cache: cache, logger: logger)
                WarmTasks.register(into: &handlers, engine: engine, hot: cache.hotQuestions)
            } catch {
                logger.warning("this worker does not serve warm_hot_questions: answers cannot be written", metadata: [
                    "error": "\(error)",
                ])
            }
            return (handlers, Resources(runtime: runtime, cache: cache))
        } catch {
            await cache.shutdown()
            throw error
        }
    }
}
