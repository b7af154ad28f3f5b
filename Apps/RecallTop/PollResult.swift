import Foundation

/// What one round of polling the server brought back.
struct PollResult: Sendable {
    /// Seconds on a monotonic clock when the round finished, for rates between rounds.
    var uptime: Double
    /// Wall-clock time of the round, for the header.
    var date: Date
    var stats: CacheStatsSnapshot?
    var metrics: PrometheusText?
    var jobs: JobsListing?
    /// Endpoints that answered with an error, in words (never with the token).
    var problems: [String] = []
    /// Why the server could not be reached at all; nil when at least one endpoint answered.
    var unreachable: String?
}

/// What the dashboard can ask the server to change.
enum InvalidationTarget: String, Sendable, CaseIterable {
    case model
    case session
    case pattern

    /// The field of `POST /api/v1/cache/invalidate` that selects entries this way.
    var field: String {
        switch self {
        case .model: "model"
        case .session: "session_id"
        case .pattern: "pattern"
        }
    }

    /// The key that picks it in the prompt.
    var key: Character {
        switch self {
        case .model: "m"
        case .session: "s"
        case .pattern: "p"
        }
    }
}

/// A key as the dashboard understands it, independent of ncurses' codes.
enum KeyPress: Sendable, Equatable {
    case character(Character)
    case enter
    case escape
    case backspace
    case resize
    case other
}

/// What a key press asks the program to do beyond changing the state.
enum DashboardAction: Sendable, Equatable {
    case quit
    case refresh
    case invalidate(InvalidationTarget, String)
    case clear
}
