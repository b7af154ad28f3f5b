import AppSupport
import ArgumentParser

@main
struct RecallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall",
        abstract: "Operate Recall from the terminal: configuration, cache, documents, jobs and questions.",
        discussion: """
            Every command reads the same settings as the server (defaults < .env < environment). \
            Exit status: 0 done; 1 failed (or a negative answer, such as a missing key); 2 usage \
            error; 69 a service (Redis, PostgreSQL, Gemini) not configured or not answering; 78 \
            configuration invalid.

            Example:
              recall doctor
            """,
        subcommands: [
            ConfigCommand.self, CacheCommand.self, EmbedCommand.self, DbCommand.self, IngestCommand.self,
            JobsCommand.self, AskCommand.self, SearchCommand.self, DoctorCommand.self, CompletionsCommand.self,
            ReferenceCommand.self,
        ]
    )

    /// Usage errors exit 2, not swift-argument-parser's 64 (see `CommandLineMain`).
    static func main() async {
        await CommandLineMain.run(Self.self)
    }
}
