import Foundation
import TestSupport
import Testing

@Suite("recall completions")
struct CompletionsCommandTests {
    @Test("bash, zsh and fish scripts name the subcommands and match --generate-completion-script", arguments: ["bash", "zsh", "fish"])
    func script(shell: String) async throws {
        let output = try await TestPrograms.runDetached("recall", ["completions", shell], environment: [:])
        #expect(output.status == 0)
        for subcommand in ["doctor", "cache", "config", "completions", "verify"] {
            #expect(output.standardOutput.contains(subcommand), "\(shell) script lacks \(subcommand)")
        }
        let generated = try await TestPrograms.runDetached("recall", ["--generate-completion-script", shell], environment: [:])
        #expect(generated.standardOutput == output.standardOutput)
    }

    @Test("an unknown shell is refused with the valid ones")
    func unknownShell() async throws {
        let output = try await TestPrograms.runDetached("recall", ["completions", "tcsh"], environment: [:])
        #expect(output.status != 0)
        #expect(output.standardError.contains("bash") && output.standardError.contains("fish"))
    }
}
