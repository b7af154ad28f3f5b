import Foundation

/// The one JSON shape of a job, shared by `GET /api/v1/jobs`, `recall jobs … --json` and
/// `recall-top`:
///
/// ```json
/// {"id": "…", "type": "process_document", "status": "running", "attempts": 1, "deliveries": 1,
///  "progress": 0.5, "progress_message": "12/24 chunks", "result": null, "error": null,
///  "created_at": "2026-11-29T10:00:00.000Z", "updated_at": "…", "started_at": "…",
///  "finished_at": null, "next_run_at": null, "retry_delays_ms": []}
/// ```
///
/// Field names are snake_case and dates ISO 8601 in UTC with milliseconds; `result` is the
/// handler's JSON as it returned it. The payload is left out: it can hold a whole document.
extension JobRecord: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, type, status, attempts, deliveries, progress, result, error, worker
        case progressMessage = "progress_message"
        case idempotencyKey = "idempotency_key"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case nextRunAt = "next_run_at"
        case retryDelays = "retry_delays_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(deliveries, forKey: .deliveries)
        try container.encode(progress, forKey: .progress)
        try container.encode(progressMessage, forKey: .progressMessage)
        // A result that is not valid JSON (written by another producer) is kept as a string.
        let resultValue = result.map { data in
            (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .string(String(decoding: data, as: UTF8.self))
        }
        try container.encode(resultValue, forKey: .result)
        try container.encode(error, forKey: .error)
        try container.encode(idempotencyKey, forKey: .idempotencyKey)
        try container.encode(worker, forKey: .worker)
        try container.encode(Self.timestamp(createdAt), forKey: .createdAt)
        try container.encode(Self.timestamp(updatedAt), forKey: .updatedAt)
        try container.encode(startedAt.map(Self.timestamp), forKey: .startedAt)
        try container.encode(finishedAt.map(Self.timestamp), forKey: .finishedAt)
        try container.encode(nextRunAt.map(Self.timestamp), forKey: .nextRunAt)
        try container.encode(retryDelays.map { $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 },
                             forKey: .retryDelays)
    }

    /// ISO 8601, UTC, milliseconds: what JavaScript's `Date.toISOString` and Python's
    /// `datetime.fromisoformat` both read.
    public static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}

/// The same JSON read back, as clients of the jobs API (`recall --server`) receive it: what
/// ``encode(to:)`` writes decodes to an equal record, except the payload, which the JSON leaves
/// out (it decodes as empty).
extension JobRecord: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        status = try container.decode(JobStatus.self, forKey: .status)
        payload = Data()
        attempts = try container.decodeIfPresent(Int.self, forKey: .attempts) ?? 0
        deliveries = try container.decodeIfPresent(Int.self, forKey: .deliveries) ?? 0
        progress = try container.decodeIfPresent(Double.self, forKey: .progress)
        progressMessage = try container.decodeIfPresent(String.self, forKey: .progressMessage)
        let resultValue = try container.decodeIfPresent(JSONValue.self, forKey: .result)
        result = try resultValue.map { value in
            if case .string(let text) = value, (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) == nil {
                return Data(text.utf8)
            }
            return try JSONEncoder().encode(value)
        }
        error = try container.decodeIfPresent(String.self, forKey: .error)
        idempotencyKey = try container.decodeIfPresent(String.self, forKey: .idempotencyKey)
        worker = try container.decodeIfPresent(String.self, forKey: .worker)
        func date(_ key: CodingKeys) throws -> Date? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
                ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an ISO 8601 date: \(text)")
            }
            // The text has whole milliseconds and ``timestamp(_:)`` truncates: the middle of the
            // millisecond formats back to the same text, where the parsed value (a binary
            // fraction just below it) could lose one.
            let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
            return Date(timeIntervalSince1970: (milliseconds + 0.5) / 1000)
        }
        guard let created = try date(.createdAt) else {
            throw DecodingError.keyNotFound(CodingKeys.createdAt, .init(codingPath: container.codingPath, debugDescription: "created_at is missing"))
        }
        createdAt = created
        updatedAt = try date(.updatedAt) ?? created
        startedAt = try date(.startedAt)
        finishedAt = try date(.finishedAt)
        nextRunAt = try date(.nextRunAt)
        retryDelays = (try container.decodeIfPresent([Int64].self, forKey: .retryDelays) ?? []).map { .milliseconds($0) }
    }
}
