import AppSupport
import ArgumentParser
import CacheKit
import ChatKit
import ConfigKit
import EmbeddingsKit
import Foundation
import Logging
import MetricsKit
import RecallRuntime

/// The chat engine of `recall ask` and `recall search`, built from the configured backends the way
/// the server builds it: the vector store of `DATABASE_URL`, the embedder of `EMBEDDING_PROVIDER`,
/// the answerer of `CHAT_PROVIDER` and (for ask) the response cache.
///
/// These commands talk to the backends directly, not to a running server. Without
/// `DATABASE_URL` the store is this process's memory, which starts empty: a warning says so.
struct ChatBackends {
    let settings: Settings
    let engine: ChatEngine
    let vectors: VectorStoreHandle
    let cache: ResponseCache

    /// Opens the backends; `withCache` false gives a disabled cache (search never caches).
    static func open(envFile: String?, command: String, withCache: Bool) async throws -> ChatBackends {
        let settings = ProgramStart.loadSettings(envFile: envFile, program: "recall").settings
        var logger = Logger(label: "recall.\(command)")
        logger.logLevel = .warning
        let vectors: VectorStoreHandle
        let embeddings: any EmbeddingProvider
        let generator: any AnswerGenerator
        do {
            vectors = try await VectorStoreHandle.open(settings: settings, logger: logger)
            embeddings = try EmbeddingProviderFactory.make(settings: settings, cache: nil, logger: logger)
            generator = withCache ? try ChatEngineFactory.makeGenerator(settings: settings, http: nil, logger: logger) : ExtractiveAnswerer()
        } catch {
            FileHandle.standardError.write(Data("recall \(command): \(error)\n".utf8))
            throw ExitCode(ProgramStart.configurationErrorExitCode)
        }
        if vectors.pool == nil {
            FileHandle.standardError.write(Data("""
                recall \(command): warning: DATABASE_URL is not set, so the documents are this process's \
                in-memory store, which is empty; set DATABASE_URL to the database the server and workers use

                """.utf8))
        }
        let cache: ResponseCache
        if withCache {
            cache = await CacheFactory.make(settings: settings, metrics: RecallMetrics(), logger: logger)
        } else {
            var disabled = CacheConfiguration()
            disabled.enabled = false
            cache = await CacheFactory.make(configuration: disabled, metrics: RecallMetrics(), logger: logger)
        }
        let engine = ChatEngineFactory.makeEngine(settings: settings, embeddings: embeddings, store: vectors.store,
                                                  generator: generator, cache: cache, logger: logger)
        return ChatBackends(settings: settings, engine: engine, vectors: vectors, cache: cache)
    }

    /// Runs `body`, then closes the backends; a ``ChatError`` is printed with the exit status
    /// that fits: 2 for a bad question or model, 78 for configuration, 69 for the rest.
    func run<T>(command: String, _ body: (ChatEngine) async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await body(engine))
        } catch {
            result = .failure(error)
        }
        await cache.shutdown()
        await vectors.close()
        switch result {
        case .success(let value):
            return value
        case .failure(let error as ChatError):
            FileHandle.standardError.write(Data("recall \(command): \(error.message)\n".utf8))
            switch error.kind {
            case .invalidQuestion, .invalidModel: throw ExitCode(CommandLineMain.usageExitCode)
            case .configuration: throw ExitCode(ProgramStart.configurationErrorExitCode)
            default: throw ExitCode(69)
            }
        case .failure(let error):
            FileHandle.standardError.write(Data("recall \(command): \(error)\n".utf8))
            throw ExitCode(69)
        }
    }
}
