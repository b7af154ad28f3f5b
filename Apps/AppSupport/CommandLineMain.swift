import ArgumentParser
import Foundation

/// The entry point of Recall's command-line tools, with the exit statuses their help promises:
/// 0 done, 1 failed, 2 usage (a bad argument, option or value), 69 a service unavailable, 78
/// configuration invalid.
///
/// swift-argument-parser exits 64 (sysexits' EX_USAGE) on a usage error; shells and scripts
/// commonly read 2 as "wrong usage" (as grep, ls and bash do), so usage errors are mapped to 2
/// here, whether the parser found them or a command threw `ValidationError`.
public enum CommandLineMain {
    /// The status of a usage error.
    public static let usageExitCode: Int32 = 2

    /// Parses the arguments and runs the chosen command of `root`, awaiting async commands.
    public static func run<Root: ParsableCommand>(_ root: Root.Type) async -> Never {
        do {
            var command = try root.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            fail(root, error)
        }
    }

    /// Parses the arguments and runs the chosen command of `root`, which has no async commands.
    public static func runSynchronously<Root: ParsableCommand>(_ root: Root.Type) -> Never {
        do {
            var command = try root.parseAsRoot()
            try command.run()
            exit(0)
        } catch {
            fail(root, error)
        }
    }

    private static func fail<Root: ParsableCommand>(_ root: Root.Type, _ error: any Error) -> Never {
        guard root.exitCode(for: error) == .validationFailure else { root.exit(withError: error) }
        let message = root.fullMessage(for: error)
        if !message.isEmpty {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        exit(usageExitCode)
    }
}
