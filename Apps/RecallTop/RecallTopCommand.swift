import AppSupport
import ArgumentParser
import ConfigKit

@main
struct RecallTopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-top",
        abstract: "A live terminal dashboard of a running recall-server: hit rate, requests, jobs."
    )

    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    @Option(name: .long, help: "URL of the recall-server to watch (default: http://HOST:PORT from .env).")
    var server: String?

    func run() throws {
        let settings = ProgramStart.loadSettings(envFile: envFile, program: "recall-top").settings
        let target = server ?? "http://\(settings.host):\(settings.port)"
        print("recall-top: would watch \(target); the dashboard is not part of this build yet.")
    }
}
