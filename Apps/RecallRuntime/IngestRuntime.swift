import CacheKit
import ConfigKit
import EmbeddingsKit
import IngestKit
import Logging
import VectorStoreKit

/// Everything ingest needs, built from `Settings`: the vector store, the embedding provider, the
/// pipeline and the URL scraper. The composition root shared by recall-worker, recall-server and
/// the `recall` CLI.
///
/// ```swift
/// let cache = await CacheFactory.make(settings: settings, metrics: metrics, logger: logger)
/// let runtime = try await IngestRuntime.open(
///     settings: settings, corpusChanged: IngestRuntime.bumpingGeneration(of: cache, logger: logger), logger: logger)
/// var handlers = JobHandlerRegistry()
/// IngestTasks.register(into: &handlers, runtime: runtime)
/// ```
public final class IngestRuntime: Sendable {
    /// The vector store (PostgreSQL or memory) the pipeline writes to.
    public let vectors: VectorStoreHandle
    /// The embedding provider the pipeline embeds with; queries must use the same one.
    public let embedder: any EmbeddingProvider
    /// Extract, chunk, embed, store.
    public let pipeline: IngestPipeline
    /// The fetcher behind `scrape_url`.
    public let scraper: PageScraper

    private init(vectors: VectorStoreHandle, embedder: any EmbeddingProvider, pipeline: IngestPipeline, scraper: PageScraper) {
        self.vectors = vectors
        self.embedder = embedder
        self.pipeline = pipeline
        self.scraper = scraper
    }

    /// Opens the store (migrating PostgreSQL and checking its dimension), builds the embedder
    /// and wires the pipeline.
    ///
    /// - Parameters:
    ///   - corpusChanged: called after each document that added something; see
    ///     ``bumpingGeneration(of:logger:)``.
    ///   - embeddingCache: where query and chunk vectors are remembered; nil for none.
    /// - Throws: ``StartupError`` (exit 78): a dimension mismatch, an unusable database, a
    ///   provider that cannot be built, or a bad `SCRAPE_ALLOWLIST`.
    public static func open(
        settings: Settings, corpusChanged: @escaping @Sendable () async -> Void,
        embeddingCache: (any EmbeddingCache)? = InMemoryEmbeddingCache(), logger: Logger
    ) async throws(StartupError) -> IngestRuntime {
        let ingest = settings.ingest
        let embedder: any EmbeddingProvider
        do {
            // The pipeline's batches must all be able to be in flight at once, or its
            // concurrency setting would be capped silently by the provider's.
            let tuning = GeminiConfiguration(apiKey: "", batchSize: ingest.batchSize, maximumConcurrentRequests: ingest.concurrency)
            embedder = try EmbeddingProviderFactory.make(settings: settings, cache: embeddingCache, tuning: tuning, logger: logger)
        } catch {
            throw StartupError("the embedding provider cannot be built: \(error)")
        }
        let scraper = try PageScraper(settings: ingest)
        let vectors = try await VectorStoreHandle.open(settings: settings, logger: logger)
        let pipeline = IngestPipeline(
            store: vectors.store, embedder: embedder,
            configuration: .init(batchSize: ingest.batchSize, concurrency: ingest.concurrency),
            onCorpusChanged: corpusChanged)
        return IngestRuntime(vectors: vectors, embedder: embedder, pipeline: pipeline, scraper: scraper)
    }

    /// A corpus-changed hook that advances `cache`'s corpus generation, so answers computed from
    /// the older corpus stop being served.
    ///
    /// With Redis briefly away it tries a few times; if it still fails, the document stays
    /// stored (re-ingesting would not bump again) and the old answers age out through their TTL,
    /// which is logged as an error.
    public static func bumpingGeneration(of cache: ResponseCache, logger: Logger) -> @Sendable () async -> Void {
        return {
            for attempt in 1...3 {
                do {
                    let generation = try await cache.bumpGeneration()
                    logger.debug("corpus generation advanced", metadata: ["cache.generation": "\(generation)"])
                    return
                } catch {
                    if attempt == 3 {
                        logger.error("the corpus changed but the cache generation could not be advanced; older answers are served until their TTL ends",
                                     metadata: ["error": "\(error)"])
                    } else {
                        try? await Task.sleep(for: .milliseconds(200 * attempt))
                    }
                }
            }
        }
    }

    /// Closes the database and the scraper's connections.
    public func shutdown() async {
        await scraper.shutdown()
        await vectors.close()
    }
}
