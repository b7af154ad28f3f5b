import AppSupport
import ArgumentParser
import ConfigKit
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect Recall's configuration.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print the effective settings, secrets masked.",
            discussion: """
                Applies defaults < .env < environment, reports every problem at once, and shows
                which backend each part would use. Exits 0 when valid, 78 when not.

                Example:
                  recall config check --env-file deploy/.env --json
                """
        )

        @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
        var envFile: String?

        @Flag(name: .long, help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            ProgramStart.ignoreBrokenPipes()
            let report: ConfigReport
            do {
                let loaded = try SettingsLoader.load(envFile: envFile)
                report = ConfigReport(
                    valid: true, envFile: loaded.settings.envFilePath, settings: loaded.redacted,
                    backends: BackendPlan(settings: loaded.settings), problems: [], warnings: loaded.warnings
                )
            } catch {
                report = ConfigReport(valid: false, envFile: nil, settings: nil, backends: nil, problems: error.problems, warnings: [])
            }
            print(json ? report.json() : report.text())
            if !report.valid { throw ExitCode(ProgramStart.configurationErrorExitCode) }
        }
    }
}

/// The output of `recall config check`, in both formats.
struct ConfigReport: Encodable {
    let valid: Bool
    let envFile: String?
    let settings: [RedactedSetting]?
    let backends: BackendPlan?
    let problems: [ConfigurationProblem]
    let warnings: [String]

    enum CodingKeys: String, CodingKey {
        case valid, envFile = "env_file", settings, backends, problems, warnings
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    func text() -> String {
        var lines: [String] = []
        guard valid, let settings, let backends else {
            lines.append("Configuration is not valid (\(problems.count) problem\(problems.count == 1 ? "" : "s")):")
            for problem in problems {
                lines.append("  ✗ \(problem.variable)\(problem.value.map { "=\($0)" } ?? "")")
                lines.append("      \(problem.problem).")
                lines.append("      Fix: \(problem.fix).")
            }
            return lines.joined(separator: "\n")
        }
        lines.append("Configuration is valid (.env: \(envFile ?? "none found")).")
        lines.append("")
        lines.append("Backends:")
        lines.append("  cache       \(backends.cache)")
        lines.append("  vectors     \(backends.vectors)")
        lines.append("  embeddings  \(backends.embeddings)")
        lines.append("  answers     \(backends.answers)")
        lines.append("  jobs        \(backends.jobs)")
        lines.append("")
        lines.append("Settings:")
        let width = settings.map(\.name.count).max() ?? 0
        for setting in settings {
            let name = setting.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let value = setting.value.isEmpty ? "(unset)" : setting.value
            lines.append("  \(name)  \(value)  [\(setting.source.rawValue)]")
        }
        for warning in warnings { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n")
    }
}
