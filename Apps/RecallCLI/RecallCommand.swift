import ArgumentParser

@main
struct RecallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall",
        abstract: "Operate Recall from the terminal: configuration, cache, documents, jobs and questions.",
        subcommands: [
            ConfigCommand.self, CacheCommand.self, EmbedCommand.self, DbCommand.self, IngestCommand.self,
            JobsCommand.self, AskCommand.self, SearchCommand.self, DoctorCommand.self, CompletionsCommand.self,
        ]
    )
}
