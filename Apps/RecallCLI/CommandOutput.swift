import AppSupport
import ArgumentParser
import Foundation

/// Output and exit conventions of `recall db` and `recall ingest`: data to standard output
/// (JSON with `--json`), problems to standard error prefixed with the command's name.
enum CommandOutput {
    /// Prints `value` as one line of sorted-key JSON.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Writes `message` to standard error and returns status 1 to throw.
    static func failure(_ command: String, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("recall \(command): \(message)\n".utf8))
        return ExitCode.failure
    }

    /// Writes `message` to standard error and returns status 78 (configuration error) to throw.
    static func configurationError(_ command: String, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("recall \(command): \(message)\n".utf8))
        return ExitCode(ProgramStart.configurationErrorExitCode)
    }

    /// True when standard output is a terminal, where progress may redraw one line.
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
