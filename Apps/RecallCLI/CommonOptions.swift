import ArgumentParser

/// Options every command that reads the configuration takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}
