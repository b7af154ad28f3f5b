import FakeGemini
import Foundation
import IngestKit
import JobsKit
import TestSupport
import Testing

/// recall-worker processes ingesting `process_document` jobs against the real Redis and
/// PostgreSQL, with the fake Gemini API for embeddings.
@Suite("recall-worker ingest", .serialized,
       .enabled(if: TestServices.isAvailable(.redis) && TestServices.isAvailable(.postgres)))
struct WorkerIngestTests {
    /// A scratch database, a queue and a fake Gemini, and the environment that points workers at them.
    struct Scenario {
        let database: ScratchDatabase
        let queue: TestQueue
        let gemini: FakeGeminiServer
        let environment: [String: String]

        init(latency: Duration = .zero, _ settings: [String: String] = [:]) async throws {
            database = try ScratchDatabase.create()
            queue = try TestQueue()
            gemini = try await FakeGeminiServer.start(latency: latency)
            environment = [
                "BROKER_URL": try TestServices.url(.redis),
                "JOB_KEY_PREFIX": queue.queue.keyPrefix,
                "DATABASE_URL": database.url,
                "EMBEDDING_PROVIDER": "gemini",
                "GEMINI_API_KEY": FakeGeminiServer.apiKey,
                "GEMINI_BASE_URL": gemini.baseURL,
                "EMBEDDING_DIM": "768",
                "CACHE_BACKEND": "memory",
                "WORKER_METRICS_PORT": "0",
                "LOG_LEVEL": "info",
            ].merging(settings) { $1 }
        }

        func start() throws -> WorkerProcess {
            try WorkerProcess(["run", "--diagnostic-tasks"], environment: environment)
        }

        func enqueue(_ name: String, _ text: String) async throws -> String {
            try await queue.queue.enqueue(type: TaskName.processDocument, payload: ProcessDocumentPayload(
                jobID: name, documentData: .init(filename: name, contentType: "text/plain", text: text, metadata: ["batch": "test"])))
        }

        func count(_ table: String) throws -> Int {
            Int(try database.query("SELECT count(*) FROM \(table)")) ?? -1
        }

        func close() async {
            await queue.close()
            await gemini.stop()
            database.drop()
        }
    }

    static func document(_ number: Int, paragraphs: Int) -> String {
        (1...paragraphs).map { paragraph in
            "Document \(number), paragraph \(paragraph): " + String(repeating: "policy detail \(paragraph) of \(number). ", count: 30)
        }.joined(separator: "\n\n")
    }

    @Test("a worker process ingests a process_document job end to end and records its progress and result")
    func endToEnd() async throws {
        let scenario = try await Scenario()
        let worker = try scenario.start()
        let id = try await scenario.enqueue("handbook.txt", Self.document(1, paragraphs: 6))
        let records = try await scenario.queue.waitForFinal([id], timeout: .seconds(60))
        _ = await worker.terminate()
        let record = try #require(records.first)
        #expect(record.status == .succeeded, "\(record.error ?? "")\n\(worker.log)")
        #expect(record.progress == 1)
        let report = try JSONDecoder().decode(IngestReport.self, from: try #require(record.result))
        #expect(report.stored)
        #expect(try scenario.count("documents") == 1)
        #expect(try scenario.count("chunks") == report.chunkCount)
        #expect(try scenario.database.query("SELECT metadata->>'batch' FROM documents") == "test")
        await scenario.close()
    }

    @Test("kill -9 of workers mid-job, repeatedly: every job finishes and no chunk is stored twice")
    func killNine() async throws {
        // One chunk per slow embedding request, so every job is mid-way for seconds.
        let scenario = try await Scenario(latency: .milliseconds(250), [
            "INGEST_BATCH_SIZE": "1", "INGEST_CONCURRENCY": "1", "JOB_LEASE_SECONDS": "2",
            "JOB_MAX_ATTEMPTS": "20", "JOB_BACKOFF_BASE_MS": "100", "JOB_BACKOFF_MAX_MS": "500",
        ])
        var ids: [String] = []
        for number in 1...4 {
            ids.append(try await scenario.enqueue("doc\(number).txt", Self.document(number, paragraphs: 8)))
        }
        for _ in 0..<3 {
            let worker = try scenario.start()
            // Wait until some job is running, then let it get part of the way.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await scenario.queue.queue.counts()[.running, default: 0] == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(900))
            worker.killHard()
        }
        let finisher = try scenario.start()
        let records = try await scenario.queue.waitForFinal(ids, timeout: .seconds(120))
        _ = await finisher.terminate()
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0.status == .succeeded }, "\(records.map { "\($0.status) \($0.error ?? "")" })")
        #expect(records.contains { $0.attempts > 1 }, "no job was interrupted, so the test proved nothing")
        let reports = try records.compactMap { try $0.result.map { try JSONDecoder().decode(IngestReport.self, from: $0) } }
        #expect(try scenario.count("documents") == 4)
        #expect(try scenario.count("chunks") == reports.map(\.chunkCount).reduce(0, +))
        #expect(try scenario.database.query("SELECT count(*) FROM (SELECT document_id, content_hash FROM chunks GROUP BY 1, 2 HAVING count(*) > 1) d") == "0")
        await scenario.close()
    }
}
