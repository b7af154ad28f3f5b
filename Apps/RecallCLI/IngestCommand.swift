import AppSupport
import ArgumentParser
import ConfigKit
import Foundation

/// `recall ingest`: add documents to the corpus, in this process or through the job queue.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest files, folders or a URL: in this process (--direct) or as jobs for recall-worker.",
        discussion: """
            Folders are searched recursively for .txt, .md and .html files. Documents are identified \
            by their content: ingesting the same text again stores nothing.

            --direct runs the pipeline here, against DATABASE_URL (required), with a progress bar \
            on a terminal. Without it, each file (or the --url) becomes a process_document \
            (scrape_url) job on the queue in BROKER_URL/REDIS_URL; --wait follows the jobs until \
            they finish. URLs are always fetched by a worker, behind its SSRF guard. With --server \
            URL the files (and the --url) go to that recall-server's POST /api/v1/ingest (and \
            /ingest/url) instead of the broker, --wait follows them through GET /api/v1/jobs/ID, \
            and the tenant is the API key's; --json prints the same fields either way.

            Exit status: 0 all done; 1 some document or job failed; 2 usage; 78 configuration \
            invalid (or DATABASE_URL / broker missing).

            Examples:
              recall ingest docs/ --direct
              recall ingest handbook.md policies/ --wait --json
              recall ingest --url https://example.com/handbook.html --wait
              recall ingest handbook.md --server http://127.0.0.1:8000 --wait
            """
    )

    @Argument(help: "Files or folders to ingest.") var paths: [String] = []
    @Option(help: "A URL to ingest (through a worker's scrape_url).") var url: String?
    @Flag(help: "Run the pipeline in this process instead of enqueueing jobs.") var direct = false
    @Flag(help: "Wait for the enqueued jobs to finish, showing their progress.") var wait = false
    @Option(help: "Tenant that owns the documents (default: the default tenant).") var tenant: String?
    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).") var envFile: String?
    @Flag(help: "Print JSON instead of text.") var json = false
    @OptionGroup var remote: ServerOptions

    func validate() throws {
        if paths.isEmpty && url == nil {
            throw ValidationError("give files or folders to ingest, or --url URL")
        }
        if direct && url != nil {
            throw ValidationError("--url is fetched by a worker (behind its SSRF guard); drop --direct")
        }
        if direct && wait {
            throw ValidationError("--wait follows queued jobs; --direct already waits")
        }
        if direct && remote.url != nil {
            throw ValidationError("--direct runs the pipeline in this process; drop it to ingest through --server")
        }
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--url must start with http:// or https://")
        }
    }

    func run() async throws {
        let settings = ProgramStart.loadSettings(envFile: envFile, program: "recall ingest").settings
        let files: [String]
        do {
            files = try IngestFiles.collect(paths)
        } catch {
            throw CommandOutput.failure("ingest", "\(error)")
        }
        if !paths.isEmpty && files.isEmpty && url == nil {
            throw CommandOutput.failure("ingest", "no .txt, .md or .html files found in \(paths.joined(separator: ", "))")
        }
        if direct {
            try await DirectIngest(settings: settings, tenant: tenant ?? "", json: json).run(files)
        } else {
            let server = try RemoteServer.open(remote, envFile: envFile, command: "ingest", tenant: tenant)
            try await QueuedIngest(settings: settings, tenant: tenant ?? "", json: json, wait: wait).run(files, url: url, server: server)
        }
    }
}
