import EmbeddingsKit
import Foundation
import VectorStoreKit

/// Extract → chunk → dedup → embed in batches → store: one document in, one stored document out.
///
/// A document is stored whole or not at all: every chunk is embedded first, then the document and
/// its chunks go to ``VectorStore/upsertDocument(_:chunks:)`` in one transaction, so a failure at
/// any step (an embedding outage, a cancelled job, a killed worker) leaves nothing behind and the
/// whole ingest can simply run again.
///
/// Ingest is idempotent: documents are identified by a hash of their tenant and extracted text, so
/// ingesting the same content again stores nothing and does not call `onCorpusChanged`. Chunks
/// repeated within a document (boilerplate paragraphs) are stored and embedded once.
///
/// ```swift
/// let pipeline = IngestPipeline(store: store, embedder: embedder) {
///     _ = try? await cache.bumpGeneration()   // answers from the older corpus stop being served
/// }
/// let report = try await pipeline.ingest(IngestDocument(content: .bytes(data), source: "handbook.md")) { progress in
///     print("\(progress.embeddedChunks)/\(progress.totalChunks)")
/// }
/// ```
public final class IngestPipeline: Sendable {
    /// Sizes and limits of the pipeline.
    public struct Configuration: Sendable {
        /// How text is cut into chunks.
        public var chunker: Chunker
        /// Chunks per embedding call (Gemini takes at most 100 per batch request).
        public var batchSize: Int
        /// Embedding requests in flight at once for one document. Throughput grows with it until the
        /// provider's own limit (`GeminiConfiguration.maximumConcurrentRequests`) is reached.
        ///
        /// The pipeline keeps twice as many batches going: while `concurrency` requests wait on the
        /// network, the others encode their request or decode their answer (about 10 ms of CPU for
        /// 100 vectors), so the next request does not wait for the last answer to be read. A
        /// provider with its own limit (Gemini: `maximumConcurrentRequests`, which Recall sets to
        /// `INGEST_CONCURRENCY`) still has at most that many requests in flight.
        public var concurrency: Int

        public init(chunker: Chunker = Chunker(), batchSize: Int = 100, concurrency: Int = 4) {
            precondition(batchSize >= 1, "batchSize must be at least 1")
            precondition(concurrency >= 1, "concurrency must be at least 1")
            self.chunker = chunker
            self.batchSize = batchSize
            self.concurrency = concurrency
        }
    }

    /// Receives progress reports; called from one task at a time, in increasing order.
    public typealias ProgressHandler = @Sendable (IngestProgress) async -> Void

    public let configuration: Configuration
    private let store: any VectorStore
    private let embedder: any EmbeddingProvider
    private let onCorpusChanged: @Sendable () async -> Void

    /// A pipeline that stores into `store` with vectors from `embedder`.
    ///
    /// - Parameter onCorpusChanged: called after a document was added (never when nothing
    ///   changed), typically to advance the response cache's corpus generation.
    public init(
        store: any VectorStore, embedder: any EmbeddingProvider, configuration: Configuration = Configuration(),
        onCorpusChanged: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.embedder = embedder
        self.configuration = configuration
        self.onCorpusChanged = onCorpusChanged
    }

    /// Ingests one document.
    ///
    /// - Throws: ``IngestError`` (its ``IngestError/isPermanent`` says whether retrying can help),
    ///   or `CancellationError` when the task was cancelled before the document was stored.
    @discardableResult
    public func ingest(_ document: IngestDocument, progress: ProgressHandler? = nil) async throws -> IngestReport {
        let prepared = try prepare(document)
        await progress?(IngestProgress(embeddedChunks: 0, totalChunks: prepared.chunks.count))
        let vectors = try await embed(prepared, progress: progress)
        try Task.checkCancellation()
        let newChunks = zip(prepared.chunks, vectors).map { chunk, vector in
            NewChunk(content: chunk.text, contentHash: chunk.contentHash, vector: vector)
        }
        let outcome: UpsertOutcome
        do {
            outcome = try await store.upsertDocument(prepared.document, chunks: newChunks)
        } catch {
            throw IngestError.storeFailed(source: document.source, reason: "\(error)")
        }
        if case .inserted = outcome { await onCorpusChanged() }
        let stored = if case .inserted = outcome { true } else { false }
        return IngestReport(documentID: outcome.documentID, title: prepared.document.title,
                            chunkCount: prepared.chunks.count, stored: stored)
    }

    /// A document ready to embed: its row and its distinct chunks.
    struct Prepared: Sendable {
        let document: NewDocument
        let chunks: [TextChunk]
    }

    func prepare(_ document: IngestDocument) throws(IngestError) -> Prepared {
        let format = try document.format()
        let extracted: ExtractedText
        do {
            extracted = try TextExtractor.extract(document.bytes, format: format)
        } catch {
            throw IngestError.unreadable(source: document.source, reason: "\(error)")
        }
        var seen: Set<String> = []
        let chunks = configuration.chunker.chunk(extracted.text).filter { seen.insert($0.contentHash).inserted }
        guard !chunks.isEmpty else { throw IngestError.emptyDocument(source: document.source) }
        let title = extracted.title ?? document.title ?? Self.title(fromSource: document.source)
        // The tenant is part of the identity: the same text uploaded by two tenants is two documents.
        let contentHash = Chunker.hash("\(document.tenant)\u{0}\(extracted.text)")
        return Prepared(
            document: NewDocument(source: document.source, title: title, contentHash: contentHash,
                                  metadata: document.metadata, tenant: document.tenant),
            chunks: chunks
        )
    }

    /// Embeds every chunk, at most twice ``Configuration/concurrency`` batches at a time (see
    /// there), and returns the vectors in chunk order.
    private func embed(_ prepared: Prepared, progress: ProgressHandler?) async throws -> [[Float]] {
        let chunks = prepared.chunks
        let size = configuration.batchSize
        let starts = Array(stride(from: 0, to: chunks.count, by: size))
        let title = prepared.document.title
        let source = prepared.document.source
        let embedder = self.embedder
        var vectors = [[Float]](repeating: [], count: chunks.count)
        var done = 0
        try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            var next = 0
            func addBatch() {
                let start = starts[next]
                next += 1
                let texts = chunks[start..<min(start + size, chunks.count)].map(\.text)
                group.addTask {
                    try Task.checkCancellation()
                    let batch: [[Float]]
                    do {
                        batch = try await embedder.embed(texts, task: .retrievalDocument,
                                                         titles: Array(repeating: title, count: texts.count))
                    } catch let error as EmbeddingError {
                        let transient = [.rateLimited, .unavailable, .transport].contains(error.kind)
                        throw IngestError.embeddingFailed(source: source, reason: error.message, isTransient: transient)
                    }
                    guard batch.count == texts.count else {
                        throw IngestError.embeddingFailed(
                            source: source, reason: "\(embedder.model) returned \(batch.count) vectors for \(texts.count) texts",
                            isTransient: false)
                    }
                    return (start, batch)
                }
            }
            while next < starts.count && next < 2 * configuration.concurrency { addBatch() }
            while let (start, batch) = try await group.next() {
                vectors.replaceSubrange(start..<start + batch.count, with: batch)
                done += batch.count
                await progress?(IngestProgress(embeddedChunks: done, totalChunks: chunks.count))
                if next < starts.count { addBatch() }
            }
        }
        return vectors
    }

    /// `handbook` for `docs/handbook.md` or `https://example.com/handbook.html?x=1`.
    static func title(fromSource source: String) -> String {
        let path = source.split(separator: "?", maxSplits: 1).first.map(String.init) ?? source
        let last = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return last.isEmpty ? source : last }
        return String(last[..<dot])
    }
}
