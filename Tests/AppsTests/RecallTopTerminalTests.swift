import Foundation
import TestSupport
import Testing

/// recall-top in a real terminal (tmux) against a stand-in server: what a person sees and what
/// their keys send.
@Suite("recall-top in a terminal", .timeLimit(.minutes(3)), .enabled(if: TmuxSession.isAvailable))
struct RecallTopTerminalTests {
    static let token = "CANARY-token-91f4-never-shown"

    /// The shell command that starts recall-top and, after it exits, prints its exit status.
    static func commandLine(server: String) throws -> String {
        let program = try TestPrograms.executable("recall-top").path
        return "\(program) --server \(server) --interval 0.5; echo EXIT=$?"
    }

    /// After the program exits: the shell must echo and read lines again, and the dashboard
    /// must be gone (the terminal's normal screen is back).
    static func expectTerminalUsable(_ tmux: TmuxSession) async throws {
        try tmux.run(#"s=$(stty -a); case "$s" in *-icanon*|*" -echo "*) echo tty:"raw";; *) echo tty:"sane";; esac"#)
        let screen = try await tmux.waitFor("the tty check") { $0.contains { $0.hasPrefix("tty:") } }
        #expect(screen.contains("tty:sane"), "\(screen.joined(separator: "\n"))")
        #expect(!screen.contains { $0.contains("Hit rate") }, "the dashboard is still on the screen")
    }

    @Test("shows the server's figures, confirms and sends clear and invalidate, survives the server going away, q restores the terminal")
    func dashboard() async throws {
        let server = try await OperatorTestServer.start()
        let tmux = try TmuxSession(columns: 110, rows: 32, environment: ["RECALL_TOKEN": Self.token])
        defer { tmux.kill() }
        try tmux.run(try Self.commandLine(server: server.url))

        let overview = try await tmux.waitFor("hit rate and jobs") { screen in
            screen.contains { $0.contains("Hit rate   83.3%") } && screen.contains { $0.contains("job-91c2") }
        }
        #expect(overview.contains { $0.contains("queued 3   running 1   retrying 0   dead 1") })
        #expect(overview.contains { $0.contains("job-7f3a") && $0.contains("running") && $0.contains("45%") })
        #expect(overview.contains { $0.contains("job-91c2") && $0.contains("dead") && $0.contains("HTTP 404 from the site") })
        #expect(overview.contains { $0.contains("64.0 MB / 256.0 MB (25.0%)") })
        let redisRow = try #require(overview.first { $0.hasPrefix("  redis ") })
        #expect(redisRow.split(separator: " ") == ["redis", "1500", "300", "3", "4"])
        // The stand-in adds 10 requests per scrape, every 0.5 s: about 20/s once two polls are in.
        try await tmux.waitFor("a request rate") { $0.contains { $0.contains("Requests") && $0.contains("/s") } }
        // RECALL_TOP_CAPTURE=dir keeps what the screen showed, for the operator guide.
        if let directory = ProcessInfo.processInfo.environment["RECALL_TOP_CAPTURE"] {
            try (try tmux.screen()).joined(separator: "\n").write(toFile: directory + "/overview.txt", atomically: true, encoding: .utf8)
        }
        #expect(server.requests.contains { $0.authorization == "Bearer \(Self.token)" })
        #expect(!(try tmux.screen()).contains { $0.contains(Self.token) })

        try tmux.type("c")
        try await tmux.waitFor(text: "Clear the whole cache for every server process? (y/N)")
        #expect(!server.requests.contains { $0.method == "DELETE" }, "nothing is sent before the answer")
        try tmux.type("y")
        try await tmux.waitFor(text: "clear: 12 entries removed")
        #expect(server.requests.contains { $0.method == "DELETE" && $0.path == "/api/v1/cache" })

        try tmux.type("i")
        try await tmux.waitFor(text: "Invalidate by (m)odel, (s)ession or (p)attern?")
        try tmux.type("m")
        try tmux.type("gemini-2.5-flash")
        try await tmux.waitFor(text: "Invalidate model: gemini-2.5-flash_")
        try tmux.press("Enter")
        try await tmux.waitFor(text: "invalidate model gemini-2.5-flash: 3 entries removed")
        let invalidations = server.requests.filter { $0.method == "POST" && $0.path == "/api/v1/cache/invalidate" }
        #expect(invalidations.count == 1)
        let body = try JSONSerialization.jsonObject(with: Data((invalidations.first?.body ?? "").utf8)) as? [String: String]
        #expect(body == ["model": "gemini-2.5-flash"])

        try tmux.type("j")
        // The overview shows the job's message too: wait for the jobs view's own column.
        let jobsView = try await tmux.waitFor(text: "UPDATED")
        #expect(jobsView.contains { $0.contains("job-7f3a") && $0.contains("04:00:05") && $0.contains("embedding batch 3 of 7") })
        if let directory = ProcessInfo.processInfo.environment["RECALL_TOP_CAPTURE"] {
            try (try tmux.screen()).joined(separator: "\n").write(toFile: directory + "/jobs.txt", atomically: true, encoding: .utf8)
        }
        try tmux.type("j")

        try tmux.resize(columns: 60, rows: 20)
        let narrow = try await tmux.waitFor("the narrow layout") { screen in
            screen.count <= 21 && screen.contains { $0.contains("Hit rate   83.3%") }
        }
        #expect(narrow.allSatisfy { $0.count <= 60 })

        await server.stop()
        try await tmux.waitFor(text: "server unreachable — retrying")

        try tmux.type("q")
        try await tmux.waitFor(text: "EXIT=0")
        try await Self.expectTerminalUsable(tmux)
    }

    @Test("without a terminal, or with a bad interval, it refuses with the reason")
    func refusals() async throws {
        let piped = try await TestPrograms.runDetached("recall-top", ["--server", "http://127.0.0.1:9"])
        #expect(piped.status == 1)
        #expect(piped.standardError.contains("must be a terminal"))
        let interval = try await TestPrograms.runDetached("recall-top", ["--server", "http://127.0.0.1:9", "--interval", "0"])
        #expect(interval.status == 2)
        #expect(interval.standardError.contains("--interval must be between 0.2 and 3600"))
    }

    /// The pid of the program the pane's shell runs.
    static func programPID(_ tmux: TmuxSession) throws -> Int32 {
        let shell = try tmux.shellPID()
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        return try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
    }

    /// Starts recall-top against a port nobody listens on; returns its pid once it shows that.
    static func startAgainstNothing(in tmux: TmuxSession) async throws -> Int32 {
        try tmux.run(try commandLine(server: "http://127.0.0.1:\(try FreePort.loopback())"))
        try await tmux.waitFor(text: "server unreachable — retrying")
        return try programPID(tmux)
    }

    /// Whether `pid` still runs (a zombie waiting for a parent to reap it does not).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    @Test("closing the terminal ends it instead of leaving it polling", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task")))
    func hangup() async throws {
        let tmux = try TmuxSession(columns: 90, rows: 24, environment: [:])
        defer { tmux.kill() }
        let program = try await Self.startAgainstNothing(in: tmux)
        tmux.kill()
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.isRunning(program), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!Self.isRunning(program))
        if Self.isRunning(program) { kill(program, SIGKILL) }
    }

    @Test("SIGTERM or SIGINT ends it with the terminal restored", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task")),
          arguments: [SIGTERM, SIGINT])
    func signal(_ number: Int32) async throws {
        let tmux = try TmuxSession(columns: 90, rows: 24, environment: [:])
        defer { tmux.kill() }
        let program = try await Self.startAgainstNothing(in: tmux)
        #expect(kill(program, number) == 0)
        try await tmux.waitFor(text: "EXIT=0")
        try await Self.expectTerminalUsable(tmux)
    }

    @Test("Ctrl-C at the keyboard ends it with the terminal restored", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task")))
    func controlC() async throws {
        let tmux = try TmuxSession(columns: 90, rows: 24, environment: [:])
        defer { tmux.kill() }
        _ = try await Self.startAgainstNothing(in: tmux)
        // cbreak mode keeps the terminal's signal keys: the driver turns Ctrl-C into SIGINT.
        try tmux.press("C-c")
        try await tmux.waitFor(text: "EXIT=0")
        try await Self.expectTerminalUsable(tmux)
    }
}
