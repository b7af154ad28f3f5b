import AppSupport
import ArgumentParser
import ConfigKit
import Hummingbird
import Logging

@main
struct RecallServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-server",
        abstract: "Serve Recall's chat API over HTTP.",
        discussion: """
            Reads the same .env as every Recall program (defaults < .env < environment).
            SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish and exits 0.

            Example:
              recall-server --env-file /etc/recall/.env
            """
    )

    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    func run() async throws {
        let loaded = ProgramStart.loadSettings(envFile: envFile, program: "recall-server")
        ProgramStart.bootstrapLogging(loaded.settings)
        let logger = Logger(label: "recall-server")
        let app = ServerApplication.make(settings: loaded.settings, logger: logger)
        try await app.runService()
    }
}
