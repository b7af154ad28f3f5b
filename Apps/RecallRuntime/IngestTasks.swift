import Foundation
import IngestKit
import JobsKit

/// The ingest job handlers: `process_document` and `scrape_url`.
///
/// Both are idempotent: a document is identified by its content hash, so an attempt that runs
/// again after a crash, a lost lease or a retry stores nothing twice. Failures that the same
/// input can never get past (an unsupported format, a refused URL) are permanent and not retried.
public enum IngestTasks {
    /// How long one attempt may run before it is cancelled and retried.
    public static let timeout: Duration = .seconds(600)

    /// Registers both handlers into `registry`, ingesting through `runtime`.
    public static func register(into registry: inout JobHandlerRegistry, runtime: IngestRuntime) {
        let pipeline = runtime.pipeline
        let scraper = runtime.scraper
        registry.register(TaskName.processDocument, payload: ProcessDocumentPayload.self, timeout: timeout) { payload, context in
            let data = payload.documentData
            let document = IngestDocument(
                content: .bytes(try data.bytes()), source: data.filename, contentType: data.contentType,
                metadata: data.metadata, tenant: data.metadata["tenant"] ?? "")
            return try await ingest(document, with: pipeline, context: context)
        }
        registry.register(TaskName.scrapeURL, payload: ScrapeURLPayload.self, timeout: timeout) { payload, context in
            await context.reportProgress(0, message: "fetching")
            let metadata = payload.options.metadata ?? [:]
            let document = try await scraper.fetch(payload.url, options: payload.options, tenant: metadata["tenant"] ?? "")
            return try await ingest(document, with: pipeline, context: context)
        }
    }

    static func ingest(_ document: IngestDocument, with pipeline: IngestPipeline, context: JobContext) async throws -> IngestReport {
        do {
            return try await pipeline.ingest(document) { progress in
                await context.reportProgress(progress.fraction, message: "embedded \(progress.embeddedChunks) of \(progress.totalChunks) chunks")
            }
        } catch let error as IngestError {
            throw error.isPermanent ? JobFailure.permanent(error.description) : JobFailure.retryable(error.description)
        }
    }
}
