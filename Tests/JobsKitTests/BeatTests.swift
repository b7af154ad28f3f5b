import Foundation
import Logging
import Testing

@testable import JobsKit

/// Beats in this process: leadership, once-only ticks and hand-over, against both backends.
@Suite("Beat")
struct BeatTests {
    private static let logger = Logger(label: "beat-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    struct Tick: Decodable {
        var beat: String
        var tickMilliseconds: Int64

        enum CodingKeys: String, CodingKey {
            case beat
            case tick = "tick_ms"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            beat = try container.decode(String.self, forKey: .beat)
            tickMilliseconds = Int64(try container.decode(String.self, forKey: .tick)) ?? 0
        }
    }

    @Test("two beats: one leads, every tick is dispatched exactly once, the other takes over when the leader stops",
          arguments: QueueBackend.all)
    func leadershipAndHandOver(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            let period: Int64 = 200
            let schedule = BeatSchedule(entries: [.init(task: "tick", rule: .every(.milliseconds(period)))])
            let beats = ["beat-a", "beat-b"].map {
                Beat(schedule: schedule, broker: queue, configuration: BeatConfiguration(lease: .milliseconds(1500), name: $0), logger: Self.logger)
            }
            let tasks = beats.map { beat in Task { try await beat.run() } }
            #expect(await eventually(timeout: .seconds(5)) { beats.filter(\.isLeader).count == 1 })
            try await Task.sleep(for: .milliseconds(1200))
            #expect(beats.filter(\.isLeader).count == 1)
            guard let leaderIndex = beats.firstIndex(where: { $0.isLeader }) else {
                Issue.record("no beat leads")
                tasks.forEach { $0.cancel() }
                return
            }
            tasks[leaderIndex].cancel()
            _ = await tasks[leaderIndex].result
            let follower = beats[1 - leaderIndex]
            // Released on the way out: the follower takes over within one renewal interval.
            #expect(await eventually(timeout: .seconds(2)) { follower.isLeader })
            try await Task.sleep(for: .milliseconds(1000))
            tasks[1 - leaderIndex].cancel()
            _ = await tasks[1 - leaderIndex].result

            let jobs = try await queue.list(status: .queued, limit: 1000)
            let ticks = try jobs.map { try JSONDecoder().decode(Tick.self, from: $0.payload) }.sorted { $0.tickMilliseconds < $1.tickMilliseconds }
            #expect(ticks.count >= 8)
            #expect(Set(ticks.map(\.tickMilliseconds)).count == ticks.count, "a tick was dispatched twice")
            for (earlier, later) in zip(ticks, ticks.dropFirst()) {
                #expect(later.tickMilliseconds - earlier.tickMilliseconds == period, "a tick was missed")
            }
            // One run of ticks from the first leader, then one from the second: never interleaved.
            let leaders = ticks.map(\.beat).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
            #expect(leaders == [beats[leaderIndex].configuration.name, follower.configuration.name])
        }
    }

    @Test("a new leader continues from the last recorded tick, dispatching missed ticks once")
    func catchUp() async throws {
        let queue = InProcessQueue()
        let schedule = BeatSchedule(entries: [.init(task: "tick", rule: .every(.milliseconds(100)))])
        let now = Int64(Date().timeIntervalSince1970 * 1000) / 100 * 100
        try await queue.setLastBeatTick("tick", Date(timeIntervalSince1970: Double(now - 500) / 1000))
        let beat = Beat(schedule: schedule, broker: queue, configuration: BeatConfiguration(lease: .seconds(1), name: "late", catchUpLimit: 3), logger: Self.logger)
        let task = Task { try await beat.run() }
        #expect(try await eventually(timeout: .seconds(3)) { try await queue.counts()[.queued] ?? 0 >= 3 })
        task.cancel()
        _ = await task.result
        let ticks = try await queue.list(status: .queued, limit: 100)
            .map { try JSONDecoder().decode(Tick.self, from: $0.payload).tickMilliseconds }.sorted()
        // Five ticks were missed; only the last three are dispatched, then it keeps pace.
        #expect(ticks.first.map { $0 >= now - 200 } == true)
        #expect(Set(ticks).count == ticks.count)
    }
}
