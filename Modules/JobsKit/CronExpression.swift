import Foundation

/// A five-field cron expression, evaluated in UTC: `minute hour day-of-month month day-of-week`.
///
/// Each field takes `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n`, and lists of
/// those separated by commas. Months and weekdays also take English three-letter names
/// (`jan`, `mon`); weekday 0 and 7 are both Sunday. As in Vixie cron, when both day fields are
/// restricted a day matches if either does. `@hourly`, `@daily` (`@midnight`), `@weekly`,
/// `@monthly` and `@yearly` (`@annually`) are accepted as shorthands.
///
/// ```swift
/// let hourly = try CronExpression("0 * * * *")
/// hourly.nextFire(after: Date())   // the next whole hour
/// ```
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let text: String

    private let minutes: UInt64
    private let hours: UInt64
    private let daysOfMonth: UInt64
    private let months: UInt64
    private let daysOfWeek: UInt64
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    private static let shorthands = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses an expression.
    ///
    /// - Throws: ``JobQueueError`` naming the field that is wrong and what it accepts.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        self.text = trimmed
        let expanded = Self.shorthands[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).lowercased() }
        guard fields.count == 5 else {
            throw JobQueueError(
                .invalidArgument,
                "cron expression `\(trimmed)` has \(fields.count) fields; write minute hour day-of-month month day-of-week, "
                    + "e.g. `0 * * * *` for hourly")
        }
        minutes = try Self.parse(fields[0], name: "minute", range: 0...59, names: [], in: trimmed)
        hours = try Self.parse(fields[1], name: "hour", range: 0...23, names: [], in: trimmed)
        daysOfMonth = try Self.parse(fields[2], name: "day-of-month", range: 1...31, names: [], in: trimmed)
        months = try Self.parse(fields[3], name: "month", range: 1...12, names: Self.monthNames, in: trimmed)
        var weekdays = try Self.parse(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames, in: trimmed)
        if weekdays & (1 << 7) != 0 { weekdays |= 1 }
        daysOfWeek = weekdays & 0x7f
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    public var description: String { text }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first whole minute strictly after `date` that the expression matches, or `nil` when
    /// it matches no date in the next eight years (`0 0 30 2 *`, say).
    public func nextFire(after date: Date) -> Date? {
        let calendar = Self.utc
        var candidate = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        let limit = date.addingTimeInterval(8 * 366 * 86_400)
        while candidate <= limit {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute,
                  let weekday = parts.weekday else { return nil }
            if months & (1 << UInt64(month)) == 0 {
                // Skip to the first minute of the next month.
                guard let start = calendar.date(from: DateComponents(year: parts.year, month: month, day: 1)),
                      let next = calendar.date(byAdding: .month, value: 1, to: start) else { return nil }
                candidate = next
            } else if !matchesDay(day: day, weekday: weekday - 1) {
                candidate = calendar.startOfDay(for: candidate).addingTimeInterval(86_400)
            } else if hours & (1 << UInt64(hour)) == 0 {
                candidate = Date(timeIntervalSince1970: (candidate.timeIntervalSince1970 / 3600).rounded(.down) * 3600 + 3600)
            } else if minutes & (1 << UInt64(minute)) == 0 {
                candidate = candidate.addingTimeInterval(60)
            } else {
                return candidate
            }
        }
        return nil
    }

    private func matchesDay(day: Int, weekday: Int) -> Bool {
        let byMonth = daysOfMonth & (1 << UInt64(day)) != 0
        let byWeek = daysOfWeek & (1 << UInt64(weekday)) != 0
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return byMonth || byWeek
        case (true, false): return byMonth
        case (false, true): return byWeek
        case (false, false): return true
        }
    }

    /// One field as a bit set of the values it allows.
    private static func parse(
        _ field: String, name: String, range: ClosedRange<Int>, names: [String], in expression: String
    ) throws -> UInt64 {
        func problem(_ what: String) -> JobQueueError {
            JobQueueError(
                .invalidArgument,
                "cron expression `\(expression)`: the \(name) field `\(field)` \(what); it takes \(range.lowerBound)-\(range.upperBound), "
                    + "*, ranges a-b, steps */n and comma-separated lists")
        }
        func value(_ text: Substring) throws -> Int {
            if let number = Int(text), range.contains(number) { return number }
            if let index = names.firstIndex(of: String(text)) { return index + (range.lowerBound == 1 ? 1 : 0) }
            throw problem("has `\(text)`, which is not a valid value")
        }
        var bits: UInt64 = 0
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else { throw problem("is malformed") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed >= 1 else { throw problem("has a step that is not a positive number") }
                step = parsed
            }
            let low: Int
            var high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw problem("has a range that runs backwards") }
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            var current = low
            while current <= high {
                bits |= 1 << UInt64(current)
                current += step
            }
        }
        return bits
    }
}
