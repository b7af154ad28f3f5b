import AppSupport
import ArgumentParser
import ConfigKit
import Foundation

@main
struct RecallTopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-top",
        abstract: "A live terminal dashboard of a running recall-server: hit rate, requests, jobs.",
        discussion: """
            Polls GET /api/v1/cache/stats, /metrics and /api/v1/jobs every --interval seconds. \
            Keys: q quit, r refresh, j jobs, i invalidate (model, session or pattern), c clear \
            the cache (asks first), ? help. When the server does not answer, the dashboard says \
            "server unreachable — retrying" and keeps trying.

            Example:
              recall-top --server http://127.0.0.1:8000 --interval 2
            """
    )

    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    @Option(name: .long, help: "URL of the recall-server to watch (default: http://HOST:PORT from .env).")
    var server: String?

    @Option(name: .long, help: "Seconds between refreshes (0.2 to 3600).")
    var interval: Double = 2

    @Option(name: .long, help: "Bearer token for the server (default: RECALL_TOKEN). Never shown.")
    var token: String?

    func validate() throws {
        guard interval.isFinite, (0.2...3600).contains(interval) else {
            throw ValidationError("--interval must be between 0.2 and 3600 seconds, not \(interval)")
        }
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server must be an http:// or https:// URL, e.g. http://127.0.0.1:8000")
        }
    }

    /// Usage errors exit 2, not swift-argument-parser's 64 (see `CommandLineMain`).
    static func main() {
        CommandLineMain.runSynchronously(Self.self)
    }

    func run() throws {
        let target: String
        if let server {
            ProgramStart.ignoreBrokenPipes()
            target = server
        } else {
            let settings = ProgramStart.loadSettings(envFile: envFile, program: "recall-top").settings
            let host = settings.host == "0.0.0.0" || settings.host == "::" ? "127.0.0.1" : settings.host
            target = "http://\(host.contains(":") ? "[\(host)]" : host):\(settings.port)"
        }
        let token = self.token ?? ProcessInfo.processInfo.environment["RECALL_TOKEN"]
        let timeout = Duration.milliseconds(Int(min(5, max(1, interval)) * 1000))
        let loop = DashboardLoop(
            api: ServerAPI(base: target, token: token, timeout: timeout),
            state: DashboardState(server: target, interval: interval)
        )
        defer { loop.shutdown() }
        do {
            try loop.run()
        } catch let error as TerminalScreen.NotATerminal {
            FileHandle.standardError.write(Data("recall-top: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
