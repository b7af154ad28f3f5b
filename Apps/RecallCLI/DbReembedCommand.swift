import ArgumentParser
import EmbeddingsKit
import Foundation
import Synchronization
import VectorStoreKit

struct DbReembedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reembed",
        abstract: "Re-embed every chunk at another dimension and switch the vector column to it.",
        discussion: """
            Resumable: interrupted, it continues where it stopped. Searches keep using the old \
            vectors until the final swap. Afterwards set EMBEDDING_DIM to the new size and restart \
            every Recall process.

            Example:
              recall db reembed --dim 1536
            """
    )
    @OptionGroup var options: DbOptions
    @Option(help: "The new dimension: 768, 1536 or 3072.") var dim: Int
    @Option(help: "Chunks per embedding request and per committed update.") var batchSize = 64

    func validate() throws {
        guard [768, 1536, 3072].contains(dim) else {
            throw ValidationError("--dim \(dim) is not allowed: gemini-embedding-001 takes 768, 1536 or 3072")
        }
        guard (1...100).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 100") }
    }

    struct Output: Encodable {
        let fromDimensions: Int
        let toDimensions: Int
        let chunksEmbedded: Int

        enum CodingKeys: String, CodingKey {
            case fromDimensions = "from_dimensions"
            case toDimensions = "to_dimensions"
            case chunksEmbedded = "chunks_embedded"
        }
    }

    func run() async throws {
        let context = try DbContext.open(options, command: "reembed")
        var settings = context.settings
        settings.embeddingDimensions = dim
        let embedder: any EmbeddingProvider
        let store: PostgresVectorStore
        let total: Int
        do {
            embedder = try EmbeddingProviderFactory.make(settings: settings, cache: nil)
            store = try PostgresVectorStore(pool: context.pool, dimensions: dim)
            total = try await store.chunkCount()
        } catch {
            await context.pool.close()
            throw CommandOutput.failure("db reembed", "\(error)")
        }
        let progress = ProgressLine(label: "re-embedding", unit: "chunks", enabled: !options.json)
        let done = Atomic<Int>(0)
        let report: ReembedReport
        do {
            report = try await store.reembed(to: dim, batchSize: batchSize) { texts in
                let vectors = try await embedder.embed(texts, task: .retrievalDocument)
                let count = done.add(texts.count, ordering: .relaxed).newValue
                progress.update(done: count, total: total)
                return vectors
            }
        } catch {
            progress.finish()
            await context.pool.close()
            throw CommandOutput.failure("db reembed", "\(error)")
        }
        progress.finish()
        await context.pool.close()
        if options.json {
            try CommandOutput.printJSON(Output(fromDimensions: report.fromDimensions, toDimensions: report.toDimensions,
                                               chunksEmbedded: report.chunksEmbedded))
        } else if report.fromDimensions == report.toDimensions {
            print("vectors are already vector(\(dim)); nothing to do")
        } else {
            print("re-embedded \(report.chunksEmbedded) chunks: vector(\(report.fromDimensions)) → vector(\(report.toDimensions)). Now set EMBEDDING_DIM=\(dim) and restart every Recall process.")
        }
    }
}
