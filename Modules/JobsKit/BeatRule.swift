import Foundation

/// When a periodic job is due: every fixed interval, or on a cron expression.
///
/// Tick times are absolute and the same in every process: an interval ticks at whole multiples
/// of itself since 1970-01-01 UTC (every 15 minutes means :00, :15, :30, :45), a cron expression
/// at the minutes it matches in UTC. That is what lets a new beat leader name a tick exactly as
/// the old one did, and so never dispatch it twice.
public struct BeatRule: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case every(milliseconds: Int64)
        case cron(CronExpression)
    }

    private let kind: Kind

    /// Ticks every `interval` (at least one millisecond).
    public static func every(_ interval: Duration) -> BeatRule {
        BeatRule(kind: .every(milliseconds: max(1, RedisStreamsQueue.milliseconds(interval))))
    }

    /// Ticks at the minutes a cron expression matches.
    public static func cron(_ expression: CronExpression) -> BeatRule {
        BeatRule(kind: .cron(expression))
    }

    /// Parses `every <n>ms|s|m|h|d` (also `@every …`) or a cron expression.
    ///
    /// - Throws: ``JobQueueError`` saying what is wrong.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        for prefix in ["@every ", "every "] where lowered.hasPrefix(prefix) {
            let amount = lowered.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            guard let interval = Self.interval(amount) else {
                throw JobQueueError(
                    .invalidArgument, "`\(trimmed)`: write the interval as a whole number with a unit, e.g. every 30s, every 5m")
            }
            self = .every(interval)
            return
        }
        self = .cron(try CronExpression(trimmed))
    }

    private init(kind: Kind) {
        self.kind = kind
    }

    private static func interval(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            guard let count = Int64(text.dropLast(unit.count).trimmingCharacters(in: .whitespaces)), count > 0 else { return nil }
            return .milliseconds(count * factor)
        }
        return nil
    }

    /// The first tick strictly after `date`, or `nil` when there is none (a cron expression that
    /// matches no date).
    public func nextTick(after date: Date) -> Date? {
        switch kind {
        case .every(let period):
            let now = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            let next = (now / period + 1) * period
            return Date(timeIntervalSince1970: Double(next) / 1000)
        case .cron(let expression):
            return expression.nextFire(after: date)
        }
    }

    public var description: String {
        switch kind {
        case .every(let period): "every \(period)ms"
        case .cron(let expression): expression.text
        }
    }
}
