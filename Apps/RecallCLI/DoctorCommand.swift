import AppSupport
import ArgumentParser
import CacheKit
import Foundation

/// `recall doctor`: the seed's troubleshooting section, run as one command.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every service Recall depends on and say how to fix what is wrong.",
        discussion: """
            Checks the cache's Redis (reachable, password, maxmemory and policy, memory use, \
            persistence, hit rate ≥ 80% and error rate < 1% from INFO), the job broker (can it \
            evict queue keys?), PostgreSQL (reachable, pgvector, migrations, the stored vector \
            dimension against EMBEDDING_DIM, the HNSW index) and Gemini (is the key accepted, do \
            the chat and embedding models exist; skipped when neither is used). Each check prints \
            ok, warning or failure, with the fix for anything not ok.

            Exit status: 0 no failure (warnings allowed); 1 at least one failure; 78 the \
            configuration itself is invalid (see `recall config check`).

            Example:
              recall doctor --env-file /etc/recall/.env
            """
    )

    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?

    @Flag(name: .long, help: "Print [{\"check\",\"status\",\"detail\",\"fix\"}] as JSON instead of text.")
    var json = false

    /// One line of `--json`: `fix` is always present, null when the check is ok.
    struct Entry: Encodable {
        let check: String
        let status: String
        let detail: String
        let fix: String?

        enum CodingKeys: String, CodingKey { case check, status, detail, fix }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(check, forKey: .check)
            try container.encode(status, forKey: .status)
            try container.encode(detail, forKey: .detail)
            try container.encode(fix, forKey: .fix)
        }
    }

    func run() async throws {
        let loaded = ProgramStart.loadSettings(envFile: envFile, program: "recall doctor")
        let sections = await DoctorChecks.run(loaded.settings)
        let findings = sections.flatMap(\.findings)
        if json {
            printJSON(findings.map { Entry(check: $0.check, status: $0.status.rawValue, detail: $0.detail, fix: $0.fix) })
        } else {
            print(Self.text(sections, envFile: loaded.settings.envFilePath))
        }
        if findings.contains(where: { $0.status == .failure }) { throw ExitCode.failure }
    }

    static func text(_ sections: [DoctorChecks.Section], envFile: String?) -> String {
        let findings = sections.flatMap(\.findings)
        let width = findings.map(\.check.count).max() ?? 0
        var lines = ["Recall doctor (.env: \(envFile ?? "none found"))"]
        for section in sections {
            lines.append("")
            lines.append(section.title)
            for finding in section.findings {
                let mark = switch finding.status {
                case .ok: "ok     "
                case .warning: "WARNING"
                case .failure: "FAILURE"
                }
                lines.append("  \(mark)  \(finding.check.padding(toLength: width, withPad: " ", startingAt: 0))  \(finding.detail)")
                if let fix = finding.fix {
                    lines.append("  \(String(repeating: " ", count: 7 + width + 4))fix: \(fix)")
                }
            }
        }
        let warnings = findings.filter { $0.status == .warning }.count
        let failures = findings.filter { $0.status == .failure }.count
        lines.append("")
        lines.append("\(failures) failure\(failures == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"), "
                     + "\(findings.count - failures - warnings) ok")
        return lines.joined(separator: "\n")
    }
}
