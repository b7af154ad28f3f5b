import Foundation

/// Everything recall-top shows, updated from polls and key presses; no terminal involved.
struct DashboardState: Sendable {
    enum View: Sendable, Equatable {
        case overview
        case jobs
        case help
    }

    /// A question on the bottom line that takes the keyboard until answered.
    enum Prompt: Sendable, Equatable {
        /// Which kind of entries to invalidate.
        case invalidateChoice
        /// The model, session or pattern being typed.
        case invalidateValue(InvalidationTarget, String)
        /// Whether to clear the whole cache.
        case confirmClear
    }

    /// How many hit-rate samples the sparkline remembers.
    static let historyLimit = 600

    let server: String
    /// Seconds between polls.
    let interval: Double
    var view = View.overview
    var prompt: Prompt?
    /// A one-line note on the bottom line: the outcome of the last action.
    var message: String?

    private(set) var stats: CacheStatsSnapshot?
    private(set) var metrics: PrometheusText?
    private(set) var jobs: JobsListing?
    private(set) var problems: [String] = []
    /// Why the last poll reached nothing; nil while the server answers.
    private(set) var unreachable: String?
    private(set) var lastUpdate: Date?
    /// One hit rate per poll, oldest first; nil where the poll had none.
    private(set) var hitRateHistory: [Double?] = []
    private(set) var requestsPerSecond: Double?
    private var lastRequests: (total: Double, uptime: Double)?

    init(server: String, interval: Double) {
        self.server = server
        self.interval = interval
    }

    /// The hit rate shown as "now": the server's own figure when it reports one, else the
    /// process counters from `/metrics`.
    var hitRate: Double? {
        if let rate = stats?.hitRate ?? stats?.processHitRate, rate.isFinite { return rate }
        guard let metrics, let hits = metrics.sum("cache_hits_total"), let misses = metrics.sum("cache_misses_total"),
              hits + misses > 0 else { return nil }
        return hits / (hits + misses)
    }

    /// Takes in one round of polling.
    mutating func apply(_ poll: PollResult) {
        if let reason = poll.unreachable {
            unreachable = reason
            hitRateHistory.append(nil)
            trimHistory()
            requestsPerSecond = nil
            lastRequests = nil
            return
        }
        unreachable = nil
        problems = poll.problems
        lastUpdate = poll.date
        if let stats = poll.stats { self.stats = stats }
        if let jobs = poll.jobs { self.jobs = jobs }
        if let metrics = poll.metrics {
            self.metrics = metrics
            updateRequestRate(metrics.sum("http_requests_total"), uptime: poll.uptime)
        }
        hitRateHistory.append(hitRate)
        trimHistory()
    }

    private mutating func updateRequestRate(_ total: Double?, uptime: Double) {
        guard let total else {
            requestsPerSecond = nil
            lastRequests = nil
            return
        }
        // A counter that went down means the server restarted: start over rather than go negative.
        if let last = lastRequests, uptime > last.uptime, total >= last.total {
            requestsPerSecond = (total - last.total) / (uptime - last.uptime)
        } else {
            requestsPerSecond = nil
        }
        lastRequests = (total, uptime)
    }

    private mutating func trimHistory() {
        if hitRateHistory.count > Self.historyLimit { hitRateHistory.removeFirst(hitRateHistory.count - Self.historyLimit) }
    }

    /// Applies a key press; returns what the program must do about it, if anything.
    mutating func handle(_ key: KeyPress) -> DashboardAction? {
        if let prompt {
            return answer(prompt, with: key)
        }
        guard case .character(let character) = key else { return nil }
        switch character {
        case "q", "Q":
            return .quit
        case "r":
            message = "refreshing…"
            return .refresh
        case "j":
            view = view == .jobs ? .overview : .jobs
        case "?", "h":
            view = view == .help ? .overview : .help
        case "i":
            prompt = .invalidateChoice
            message = nil
        case "c":
            prompt = .confirmClear
            message = nil
        default:
            break
        }
        return nil
    }

    private mutating func answer(_ prompt: Prompt, with key: KeyPress) -> DashboardAction? {
        if key == .escape {
            self.prompt = nil
            message = "cancelled"
            return nil
        }
        switch prompt {
        case .confirmClear:
            self.prompt = nil
            if key == .character("y") || key == .character("Y") {
                message = "clearing the cache…"
                return .clear
            }
            message = "clear cancelled"
        case .invalidateChoice:
            guard case .character(let character) = key,
                  let target = InvalidationTarget.allCases.first(where: { $0.key == Character(character.lowercased()) })
            else { return nil }
            self.prompt = .invalidateValue(target, "")
        case .invalidateValue(let target, let text):
            switch key {
            case .enter:
                let value = text.trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else {
                    message = "type a \(target.rawValue) first, or Esc to cancel"
                    return nil
                }
                self.prompt = nil
                message = "invalidating \(target.rawValue) \(value)…"
                return .invalidate(target, value)
            case .backspace:
                self.prompt = .invalidateValue(target, String(text.dropLast()))
            case .character(let character) where !character.isNewline:
                self.prompt = .invalidateValue(target, text + String(character))
            default:
                break
            }
        }
        return nil
    }
}
