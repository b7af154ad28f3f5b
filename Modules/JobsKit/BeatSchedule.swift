import Foundation

/// The periodic jobs the beat dispatches.
///
/// Built from `BEAT_SCHEDULE` (``init(parsing:)``), or in code: the server's owner adds the
/// cache re-warm task here, next to the default cleanup.
///
/// ```swift
/// var schedule = try BeatSchedule(parsing: settings.jobs.beatSchedule)
/// schedule.add(task: "warm_cache", rule: .cron(try CronExpression("*/15 * * * *")))
/// ```
public struct BeatSchedule: Sendable, Hashable {
    /// One periodic job.
    public struct Entry: Sendable, Hashable {
        /// Names the entry in idempotency keys and in the last-tick record; unique per schedule.
        public var name: String
        /// The task name enqueued at each tick.
        public var task: String
        /// When it ticks.
        public var rule: BeatRule

        /// An entry; its name defaults to the task name.
        public init(task: String, rule: BeatRule, name: String? = nil) {
            self.task = task
            self.rule = rule
            self.name = name ?? task
        }
    }

    /// The entries, in the order they were given.
    public private(set) var entries: [Entry]

    /// The default: ``TaskName/cleanupFailedJobs`` at the top of every hour and
    /// ``TaskName/warmHotQuestions`` every 15 minutes (`BEAT_SCHEDULE`'s default).
    public static var `default`: BeatSchedule {
        // Literal expressions that parse; a failure here is a bug in this file.
        BeatSchedule(entries: [
            Entry(task: TaskName.cleanupFailedJobs, rule: try! BeatRule(parsing: "0 * * * *")),
            Entry(task: TaskName.warmHotQuestions, rule: try! BeatRule(parsing: "every 15m")),
        ])
    }

    /// A schedule of the given entries.
    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Parses `task=rule` entries separated by `;`, as in `BEAT_SCHEDULE`:
    /// `cleanup_failed_jobs=0 * * * *; warm_cache=every 15m`. Blank entries are ignored.
    ///
    /// - Throws: ``JobQueueError`` naming the entry that is wrong.
    public init(parsing text: String) throws {
        var entries: [Entry] = []
        for raw in text.split(separator: ";") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let equals = item.firstIndex(of: "=") else {
                throw JobQueueError(.invalidArgument, "BEAT_SCHEDULE entry `\(item)` needs the form task=rule, e.g. cleanup_failed_jobs=0 * * * *")
            }
            let task = item[..<equals].trimmingCharacters(in: .whitespaces)
            let rule = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !task.isEmpty, !task.contains(where: \.isWhitespace) else {
                throw JobQueueError(.invalidArgument, "BEAT_SCHEDULE entry `\(item)` needs a task name before the =")
            }
            do {
                entries.append(Entry(task: task, rule: try BeatRule(parsing: rule)))
            } catch let error as JobQueueError {
                throw JobQueueError(.invalidArgument, "BEAT_SCHEDULE entry for \(task): \(error.message)")
            }
        }
        let names = entries.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw JobQueueError(.invalidArgument, "BEAT_SCHEDULE names \(duplicate) twice; give each task one rule")
        }
        self.init(entries: entries)
    }

    /// Adds an entry, replacing one of the same name.
    public mutating func add(task: String, rule: BeatRule, name: String? = nil) {
        let entry = Entry(task: task, rule: rule, name: name)
        entries.removeAll { $0.name == entry.name }
        entries.append(entry)
    }
}
