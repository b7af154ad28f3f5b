import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A detached tmux session on a private socket (`tmux -L`), running a plain bash, for tests
/// that drive a terminal program the way a person does: keys in, screen text out.
final class TmuxSession: @unchecked Sendable {
    // @unchecked: only kill() changes state (serverPID), and a test drives a session from one task.

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let executable = "/usr/bin/tmux"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let socket = "recall-test-\(UUID().uuidString.prefix(8))"
    private let target = "main"
    /// The tmux server's pid, taken at the start: a detached tmux 3.3 server sometimes outlives
    /// kill-server, so ``kill()`` ends it by pid as well.
    private var serverPID: Int32?

    /// Starts `bash --norc` in a `columns`×`rows` window with exactly `environment` (plus PATH
    /// and HOME) and a `$ ` prompt.
    init(columns: Int, rows: Int, environment: [String: String]) throws {
        var env = environment
        let inherited = ProcessInfo.processInfo.environment
        env["PATH"] = inherited["PATH"] ?? "/usr/bin:/bin"
        env["HOME"] = inherited["HOME"] ?? "/tmp"
        env["PS1"] = "$ "
        env["LANG"] = env["LANG"] ?? "C.UTF-8"
        // Times on screen in UTC whatever the machine's zone, so tests can name them.
        env["TZ"] = env["TZ"] ?? "UTC"
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", target, "-x", String(columns), "-y", String(rows),
                  "bash --norc --noprofile"], environment: env)
        // Large windows are kept at the size given, whatever clients attach.
        try tmux(["set-option", "-g", "window-size", "manual"])
        serverPID = Int32(try tmux(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    deinit { kill() }

    /// Types `text` literally.
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", target, "-l", text])
    }

    /// Presses named keys (`Enter`, `Escape`, …).
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", target] + keys)
    }

    /// Types a shell command line and presses Enter.
    func run(_ commandLine: String) throws {
        try type(commandLine)
        try press("Enter")
    }

    func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", target, "-x", String(columns), "-y", String(rows)])
    }

    /// The visible screen, one string per row.
    func screen() throws -> [String] {
        try tmux(["capture-pane", "-p", "-t", target]).components(separatedBy: "\n")
    }

    /// The process id of the pane's shell.
    func shellPID() throws -> Int32 {
        let text = try tmux(["display-message", "-p", "-t", target, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text) else { throw Failure(description: "no pane pid in '\(text)'") }
        return pid
    }

    /// Waits (up to `timeout`) for the screen to satisfy `condition`; returns that screen, or
    /// throws with the last screen seen so the failure shows what was there instead.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(15), _ condition: ([String]) -> Bool) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var last: [String] = []
        while ContinuousClock.now < deadline {
            last = try screen()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for \(what); the screen was:\n" + last.joined(separator: "\n"))
    }

    /// Waits for `text` to appear anywhere on the screen.
    @discardableResult
    func waitFor(text: String, timeout: Duration = .seconds(15)) async throws -> [String] {
        try await waitFor("'\(text)'", timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Ends the tmux server and everything in it.
    func kill() {
        _ = try? tmux(["kill-session", "-t", target])
        _ = try? tmux(["kill-server"])
        if let server = serverPID, server > 1 { Glibc.kill(server, SIGKILL) }
        serverPID = nil
    }

    /// Runs tmux with posix_spawn and waitpid: Foundation's Process did not always notice the
    /// tmux client's exit once the client had forked the server, and the test hung.
    @discardableResult
    private func tmux(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // A file, not a pipe: the tmux server inherits the descriptor and would keep a pipe open.
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = [Self.executable, "-L", socket] + arguments
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = env.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, Self.executable, &actions, nil, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw Failure(description: "cannot start tmux: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS are macros Swift cannot import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }
}
