import CacheKit
import ChatKit
import EmbeddingsKit
import Foundation
import IngestKit
import JobsKit
import Logging
import MetricsKit
import RecallRuntime
import RedisKit
import TestSupport
import Testing
import VectorStoreKit

/// The beat's re-warm: questions are counted as people ask them (in Redis, shared by every
/// process), and `warm_hot_questions` asks the most asked again so their answers are cached
/// before the next person asks, after a corpus change made the old ones unreachable.
@Suite("warm_hot_questions", .enabled(if: TestServices.isAvailable(.redis)), .timeLimit(.minutes(2)))
struct WarmTaskTests {
    static let logger = Logger(label: "WarmTaskTests") { _ in SwiftLogNoOpLogHandler() }

    static func cache(prefix: String) async throws -> ResponseCache {
        var configuration = CacheConfiguration()
        configuration.backend = .redis
        configuration.redis = try RedisConfiguration(url: TestServices.url(.redis), poolSize: 2)
        configuration.keyPrefix = prefix
        return await CacheFactory.make(configuration: configuration, metrics: RecallMetrics(), logger: logger)
    }

    @Test("counts from two processes' caches merge in Redis, most asked first")
    func countsMerge() async throws {
        let prefix = "recall-test-hot-\(UUID().uuidString.prefix(8))"
        let one = try await Self.cache(prefix: prefix)
        let two = try await Self.cache(prefix: prefix)
        let vacation = HotQuestions.Entry(question: "how many vacation days?", tenant: "default")
        let parking = HotQuestions.Entry(question: "where do i park?", tenant: "acme", model: "m", session: "s1")
        for _ in 0..<3 { one.hotQuestions.record(parking) }
        for _ in 0..<2 { one.hotQuestions.record(vacation) }
        for _ in 0..<2 { two.hotQuestions.record(vacation) }
        await one.hotQuestions.flush()
        #expect(try await two.hotQuestions.top(10) == [vacation, parking])
        #expect(try await one.hotQuestions.top(1) == [vacation])
        // The counts survive a cache clear (they are not answers), and expire by themselves.
        _ = try await one.backend.clear()
        #expect(try await one.hotQuestions.top(10).count == 2)
        let redis = RedisClient(configuration: try RedisConfiguration(url: TestServices.url(.redis)))
        let ttl = try await redis.send(["PTTL", "\(prefix):__hot_questions"]).int ?? -1
        #expect(ttl > 0)
        _ = try await redis.unlink(["\(prefix):__hot_questions", "\(prefix):generation"])
        await redis.shutdown()
        await one.shutdown()
        await two.shutdown()
    }

    @Test("after a corpus change, the job answers the hot questions again so the next ask is a hit")
    func rewarmAfterCorpusChange() async throws {
        let prefix = "recall-test-warm-\(UUID().uuidString.prefix(8))"
        let cache = try await Self.cache(prefix: prefix)
        let store = MemoryVectorStore(dimensions: 768)
        let embeddings = try LocalEmbeddings(dimensions: 768)
        let pipeline = IngestPipeline(store: store, embedder: embeddings, onCorpusChanged: { _ = try? await cache.bumpGeneration() })
        try await pipeline.ingest(IngestDocument(
            content: .text("Employees get 25 vacation days a year. Parking is in the north garage, level 2."),
            source: "handbook.txt", contentType: "text/plain"))
        let engine = ChatEngine(embeddings: embeddings, store: store, generator: ExtractiveAnswerer(), cache: cache,
                                topK: 3, ttl: .seconds(300), logger: Self.logger)
        let questions = ["How many vacation days do employees get?", "Where is parking?"]
        for question in questions {
            #expect(try await engine.answer(ChatQuestion(question: question)).cached == false)
        }
        #expect(try await engine.answer(ChatQuestion(question: questions[0])).cached)
        // Bypassed asks are not counted: they are diagnostics, not demand.
        _ = try await engine.answer(ChatQuestion(question: "Who is the CEO?", cachePolicy: .bypass))

        // A new document: a new generation, so every cached answer is out of reach.
        try await pipeline.ingest(IngestDocument(content: .text("The office closes at 6 pm on Fridays."),
                                                 source: "hours.txt", contentType: "text/plain"))

        var handlers = JobHandlerRegistry()
        WarmTasks.register(into: &handlers, engine: engine, hot: cache.hotQuestions)
        let queue = InProcessQueue()
        let id = try await queue.enqueue(type: TaskName.warmHotQuestions, payload: Data("{}".utf8))
        let worker = Worker(queue: queue, handlers: handlers,
                            configuration: WorkerConfiguration(concurrency: 1, pollInterval: .milliseconds(50), exitWhenIdle: true),
                            logger: Self.logger)
        try await worker.run()

        let record = try #require(try await queue.record(id: id))
        #expect(record.status == .succeeded, "\(record.error ?? "")")
        let report = try JSONDecoder().decode(WarmTasks.Report.self, from: try #require(record.result))
        #expect(report == WarmTasks.Report(asked: 2, warmed: 2, failed: 0))
        for question in questions {
            #expect(try await engine.answer(ChatQuestion(question: question)).cached, "\(question) was not re-warmed")
        }
        _ = try await cache.backend.clear()
        await cache.shutdown()
    }
}
