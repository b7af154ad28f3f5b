import Foundation
import TestSupport
import Testing

/// `recall db` and `recall ingest`, run as the real program against a scratch PostgreSQL database
/// (and the test Redis plus a recall-worker process for queued ingest), with local embeddings.
@Suite("recall db and recall ingest", .serialized, .enabled(if: TestServices.isAvailable(.postgres)))
struct IngestCommandTests {
    struct Status: Decodable {
        let applied: [Int]
        let pending: [Int]
        let stored_dimensions: Int?
        let configured_dimensions: Int
        let hnsw_index: Bool
        let documents: Int?
        let chunks: Int?
        let ready: Bool
    }

    struct FileResult: Decodable {
        let path: String
        let status: String
        let chunks: Int?
        let error: String?
    }

    struct JobResult: Decodable {
        let source: String
        let job_id: String
        let status: String
        let error: String?
    }

    static func environment(_ database: ScratchDatabase, _ extra: [String: String] = [:]) -> [String: String] {
        ["DATABASE_URL": database.url, "EMBEDDING_PROVIDER": "local", "EMBEDDING_DIM": "768", "CACHE_BACKEND": "memory"]
            .merging(extra) { $1 }
    }

    /// A folder with one document of each format, a nested one, and a file of another type.
    static func corpus() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recall-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nested"), withIntermediateDirectories: true)
        let files = [
            "leave.md": "# Leave\n\nTwenty vacation days a year; ask your manager two weeks ahead.",
            "expenses.txt": "Expense reports are due within thirty days, with receipts.",
            "nested/security.html": "<html><title>Security</title><p>Wear your badge at all times.</p></html>",
            "slides.pdf": "%PDF-1.4 not text",
        ]
        for (name, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        return folder
    }

    static func decode<T: Decodable>(_ type: T.Type, _ output: TestPrograms.Output) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(output.standardOutput.utf8))
    }

    @Test("db migrate, then status reports the schema, the dimension against EMBEDDING_DIM, the index and counts")
    func migrateAndStatus() throws {
        let database = try ScratchDatabase.create()
        defer { database.drop() }
        let before = try TestPrograms.run("recall", ["db", "status", "--json"], environment: Self.environment(database))
        #expect(before.status == 1)
        #expect(try Self.decode(Status.self, before).stored_dimensions == nil)

        let migrate = try TestPrograms.run("recall", ["db", "migrate"], environment: Self.environment(database))
        #expect(migrate.status == 0, "\(migrate.standardError)")
        #expect(migrate.standardOutput.contains("applied migrations 1, 2, 3, 4, 5"))
        let again = try TestPrograms.run("recall", ["db", "migrate", "--json"], environment: Self.environment(database))
        #expect(again.standardOutput.contains("\"applied\":[]"))

        let status = try TestPrograms.run("recall", ["db", "status", "--json"], environment: Self.environment(database))
        #expect(status.status == 0, "\(status.standardError)")
        let report = try Self.decode(Status.self, status)
        #expect(report.applied == [1, 2, 3, 4, 5] && report.pending.isEmpty)
        #expect(report.stored_dimensions == 768 && report.configured_dimensions == 768)
        #expect(report.hnsw_index && report.ready)
        #expect(report.documents == 0 && report.chunks == 0)

        let other = try TestPrograms.run("recall", ["db", "status"], environment: Self.environment(database, ["EMBEDDING_DIM": "1536"]))
        #expect(other.status == 1)
        #expect(other.standardOutput.contains("DIFFERS"))
        let refused = try TestPrograms.run("recall", ["db", "migrate"], environment: Self.environment(database, ["EMBEDDING_DIM": "1536"]))
        #expect(refused.status == 78)
        #expect(refused.standardError.contains("EMBEDDING_DIM=768") && refused.standardError.contains("recall db reembed --dim 1536"))
    }

    @Test("without DATABASE_URL db commands and --direct are configuration errors; no paths is a usage error")
    func refusals() throws {
        let status = try TestPrograms.run("recall", ["db", "status"], environment: ["EMBEDDING_PROVIDER": "local"])
        #expect(status.status == 78)
        #expect(status.standardError.contains("DATABASE_URL"))
        let direct = try TestPrograms.run("recall", ["ingest", "/tmp", "--direct"], environment: ["EMBEDDING_PROVIDER": "local"])
        #expect(direct.status == 78)
        let usage = try TestPrograms.run("recall", ["ingest"])
        #expect(usage.status == 2)
        #expect(usage.standardError.contains("--url"))
    }

    @Test("ingest --direct reads a folder recursively, a second run stores nothing, and reembed switches the dimension")
    func direct() throws {
        let database = try ScratchDatabase.create()
        defer { database.drop() }
        let folder = try Self.corpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TestPrograms.run("recall", ["ingest", folder.path, "--direct", "--json"], environment: Self.environment(database))
        #expect(first.status == 0, "\(first.standardError)")
        let results = try Self.decode([FileResult].self, first)
        #expect(results.map { URL(fileURLWithPath: $0.path).lastPathComponent }.sorted() == ["expenses.txt", "leave.md", "security.html"])
        #expect(results.allSatisfy { $0.status == "stored" })
        let chunks = try database.query("SELECT count(*) FROM chunks")
        #expect(Int(chunks) == results.compactMap(\.chunks).reduce(0, +))

        let second = try TestPrograms.run("recall", ["ingest", folder.path, "--direct"], environment: Self.environment(database))
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("0 stored, 3 unchanged, 0 failed"))
        #expect(try database.query("SELECT count(*) FROM chunks") == chunks)

        let pdf = try TestPrograms.run("recall", ["ingest", folder.appendingPathComponent("slides.pdf").path, "--direct"],
                                       environment: Self.environment(database))
        #expect(pdf.status == 1)
        #expect(pdf.standardOutput.contains("unsupported format"))

        let reembed = try TestPrograms.run("recall", ["db", "reembed", "--dim", "1536", "--json"], environment: Self.environment(database))
        #expect(reembed.status == 0, "\(reembed.standardError)")
        #expect(reembed.standardOutput.contains("\"to_dimensions\":1536"))
        #expect(reembed.standardOutput.contains("\"chunks_embedded\":\(chunks)"))
        let status = try TestPrograms.run("recall", ["db", "status", "--json"], environment: Self.environment(database, ["EMBEDDING_DIM": "1536"]))
        #expect(try Self.decode(Status.self, status).ready)
    }

    @Test("ingest --wait enqueues jobs that a recall-worker process runs, and reports them succeeded",
          .enabled(if: TestServices.isAvailable(.redis)))
    func queued() async throws {
        let database = try ScratchDatabase.create()
        defer { database.drop() }
        let folder = try Self.corpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = Self.environment(database, [
            "BROKER_URL": try TestServices.url(.redis), "JOB_KEY_PREFIX": "recall-test:cli:\(UUID().uuidString.prefix(8))",
            "WORKER_METRICS_PORT": "0",
        ])
        _ = try await TestPrograms.runDetached("recall", ["db", "migrate"], environment: environment)
        let worker = try WorkerProcess(["run"], environment: environment)
        let output = try await TestPrograms.runDetached("recall", ["ingest", folder.appendingPathComponent("leave.md").path,
                                                                   folder.appendingPathComponent("nested").path, "--wait", "--json"],
                                                        environment: environment)
        _ = await worker.terminate()
        #expect(output.status == 0, "\(output.standardError)\n\(worker.log)")
        let jobs = try Self.decode([JobResult].self, output)
        #expect(jobs.count == 2)
        #expect(jobs.allSatisfy { $0.status == "succeeded" })
        #expect(try database.query("SELECT count(*) FROM documents") == "2")
    }
}
