import AppSupport
import ArgumentParser
import ConfigKit
import Foundation
import Logging
import VectorStoreKit

/// `recall db …`: the PostgreSQL schema and its vectors.
struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Migrate and inspect the PostgreSQL vector store; re-embed at another dimension.",
        discussion: """
            Works on the database named by DATABASE_URL.

            Exit status: 0 done; 1 failed (status: schema not ready); 78 configuration invalid, \
            DATABASE_URL unset, or the stored dimension differs from EMBEDDING_DIM.

            Example:
              recall db migrate && recall db status --json
            """,
        subcommands: [DbMigrateCommand.self, DbStatusCommand.self, DbReembedCommand.self]
    )
}

/// Options of every `recall db` command.
struct DbOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}

/// The settings and a pool on DATABASE_URL, for one `recall db` command.
struct DbContext {
    let settings: Settings
    let pool: PostgresPool

    static func open(_ options: DbOptions, command: String) throws -> DbContext {
        let settings = ProgramStart.loadSettings(envFile: options.envFile, program: "recall db \(command)").settings
        guard let url = settings.databaseURL else {
            throw CommandOutput.configurationError("db \(command)", "DATABASE_URL is not set: point it at PostgreSQL with pgvector (postgresql://user@host:5432/db)")
        }
        do {
            return DbContext(settings: settings, pool: try PostgresPool(url: url, size: 1, logger: Logger(label: "recall.db")))
        } catch {
            throw CommandOutput.configurationError("db \(command)", "DATABASE_URL cannot be used: \(error)")
        }
    }
}

struct DbMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (safe to repeat, and from several processes).",
        discussion: """
            A new database gets vector(EMBEDDING_DIM) columns; an existing one must match EMBEDDING_DIM.

            Example:
              DATABASE_URL=postgresql://recall@127.0.0.1:5432/recall EMBEDDING_DIM=768 recall db migrate
            """
    )
    @OptionGroup var options: DbOptions

    struct Output: Encodable {
        let applied: [Int]
        let dimensions: Int
    }

    func run() async throws {
        let context = try DbContext.open(options, command: "migrate")
        defer { Task { await context.pool.close() } }
        let applied: [Int]
        do {
            applied = try await Migrator(pool: context.pool, dimensions: context.settings.embeddingDimensions).migrate()
        } catch let mismatch as DimensionMismatch {
            throw CommandOutput.configurationError("db migrate", mismatch.description)
        } catch {
            throw CommandOutput.failure("db migrate", "\(error)")
        }
        if options.json {
            try CommandOutput.printJSON(Output(applied: applied, dimensions: context.settings.embeddingDimensions))
        } else if applied.isEmpty {
            print("schema up to date (vector(\(context.settings.embeddingDimensions)))")
        } else {
            print("applied migrations \(applied.map(String.init).joined(separator: ", ")); vectors are vector(\(context.settings.embeddingDimensions))")
        }
    }
}

struct DbStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show applied migrations, the stored vector dimension against EMBEDDING_DIM, the index and row counts.",
        discussion: """
            Exits 1 when the schema is not ready for this configuration (pending migrations, a \
            dimension other than EMBEDDING_DIM, or no HNSW index).

            Example:
              recall db status --json
            """
    )
    @OptionGroup var options: DbOptions

    struct Output: Encodable {
        let applied: [Int]
        let pending: [Int]
        let storedDimensions: Int?
        let configuredDimensions: Int
        let hnswIndex: Bool
        let documents: Int?
        let chunks: Int?
        let ready: Bool

        enum CodingKeys: String, CodingKey {
            case applied, pending, documents, chunks, ready
            case storedDimensions = "stored_dimensions"
            case configuredDimensions = "configured_dimensions"
            case hnswIndex = "hnsw_index"
        }
    }

    func run() async throws {
        let context = try DbContext.open(options, command: "status")
        defer { Task { await context.pool.close() } }
        let output: Output
        do {
            let status = try await Migrator(pool: context.pool, dimensions: context.settings.embeddingDimensions).status()
            let pool = context.pool
            let index = try await pool.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'chunks' AND indexdef ILIKE '%USING hnsw%content_vector%'").scalar
            let hasTables = status.storedDimensions != nil
            let documents = hasTables ? Int(try await pool.execute("SELECT count(*) FROM documents").scalar ?? "") : nil
            let chunks = hasTables ? Int(try await pool.execute("SELECT count(*) FROM chunks").scalar ?? "") : nil
            let hnsw = (Int(index ?? "0") ?? 0) > 0
            output = Output(
                applied: status.applied, pending: status.pending, storedDimensions: status.storedDimensions,
                configuredDimensions: context.settings.embeddingDimensions, hnswIndex: hnsw, documents: documents, chunks: chunks,
                ready: status.isUpToDate && status.storedDimensions == context.settings.embeddingDimensions && hnsw)
        } catch {
            throw CommandOutput.failure("db status", "\(error)")
        }
        if options.json {
            try CommandOutput.printJSON(output)
        } else {
            print("migrations applied: \(output.applied.isEmpty ? "none" : output.applied.map(String.init).joined(separator: ", "))")
            print("migrations pending: \(output.pending.isEmpty ? "none" : output.pending.map(String.init).joined(separator: ", "))")
            let stored = output.storedDimensions.map(String.init) ?? "no chunks table"
            let verdict = output.storedDimensions == output.configuredDimensions ? "matches" : "DIFFERS from"
            print("vector dimension: \(stored) (\(verdict) EMBEDDING_DIM=\(output.configuredDimensions))")
            print("HNSW index: \(output.hnswIndex ? "present" : "missing")")
            print("documents: \(output.documents.map(String.init) ?? "-"), chunks: \(output.chunks.map(String.init) ?? "-")")
            if !output.ready {
                print(output.pending.isEmpty && output.storedDimensions != nil
                      ? "not ready: set EMBEDDING_DIM=\(output.storedDimensions!) or run `recall db reembed --dim \(output.configuredDimensions)`"
                      : "not ready: run `recall db migrate`")
            }
        }
        if !output.ready { throw ExitCode.failure }
    }
}
