import ArgumentParser
import CacheKit
import ConfigKit
import Foundation
import IngestKit
import Logging
import MetricsKit
import RecallRuntime
import Synchronization

/// `recall ingest --direct`: the pipeline in this process, writing to DATABASE_URL and advancing
/// the shared cache's corpus generation like a worker would.
struct DirectIngest {
    let settings: Settings
    let tenant: String
    let json: Bool

    /// One file's outcome, as `--json` prints it.
    struct FileResult: Encodable {
        let path: String
        let status: String
        let documentID: Int64?
        let chunks: Int?
        let error: String?

        enum CodingKeys: String, CodingKey {
            case path, status, chunks, error
            case documentID = "document_id"
        }
    }

    func run(_ files: [String]) async throws {
        guard settings.databaseURL != nil else {
            throw CommandOutput.configurationError("ingest", "--direct stores into PostgreSQL: set DATABASE_URL (an in-memory store would vanish when this command exits)")
        }
        var logger = Logger(label: "recall.ingest")
        logger.logLevel = .warning
        let cache = await CacheFactory.make(settings: settings, metrics: RecallMetrics(), logger: logger)
        let runtime: IngestRuntime
        do {
            runtime = try await IngestRuntime.open(
                settings: settings, corpusChanged: IngestRuntime.bumpingGeneration(of: cache, logger: logger), logger: logger)
        } catch {
            await cache.shutdown()
            throw CommandOutput.configurationError("ingest", error.message)
        }
        let results = await ingest(files, with: runtime.pipeline)
        await runtime.shutdown()
        await cache.shutdown()
        if json {
            try CommandOutput.printJSON(results)
        } else {
            let count = { (status: String) in results.filter { $0.status == status }.count }
            print("\(count("stored")) stored, \(count("unchanged")) unchanged, \(count("failed")) failed; "
                + "\(results.compactMap(\.chunks).reduce(0, +)) chunks")
        }
        if results.contains(where: { $0.status == "failed" }) { throw ExitCode.failure }
    }

    private func ingest(_ files: [String], with pipeline: IngestPipeline) async -> [FileResult] {
        let progress = ProgressLine(label: "ingesting", unit: "files", enabled: !json)
        let started = ContinuousClock.now
        let chunksBefore = Atomic<Int>(0)
        var results: [FileResult] = []
        for (index, path) in files.enumerated() {
            let result: FileResult
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                let document = IngestDocument(content: .bytes(data), source: path, contentType: IngestFiles.contentType(of: path), tenant: tenant)
                let done = index
                let report = try await pipeline.ingest(document) { step in
                    let chunks = chunksBefore.load(ordering: .relaxed) + step.embeddedChunks
                    let seconds = ProgressLine.seconds(ContinuousClock.now - started)
                    progress.update(done: done, total: files.count,
                                    note: String(format: "%d chunks, %.1f chunks/s", chunks, seconds > 0 ? Double(chunks) / seconds : 0))
                }
                chunksBefore.add(report.chunkCount, ordering: .relaxed)
                result = FileResult(path: path, status: report.stored ? "stored" : "unchanged", documentID: report.documentID,
                                    chunks: report.chunkCount, error: nil)
            } catch {
                result = FileResult(path: path, status: "failed", documentID: nil, chunks: nil, error: "\(error)")
            }
            results.append(result)
            if !json && !CommandOutput.isTerminal || result.status == "failed" {
                progress.finish()
                let detail = result.error ?? "\(result.chunks ?? 0) chunks, document \(result.documentID ?? 0)"
                print("\(result.status) \(path): \(detail)")
            }
        }
        progress.update(done: files.count, total: files.count, note: "\(chunksBefore.load(ordering: .relaxed)) chunks")
        progress.finish()
        return results
    }
}
