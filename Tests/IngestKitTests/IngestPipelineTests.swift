import EmbeddingsKit
import FakeGemini
import Foundation
@testable import IngestKit
import Synchronization
import TestSupport
import Testing
import VectorStoreKit

/// The pipeline over the in-memory store and the offline embeddings, and once end to end over
/// PostgreSQL and the fake Gemini API.
@Suite("IngestPipeline")
struct IngestPipelineTests {
    static let corpus: [(String, String)] = [
        ("vacation.md", "# Vacation policy\n\nEmployees accrue twenty vacation days per year. Requests go to the line manager two weeks ahead.\n\nUnused days carry over until March."),
        ("expenses.txt", "Expense reports are filed within thirty days of purchase. Receipts above fifty euros must be scanned.\n\nMileage is reimbursed at the statutory rate."),
        ("security.html", "<html><head><title>Security rules</title></head><body><h1>Badges</h1><p>Always wear your badge inside the building.</p><p>Report lost badges to the front desk at once.</p><script>var x = 1;</script></body></html>"),
    ]

    /// Counts corpus changes, as the response cache's generation would.
    final class GenerationCounter: Sendable {
        private let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .relaxed) }
        func bump() { value.add(1, ordering: .relaxed) }
    }

    static func pipeline(
        store: any VectorStore, embedder: (any EmbeddingProvider)? = nil, counter: GenerationCounter = GenerationCounter(),
        configuration: IngestPipeline.Configuration = .init(chunker: Chunker(targetCharacters: 120, overlapCharacters: 20), batchSize: 2, concurrency: 2)
    ) throws -> IngestPipeline {
        IngestPipeline(store: store, embedder: try embedder ?? LocalEmbeddings(dimensions: 256),
                       configuration: configuration, onCorpusChanged: { counter.bump() })
    }

    static func ingestCorpus(_ pipeline: IngestPipeline, tenant: String = "") async throws -> [IngestReport] {
        var reports: [IngestReport] = []
        for (name, text) in corpus {
            reports.append(try await pipeline.ingest(IngestDocument(content: .bytes(Data(text.utf8)), source: name, tenant: tenant)))
        }
        return reports
    }

    @Test("a small corpus is ingested, and a search finds the chunk that answers")
    func ingestThenSearch() async throws {
        let store = MemoryVectorStore(dimensions: 256)
        let embedder = try LocalEmbeddings(dimensions: 256)
        let counter = GenerationCounter()
        let reports = try await Self.ingestCorpus(try Self.pipeline(store: store, embedder: embedder, counter: counter))
        #expect(reports.allSatisfy { $0.stored })
        #expect(reports.map(\.title) == ["Vacation policy", "expenses", "Security rules"])
        #expect(try await store.documentCount() == 3)
        #expect(try await store.chunkCount() == reports.map(\.chunkCount).reduce(0, +))
        #expect(counter.count == 3)

        let query = try await embedder.embed("lost badge front desk", task: .retrievalQuery)
        let hits = try await store.search(query, k: 1, filter: .none)
        #expect(hits.first?.title == "Security rules")
        #expect(hits.first?.content.contains("front desk") == true)
        #expect(hits.first?.content.contains("var x") == false)
    }

    @Test("ingesting the same content again stores nothing and leaves the generation alone")
    func reingest() async throws {
        let store = MemoryVectorStore(dimensions: 256)
        let counter = GenerationCounter()
        let pipeline = try Self.pipeline(store: store, counter: counter)
        let first = try await Self.ingestCorpus(pipeline)
        let chunks = try await store.chunkCount()
        let second = try await Self.ingestCorpus(pipeline)
        #expect(second.allSatisfy { !$0.stored })
        #expect(second.map(\.documentID) == first.map(\.documentID))
        #expect(try await store.chunkCount() == chunks)
        #expect(try await store.documentCount() == 3)
        #expect(counter.count == 3)
        // Another tenant's copy is a document of its own.
        let other = try await Self.ingestCorpus(pipeline, tenant: "acme")
        #expect(other.allSatisfy { $0.stored })
        #expect(try await store.documentCount() == 6)
    }

    @Test("repeated paragraphs are embedded and stored once")
    func repeatedChunks() async throws {
        let store = MemoryVectorStore(dimensions: 256)
        let paragraph = "This boilerplate paragraph repeats on every page of the exported wiki, word for word."
        let text = [paragraph, "First real content about parking.", paragraph, "Second real content about lunch.", paragraph]
            .joined(separator: "\n\n")
        let pipeline = try Self.pipeline(store: store, configuration: .init(chunker: Chunker(targetCharacters: 90, overlapCharacters: 0)))
        let report = try await pipeline.ingest(IngestDocument(content: .text(text), source: "wiki.txt"))
        let hits = try await store.search(try LocalEmbeddings(dimensions: 256).vector(for: paragraph), k: 10, filter: .none)
        #expect(hits.filter { $0.content == paragraph }.count == 1)
        let stored = try await store.chunkCount()
        #expect(report.chunkCount == stored)
    }

    @Test("progress climbs batch by batch to every chunk")
    func progress() async throws {
        let reports = Mutex<[IngestProgress]>([])
        let pipeline = try Self.pipeline(store: MemoryVectorStore(dimensions: 256))
        let text = (1...12).map { "Paragraph number \($0) talks about topic \($0) at some length." }.joined(separator: "\n\n")
        let report = try await pipeline.ingest(IngestDocument(content: .text(text), source: "long.txt")) { progress in
            reports.withLock { $0.append(progress) }
        }
        let seen = reports.withLock { $0 }
        #expect(seen.first == IngestProgress(embeddedChunks: 0, totalChunks: report.chunkCount))
        #expect(seen.last == IngestProgress(embeddedChunks: report.chunkCount, totalChunks: report.chunkCount))
        #expect(seen.count == 1 + (report.chunkCount + 1) / 2)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.embeddedChunks < $1.embeddedChunks })
    }

    @Test("unsupported formats and empty documents are refused with what to send instead")
    func refusals() async throws {
        let store = MemoryVectorStore(dimensions: 256)
        let pipeline = try Self.pipeline(store: store)
        await #expect(throws: IngestError.unsupportedFormat(source: "slides.pptx", contentType: "application/vnd.ms-powerpoint")) {
            try await pipeline.ingest(IngestDocument(content: .bytes(Data([1, 2, 3])), source: "slides.pptx",
                                                     contentType: "application/vnd.ms-powerpoint"))
        }
        do {
            try await pipeline.ingest(IngestDocument(content: .text("<html><script>x()</script></html>"), source: "blank.html"))
            Issue.record("an empty document was accepted")
        } catch let error as IngestError {
            #expect(error == .emptyDocument(source: "blank.html"))
            #expect(error.isPermanent)
            #expect(error.description.contains("no text"))
        }
        let unsupported = IngestError.unsupportedFormat(source: "a.pdf", contentType: nil)
        #expect(unsupported.description.contains("text/plain"))
        // An octet-stream upload is read by its extension.
        let report = try await pipeline.ingest(IngestDocument(content: .text("Plain words here."), source: "notes.md",
                                                              contentType: "application/octet-stream"))
        #expect(report.stored)
        #expect(try await store.documentCount() == 1)
    }

    @Test("the pipeline keeps twice `concurrency` batches going, so answers are read while the next requests wait")
    func boundedConcurrency() async throws {
        let embedder = try SlowEmbeddings(base: LocalEmbeddings(dimensions: 64), delay: .milliseconds(30))
        let store = MemoryVectorStore(dimensions: 64)
        let pipeline = try Self.pipeline(store: store, embedder: embedder, configuration: .init(
            chunker: Chunker(targetCharacters: 60, overlapCharacters: 0), batchSize: 1, concurrency: 3))
        let text = (1...12).map { "Sentence \($0) is a paragraph on its own." }.joined(separator: "\n\n")
        let report = try await pipeline.ingest(IngestDocument(content: .text(text), source: "many.txt"))
        #expect(report.chunkCount == 12)
        #expect(embedder.peak == 6)
    }

    @Test("with Gemini, requests in flight never exceed its limit, and reach it")
    func geminiRequestsInFlightStayBounded() async throws {
        let fake = try await FakeGeminiServer.start(latency: .milliseconds(40))
        let gemini = try GeminiEmbeddings(configuration: GeminiConfiguration(
            apiKey: FakeGeminiServer.apiKey, dimensions: 768, baseURL: fake.baseURL, batchSize: 1,
            maximumConcurrentRequests: 3, retry: .none))
        let pipeline = try Self.pipeline(store: MemoryVectorStore(dimensions: 768), embedder: gemini, configuration: .init(
            chunker: Chunker(targetCharacters: 60, overlapCharacters: 0), batchSize: 1, concurrency: 3))
        let text = (1...12).map { "Sentence \($0) is a paragraph on its own." }.joined(separator: "\n\n")
        let report = try await pipeline.ingest(IngestDocument(content: .text(text), source: "many.txt"))
        #expect(report.chunkCount == 12)
        #expect(fake.peakConcurrentRequests == 3)
        await fake.stop()
    }

    @Test("an embedder failing mid-document stores nothing; the same document succeeds afterwards")
    func failingEmbedder() async throws {
        let store = MemoryVectorStore(dimensions: 64)
        let counter = GenerationCounter()
        let flaky = try SlowEmbeddings(base: LocalEmbeddings(dimensions: 64), delay: .zero, failingCall: 3)
        let configuration = IngestPipeline.Configuration(chunker: Chunker(targetCharacters: 60, overlapCharacters: 0), batchSize: 2, concurrency: 1)
        let pipeline = try Self.pipeline(store: store, embedder: flaky, counter: counter, configuration: configuration)
        let text = (1...10).map { "Sentence \($0) is a paragraph on its own." }.joined(separator: "\n\n")
        let document = IngestDocument(content: .text(text), source: "ten.txt")
        do {
            try await pipeline.ingest(document)
            Issue.record("ingest succeeded although the third embedding call failed")
        } catch let error as IngestError {
            guard case .embeddingFailed(_, _, let transient) = error else { Issue.record("unexpected \(error)"); return }
            #expect(transient)
            #expect(!error.isPermanent)
        }
        #expect(flaky.calls >= 3)
        #expect(try await store.documentCount() == 0)
        #expect(try await store.chunkCount() == 0)
        #expect(counter.count == 0)

        let report = try await pipeline.ingest(document)
        #expect(report.stored && report.chunkCount == 10)
        #expect(try await store.chunkCount() == 10)
        #expect(counter.count == 1)
    }

    @Test("Gemini refusing the request is a permanent failure naming the cause, and nothing is stored")
    func geminiRefusal() async throws {
        let fake = try await FakeGeminiServer.start()
        fake.failNext(10, status: 400)
        let store = MemoryVectorStore(dimensions: 768)
        let gemini = try GeminiEmbeddings(configuration: GeminiConfiguration(
            apiKey: FakeGeminiServer.apiKey, dimensions: 768, baseURL: fake.baseURL, retry: .none))
        let pipeline = try Self.pipeline(store: store, embedder: gemini)
        let result = await #expect(throws: IngestError.self) {
            try await pipeline.ingest(IngestDocument(content: .text(Self.corpus[1].1), source: Self.corpus[1].0))
        }
        #expect(result?.isPermanent == true)
        #expect(try await store.chunkCount() == 0)
        await fake.stop()
    }
}
