import Foundation
import Testing
@testable import ConfigKit

@Suite(".env.example")
struct EnvExampleTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("documents every variable with its default and meaning, and loads once uncommented")
    func documentsEverything() throws {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        for variable in SettingVariable.all {
            let assignment = "# \(variable.name)=\(variable.defaultValue)"
            let index = try #require(lines.firstIndex(of: assignment), "missing `\(assignment)`")
            #expect(lines[index - 1] == "# \(variable.meaning)")
        }
        // Uncommenting every setting (but ENV_FILE, which names the file itself) must give a valid configuration.
        let uncommented = lines.filter { $0.hasPrefix("# ") && $0.contains("=") && !$0.hasPrefix("# ENV_FILE") }
            .map { String($0.dropFirst(2)) }
            .filter { line in SettingVariable.all.contains { line.hasPrefix($0.name + "=") } }
        #expect(uncommented.count == SettingVariable.all.count - 1)
        let file = try DotEnvFile(parsing: uncommented.joined(separator: "\n"))
        let loaded = try SettingsLoader.validate(environment: [:], fileValues: file.values, envFilePath: nil)
        #expect(loaded.settings.cacheTTLSeconds == 3600)
    }
}
