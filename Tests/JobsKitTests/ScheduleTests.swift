import Foundation
import Testing

@testable import JobsKit

@Suite("CronExpression, BeatRule and BeatSchedule")
struct ScheduleTests {
    private static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test("0 * * * * fires at the top of every hour, strictly after the given time")
    func hourly() throws {
        let cron = try CronExpression("0 * * * *")
        #expect(cron.nextFire(after: Self.date("2026-11-28T10:17:31Z")) == Self.date("2026-11-28T11:00:00Z"))
        #expect(cron.nextFire(after: Self.date("2026-11-28T11:00:00Z")) == Self.date("2026-11-28T12:00:00Z"))
        #expect(cron.nextFire(after: Self.date("2026-12-31T23:59:59Z")) == Self.date("2027-01-01T00:00:00Z"))
        #expect(try CronExpression("@hourly").nextFire(after: Self.date("2026-11-28T10:17:31Z")) == Self.date("2026-11-28T11:00:00Z"))
    }

    @Test("lists, ranges, steps and names")
    func fieldSyntax() throws {
        let every15 = try CronExpression("*/15 9-17 * * mon-fri")
        // Saturday 2026-11-28 → Monday 09:00.
        #expect(every15.nextFire(after: Self.date("2026-11-28T10:00:00Z")) == Self.date("2026-11-30T09:00:00Z"))
        #expect(every15.nextFire(after: Self.date("2026-11-30T09:00:00Z")) == Self.date("2026-11-30T09:15:00Z"))
        #expect(every15.nextFire(after: Self.date("2026-11-30T17:45:00Z")) == Self.date("2026-12-01T09:00:00Z"))
        let list = try CronExpression("5,35 4 1 jan,jul *")
        #expect(list.nextFire(after: Self.date("2026-11-28T00:00:00Z")) == Self.date("2027-01-01T04:05:00Z"))
        #expect(list.nextFire(after: Self.date("2027-01-01T04:05:00Z")) == Self.date("2027-01-01T04:35:00Z"))
        #expect(list.nextFire(after: Self.date("2027-01-01T04:35:00Z")) == Self.date("2027-07-01T04:05:00Z"))
        // Sunday as 0 and as 7.
        #expect(try CronExpression("0 0 * * 7").nextFire(after: Self.date("2026-11-28T12:00:00Z")) == Self.date("2026-11-29T00:00:00Z"))
        #expect(try CronExpression("0 0 * * 0").nextFire(after: Self.date("2026-11-28T12:00:00Z")) == Self.date("2026-11-29T00:00:00Z"))
    }

    @Test("with both day fields restricted, either matches (Vixie cron)")
    func dayFieldsAreOred() throws {
        let cron = try CronExpression("0 0 13 * fri")
        // After Sat 2026-11-28 the next Friday is 2026-12-04, before the 13th.
        #expect(cron.nextFire(after: Self.date("2026-11-28T00:00:00Z")) == Self.date("2026-12-04T00:00:00Z"))
        #expect(cron.nextFire(after: Self.date("2026-12-11T00:00:00Z")) == Self.date("2026-12-13T00:00:00Z"))
    }

    @Test("an impossible date yields no fire time; malformed fields are refused with the field named")
    func invalid() throws {
        #expect(try CronExpression("0 0 30 2 *").nextFire(after: Date()) == nil)
        for (text, field) in [("* * * *", "fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"),
                              ("* * 0 * *", "day-of-month"), ("* * * 13 *", "month"), ("* * * * 8", "day-of-week"),
                              ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"), ("a * * * *", "minute")] {
            let error = #expect(throws: JobQueueError.self, "\(text)") { try CronExpression(text) }
            #expect(error?.message.contains(field) == true, "\(text): \(error?.message ?? "")")
        }
    }

    @Test("interval ticks are multiples of the interval since 1970, the same in every process")
    func intervalTicks() throws {
        let rule = try BeatRule(parsing: "every 15m")
        #expect(rule.nextTick(after: Self.date("2026-11-28T10:17:31Z")) == Self.date("2026-11-28T10:30:00Z"))
        #expect(rule.nextTick(after: Self.date("2026-11-28T10:30:00Z")) == Self.date("2026-11-28T10:45:00Z"))
        let second = try BeatRule(parsing: "@every 1s")
        let tick = try #require(second.nextTick(after: Date(timeIntervalSince1970: 100.25)))
        #expect(tick == Date(timeIntervalSince1970: 101))
        #expect(try BeatRule(parsing: "every 500ms").nextTick(after: Date(timeIntervalSince1970: 100.25)) == Date(timeIntervalSince1970: 100.5))
        #expect(throws: JobQueueError.self) { try BeatRule(parsing: "every soon") }
        #expect(throws: JobQueueError.self) { try BeatRule(parsing: "every 0s") }
    }

    @Test("BEAT_SCHEDULE: task=rule entries separated by ;, defaults to hourly cleanup and a 15-minute re-warm")
    func scheduleParsing() throws {
        let schedule = try BeatSchedule(parsing: "cleanup_failed_jobs=0 * * * *; warm_cache = every 15m ;")
        #expect(schedule.entries.map(\.task) == ["cleanup_failed_jobs", "warm_cache"])
        #expect(schedule.entries[1].rule == .every(.seconds(900)))
        #expect(BeatSchedule.default.entries.map(\.task) == [TaskName.cleanupFailedJobs, TaskName.warmHotQuestions])
        #expect(BeatSchedule.default.entries[0].rule == (try BeatRule(parsing: "0 * * * *")))
        #expect(BeatSchedule.default.entries[1].rule == .every(.seconds(900)))
        #expect(try BeatSchedule(parsing: "").entries.isEmpty)
        for bad in ["cleanup_failed_jobs", "=0 * * * *", "a=every 1s;a=every 2s", "x=61 * * * *"] {
            #expect(throws: JobQueueError.self, "\(bad)") { try BeatSchedule(parsing: bad) }
        }
        var hooked = BeatSchedule.default
        hooked.add(task: "warm_cache", rule: .every(.seconds(60)))
        hooked.add(task: "warm_cache", rule: .every(.seconds(120)))
        #expect(hooked.entries.count == 3 && hooked.entries[2].rule == .every(.seconds(120)))
    }
}

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("delays double from the base up to the cap, each drawn from the upper half of its ceiling")
    func growth() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(10))
        #expect((1...6).map(policy.ceiling(afterAttempt:)) == [1, 2, 4, 8, 10, 10].map { Duration.seconds($0) })
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...6 {
            let ceiling = policy.ceiling(afterAttempt: attempt)
            for _ in 0..<50 {
                let delay = policy.delay(afterAttempt: attempt, using: &generator)
                #expect(delay >= ceiling / 2 && delay <= ceiling)
            }
        }
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
        #expect(RetryPolicy(baseDelay: .seconds(5), maxDelay: .seconds(1)).maxDelay == .seconds(5))
    }
}
