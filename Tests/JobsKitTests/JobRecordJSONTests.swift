import Foundation
import Testing

@testable import JobsKit

/// The job JSON read back by API clients (`recall jobs … --server`).
@Suite("JobRecord JSON")
struct JobRecordJSONTests {
    static func encoded(_ record: JobRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    @Test("what a record encodes to decodes to the same record, less its payload, and encodes identically")
    func roundTrip() throws {
        let created = Date(timeIntervalSince1970: 1_795_924_800.123)
        var record = JobRecord(id: "1764410000000-0", type: TaskName.processDocument, payload: Data("{\"a\":1}".utf8),
                               idempotencyKey: "ingest:42", now: created)
        record.status = .retrying
        record.attempts = 2
        record.deliveries = 3
        record.progress = 0.5
        record.progressMessage = "12/24 chunks"
        record.result = Data(#"{"chunks":24,"stored":true}"#.utf8)
        record.error = "Gemini answered 503"
        record.worker = "worker-1"
        record.updatedAt = created.addingTimeInterval(5)
        record.startedAt = created.addingTimeInterval(1)
        record.nextRunAt = created.addingTimeInterval(60)
        record.retryDelays = [.milliseconds(1500), .seconds(4)]

        let json = try Self.encoded(record)
        let decoded = try JSONDecoder().decode(JobRecord.self, from: Data(json.utf8))
        let again = try Self.encoded(decoded)
        #expect(again == json, "\(again)\n\(json)")
        #expect(decoded.payload.isEmpty)
        #expect(decoded.status == .retrying)
        #expect(decoded.retryDelays == [.milliseconds(1500), .seconds(4)])
        #expect(decoded.nextRunAt.map { abs($0.timeIntervalSince(created.addingTimeInterval(60))) < 0.001 } == true)
        #expect(decoded.finishedAt == nil)
    }

    @Test("timestamps survive any number of round trips, for every millisecond")
    func stableTimestamps() throws {
        for offset in 0..<2000 {
            // As records read from Redis carry them: whole milliseconds since 1970.
            let date = Date(timeIntervalSince1970: Double(1_795_924_800_000 + offset) / 1000)
            let json = try Self.encoded(JobRecord(id: "j", type: "t", payload: Data(), idempotencyKey: nil, now: date))
            let once = try JSONDecoder().decode(JobRecord.self, from: Data(json.utf8))
            let twice = try JSONDecoder().decode(JobRecord.self, from: Data(try Self.encoded(once).utf8))
            #expect(try Self.encoded(twice) == json)
        }
    }

    @Test("a record without created_at or with a date that is not ISO 8601 is refused")
    func refusals() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(JobRecord.self, from: Data(#"{"id": "1", "type": "t", "status": "queued"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(JobRecord.self, from: Data(#"{"id": "1", "type": "t", "status": "queued", "created_at": "yesterday"}"#.utf8))
        }
    }
}
