import ArgumentParser
import EmbeddingsKit
import Foundation
import IngestKit
import VectorStoreKit

/// Ingest throughput through the whole pipeline against a (fake) Gemini with fixed latency,
/// compared with the bound that latency sets: concurrency × batch size per round trip.
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Chunks per second ingested through IngestPipeline against fake-gemini (run it with --latency-ms)."
    )

    @Option(help: "Base URL of fake-gemini.") var geminiURL: String
    @Option(help: "The API key fake-gemini accepts.") var apiKey = "fake-gemini-test-key"
    @Option(help: "The latency fake-gemini adds per request, in milliseconds (for the bound).") var latencyMs = 100
    @Option(help: "Embedding requests in flight (INGEST_CONCURRENCY).") var concurrency = 4
    @Option(help: "Chunks per request (INGEST_BATCH_SIZE).") var batchSize = 100
    @Option(help: "Documents to ingest, one after another.") var documents = 4
    @Option(help: "Chunks per document.") var chunksPerDocument = 2000
    @Option(help: "Vector dimensions.") var dim = 768
    @Option(help: "Documents ingested at once, as recall-worker --concurrency N runs N jobs; requests in flight stay capped at --concurrency by the client.")
    var documentsAtOnce = 1

    func run() async throws {
        let gemini = try GeminiEmbeddings(configuration: GeminiConfiguration(
            apiKey: apiKey, dimensions: dim, baseURL: geminiURL, batchSize: batchSize,
            maximumConcurrentRequests: concurrency, retry: .none))
        // Vectors are kept in memory so the figure is the pipeline's and the embedding round
        // trips', which the bound is about; storing in PostgreSQL adds one upsert per document.
        let store = MemoryVectorStore(dimensions: dim)
        let pipeline = IngestPipeline(store: store, embedder: gemini, configuration: .init(
            chunker: Chunker(targetCharacters: 200, overlapCharacters: 0), batchSize: batchSize, concurrency: concurrency))
        // A warm-up document opens the connections before timing.
        try await pipeline.ingest(IngestDocument(content: .text(Self.text(document: -1, chunks: concurrency * batchSize)), source: "warmup.txt"))
        let texts = (0..<documents).map { Self.text(document: $0, chunks: chunksPerDocument) }
        let start = ContinuousClock.now
        let chunks = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            func addDocument() {
                let index = next
                next += 1
                group.addTask {
                    try await pipeline.ingest(IngestDocument(content: .text(texts[index]), source: "bench-\(index).txt")).chunkCount
                }
            }
            while next < texts.count && next < documentsAtOnce { addDocument() }
            var chunks = 0
            while let count = try await group.next() {
                chunks += count
                if next < texts.count { addDocument() }
            }
            return chunks
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let bound = Double(concurrency * batchSize) / (Double(latencyMs) / 1000)
        report("ingest_chunks_per_second", Double(chunks) / elapsed, unit: "chunks/s",
               detail: String(format: "%d chunks in %.2f s; concurrency %d x batch %d; %d document(s) at once",
                              chunks, elapsed, concurrency, batchSize, documentsAtOnce))
        report("ingest_bound_chunks_per_second", bound, unit: "chunks/s", detail: "concurrency x batch / latency")
    }

    /// `chunks` distinct paragraphs of about 150 characters: each becomes one chunk of 200.
    static func text(document: Int, chunks: Int) -> String {
        (0..<chunks).map { index in
            "Document \(document) paragraph \(index): the travel policy covers trains, flights and hotels; approval rules differ by amount and region."
        }.joined(separator: "\n\n")
    }
}
