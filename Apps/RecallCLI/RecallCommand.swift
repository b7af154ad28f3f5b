import ArgumentParser

@main
struct RecallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall",
        abstract: "Operate Recall from the terminal: configuration, cache, documents and jobs.",
        subcommands: [
            ConfigCommand.self, CacheCommand.self, EmbedCommand.self, DoctorCommand.self, CompletionsCommand.self,
        ]
    )
}
