import Foundation
import Testing

@testable import JobsKit

@Suite("Listing jobs across statuses")
struct JobListingTests {
    @Test("a job read twice while it moved (queued, then running) is listed once, as last seen")
    func latestOfEachKeepsTheNewestRecord() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let queued = JobRecord(id: "a", type: "t", payload: Data(), idempotencyKey: nil, now: start)
        var running = queued
        running.status = .running
        running.updatedAt = start.addingTimeInterval(1)
        let other = JobRecord(id: "b", type: "t", payload: Data(), idempotencyKey: nil, now: start.addingTimeInterval(0.5))

        for order in [[queued, running, other], [running, other, queued], [other, queued, running]] {
            let listed = JobRecord.latestOfEach(order)
            #expect(listed.map(\.id) == ["a", "b"], "newest first, each id once")
            #expect(listed.first?.status == .running)
        }
        #expect(JobRecord.latestOfEach([]).isEmpty)
    }

    @Test("list(statuses:limit:) returns each job once, newest first, at most limit", arguments: QueueBackend.all)
    func listAcrossStatuses(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            var ids: [String] = []
            for n in 0..<3 {
                ids.append(try await queue.enqueue(type: "t", payload: Data(#"{"n":\#(n)}"#.utf8)))
                try await Task.sleep(for: .milliseconds(5))
            }
            let (lease, _) = try await queue.startOne(consumer: "w1")
            #expect(try await queue.complete(lease, result: nil))

            let all = try await queue.list(statuses: JobStatus.allCases, limit: 10)
            #expect(Set(all.map(\.id)) == Set(ids))
            #expect(all.count == 3)
            #expect(all.first?.id == lease.jobID, "the job that finished changed last")
            #expect(zip(all, all.dropFirst()).allSatisfy { $0.updatedAt >= $1.updatedAt })
            #expect(try await queue.list(statuses: JobStatus.allCases, limit: 2).count == 2)
            #expect(try await queue.list(statuses: [.succeeded], limit: 10).map(\.id) == [lease.jobID])
        }
    }
}
