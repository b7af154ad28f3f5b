import AppSupport
import ArgumentParser
import ConfigKit
import Foundation
import Logging
import MetricsKit
import RecallServerCore

struct RecallServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-server",
        abstract: "Serve Recall's chat API over HTTP.",
        discussion: """
            Reads the same .env as every Recall program (defaults < .env < environment).
            SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish and exits 0.
            The routes are described in docs/openapi.yaml.

            Example:
              recall-server --env-file /etc/recall/.env
            """
    )

    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    @Option(name: .long, help: "When the document store is empty at start, ingest the documents of this directory.")
    var ingestIfEmpty: String?

    func run() async throws {
        let loaded = ProgramStart.loadSettings(envFile: envFile, program: "recall-server")
        ProgramStart.bootstrapLogging(loaded.settings)
        let logger = Logger(label: "recall-server")
        let metrics = RecallMetrics()
        let components: ServerComponents
        do {
            components = try await ServerComponents.make(settings: loaded.settings, metrics: metrics, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("recall-server: cannot start: \(error)\n".utf8))
            throw ExitCode(ProgramStart.configurationErrorExitCode)
        }
        if let directory = ingestIfEmpty {
            let queued = try await StarterCorpus.ingestIfEmpty(directory, into: components)
            if queued > 0 {
                let base = "http://\(loaded.settings.host):\(loaded.settings.port)"
                // Written at once: stdout to a pipe is block-buffered and would show this only at exit.
                FileHandle.standardOutput.write(Data("""
                    recall-server: the store was empty, so \(queued) documents of \(directory) are being ingested.
                    Recall serves at \(base) — try:
                      curl -s \(base)/api/v1/chat -H 'Content-Type: application/json' -d '{"question": "What does recall-server do?"}'

                    """.utf8))
            }
        }
        try await ServerApplication.run(components: components, logger: logger)
    }
}
