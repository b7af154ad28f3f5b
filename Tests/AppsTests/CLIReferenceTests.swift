import Foundation
import TestSupport
import Testing

/// docs/cli-reference.md is the program's own help: regenerate it with
/// `recall reference > docs/cli-reference.md` whenever a command changes.
@Suite("CLI reference")
struct CLIReferenceTests {
    static let committed = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/cli-reference.md")

    @Test("docs/cli-reference.md matches every command's --help, and covers every group")
    func referenceIsCurrent() async throws {
        let output = try await TestPrograms.runDetached("recall", ["reference"])
        #expect(output.status == 0)
        let committed = try String(contentsOf: Self.committed, encoding: .utf8)
        #expect(output.standardOutput == committed,
                "docs/cli-reference.md is out of date: run `recall reference > docs/cli-reference.md`")
        for group in ["config", "cache", "embed", "db", "ingest", "jobs", "ask", "search", "doctor"] {
            #expect(output.standardOutput.contains("\n## recall \(group)\n"), "no section for recall \(group)")
        }
        #expect(!output.standardOutput.contains("## recall reference"), "the generator stays out of its own reference")
    }
}
