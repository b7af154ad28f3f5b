import AppSupport
import ArgumentParser
import ConfigKit
import Foundation

@main
struct RecallWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-worker",
        abstract: "Run Recall's background jobs (ingest, scraping, cleanup) and the beat scheduler.",
        discussion: """
            Reads the same .env as every Recall program (defaults < .env < environment). \
            The queue lives in the Redis named by BROKER_URL, or the cache's Redis (REDIS_URL) when unset. \
            process_document and scrape_url are served when DATABASE_URL is set (the database is \
            migrated at start, and a stored vector dimension other than EMBEDDING_DIM stops start-up \
            with exit 78). \
            /metrics and /health are served on WORKER_METRICS_HOST:WORKER_METRICS_PORT (0 turns them off). \
            SIGTERM or SIGINT stops fetching, lets running jobs finish within WORKER_SHUTDOWN_GRACE_SECONDS, \
            and exits 0.

            Examples:
              recall-worker run --concurrency 8
              recall-worker beat
              recall-worker all
            """,
        subcommands: [Run.self, Beat.self, All.self]
    )

    struct Common: ParsableArguments {
        @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
        var envFile: String?

        @Flag(name: .long, help: "Also serve the diagnostics.noop, diagnostics.sleep and diagnostics.fail tasks (tests, benchmarks).")
        var diagnosticTasks = false
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Process queued jobs.",
            discussion: """
                With --exit-when-idle the worker exits once nothing is queued, running or retrying, \
                and prints `recall-worker: drained processed=N seconds=S jobs_per_second=R`: \
                enqueue a backlog, then time its drain.
                """
        )
        @OptionGroup var common: Common
        @Option(help: "Jobs processed at the same time (default: WORKER_CONCURRENCY).") var concurrency: Int?
        @Flag(help: "Exit once the whole queue is drained instead of waiting for more jobs.") var exitWhenIdle = false

        func validate() throws {
            if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        }

        func run() async throws {
            try await WorkerRuntime.start(
                .init(worker: true, beat: false, concurrency: concurrency, exitWhenIdle: exitWhenIdle,
                      diagnosticTasks: common.diagnosticTasks),
                envFile: common.envFile
            )
        }
    }

    struct Beat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dispatch scheduled jobs (BEAT_SCHEDULE); one leader across all beat processes."
        )
        @OptionGroup var common: Common

        func run() async throws {
            try await WorkerRuntime.start(
                .init(worker: false, beat: true, concurrency: nil, exitWhenIdle: false, diagnosticTasks: false),
                envFile: common.envFile
            )
        }
    }

    struct All: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Worker and beat in one process, for small deployments.")
        @OptionGroup var common: Common
        @Option(help: "Jobs processed at the same time (default: WORKER_CONCURRENCY).") var concurrency: Int?

        func validate() throws {
            if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        }

        func run() async throws {
            try await WorkerRuntime.start(
                .init(worker: true, beat: true, concurrency: concurrency, exitWhenIdle: false,
                      diagnosticTasks: common.diagnosticTasks),
                envFile: common.envFile
            )
        }
    }
}
