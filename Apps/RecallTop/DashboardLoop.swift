import Dispatch
import Foundation
import Synchronization

/// Runs the dashboard: keys and drawing on the calling thread (ncurses wants one thread), HTTP
/// in detached tasks whose results come back through an inbox the loop drains between keys.
final class DashboardLoop {
    private enum Event: Sendable {
        case polled(PollResult)
        case changed(String)
    }

    private let api: ServerAPI
    private var state: DashboardState
    private let inbox = Inbox<Event>()
    private let stopRequested = StopFlag()

    init(api: ServerAPI, state: DashboardState) {
        self.api = api
        self.state = state
    }

    /// Runs until `q`, SIGINT, SIGTERM or SIGHUP, or until the terminal is gone; the terminal is restored before this returns or throws.
    func run() throws {
        // Ignored as signals, seen as events: the loop then ends normally and restores the terminal.
        // SIGHUP too: the terminal went away (window closed, ssh dropped).
        let signalSources = [SIGINT, SIGTERM, SIGHUP].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let flag = stopRequested
            source.setEventHandler { flag.set() }
            source.resume()
            return source
        }
        defer { signalSources.forEach { $0.cancel() } }

        let screen = try TerminalScreen(keyTimeout: .milliseconds(100))
        defer { screen.close() }
        var nextPoll = ServerAPI.uptime()
        var polling = false
        var dirty = true
        var instantFailures = 0
        while !stopRequested.isSet {
            if !polling, ServerAPI.uptime() >= nextPoll {
                polling = true
                startPoll()
            }
            if screen.followResize() { dirty = true }
            if dirty {
                let (rows, columns) = screen.size
                screen.draw(DashboardLayout(width: columns, height: rows, unicode: screen.unicode).lines(for: state))
                dirty = false
            }
            let waitStarted = ServerAPI.uptime()
            let key = screen.readKey()
            // A closed terminal makes getch fail at once instead of waiting: stop rather than spin.
            instantFailures = key == nil && ServerAPI.uptime() - waitStarted < 0.01 ? instantFailures + 1 : 0
            if instantFailures > 100 { return }
            if let key {
                dirty = true
                switch state.handle(key) {
                case .quit: return
                case .refresh: nextPoll = 0
                case .invalidate(let target, let value): startChange { await $0.invalidate(target, value) }
                case .clear: startChange { await $0.clear() }
                case nil: break
                }
            }
            for event in inbox.drain() {
                dirty = true
                switch event {
                case .polled(let result):
                    state.apply(result)
                    polling = false
                    nextPoll = ServerAPI.uptime() + state.interval
                    if state.message == "refreshing…" { state.message = nil }
                case .changed(let outcome):
                    state.message = outcome
                    nextPoll = 0
                }
            }
        }
    }

    /// Closes the HTTP client; call after ``run()``.
    func shutdown() {
        let done = DispatchSemaphore(value: 0)
        let api = self.api
        Task.detached {
            await api.shutdown()
            done.signal()
        }
        done.wait()
    }

    private func startPoll() {
        let api = self.api
        let inbox = self.inbox
        Task.detached {
            let result = await api.poll()
            inbox.post(.polled(result))
        }
    }

    private func startChange(_ change: @escaping @Sendable (ServerAPI) async -> String) {
        let api = self.api
        let inbox = self.inbox
        Task.detached {
            let outcome = await change(api)
            inbox.post(.changed(outcome))
        }
    }
}

/// Events from tasks to the loop, in the order they were posted.
final class Inbox<Event: Sendable>: Sendable {
    private let events = Mutex<[Event]>([])

    func post(_ event: Event) {
        events.withLock { $0.append(event) }
    }

    /// Everything posted since the last call.
    func drain() -> [Event] {
        events.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}

/// Set once from a signal handler's queue, read by the loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .relaxed) }

    var isSet: Bool { flag.load(ordering: .relaxed) }
}
