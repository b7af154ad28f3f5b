import Foundation

/// `GET /api/v1/jobs?limit=N`: the latest jobs and the count of jobs in each state.
struct JobsListing: Sendable, Equatable, Decodable {
    /// One job record as the server reports it (snake_case, ISO 8601 dates).
    struct Job: Sendable, Equatable, Decodable {
        var id: String
        var type: String?
        var status: String?
        var attempts: Int?
        var deliveries: Int?
        /// 0…1, or 0…100 from servers that count in percent; see ``percent``.
        var progress: Double?
        var progressMessage: String?
        var error: String?
        var createdAt: Date?
        var updatedAt: Date?
        var startedAt: Date?
        var finishedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, type, status, attempts, deliveries, progress, error
            case progressMessage = "progress_message"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
        }

        init(id: String, type: String? = nil, status: String? = nil, attempts: Int? = nil, progress: Double? = nil,
             progressMessage: String? = nil, error: String? = nil, updatedAt: Date? = nil) {
            self.id = id
            self.type = type
            self.status = status
            self.attempts = attempts
            self.progress = progress
            self.progressMessage = progressMessage
            self.error = error
            self.updatedAt = updatedAt
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? container.decode(String.self, forKey: .id) {
                id = text
            } else {
                id = String(try container.decode(Int.self, forKey: .id))
            }
            type = try? container.decodeIfPresent(String.self, forKey: .type)
            status = try? container.decodeIfPresent(String.self, forKey: .status)
            attempts = LenientNumber.decode(container, .attempts).map { Int($0) }
            deliveries = LenientNumber.decode(container, .deliveries).map { Int($0) }
            progress = LenientNumber.decode(container, .progress)
            progressMessage = try? container.decodeIfPresent(String.self, forKey: .progressMessage)
            error = try? container.decodeIfPresent(String.self, forKey: .error)
            createdAt = Self.date(container, .createdAt)
            updatedAt = Self.date(container, .updatedAt)
            startedAt = Self.date(container, .startedAt)
            finishedAt = Self.date(container, .finishedAt)
        }

        /// Progress in percent, whichever scale the server used.
        var percent: Int? {
            guard let progress, progress.isFinite else { return nil }
            let scaled = progress <= 1 ? progress * 100 : progress
            return Int(min(100, max(0, scaled)).rounded())
        }

        private static func date(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Date? {
            guard let text = try? container.decodeIfPresent(String.self, forKey: key) else { return nil }
            return ISO8601Text.date(from: text)
        }
    }

    var jobs: [Job]
    var counts: [String: Int]

    enum CodingKeys: String, CodingKey { case jobs, counts }

    init(jobs: [Job], counts: [String: Int]) {
        self.jobs = jobs
        self.counts = counts
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jobs = (try? container.decodeIfPresent([Job].self, forKey: .jobs)) ?? []
        let raw = (try? container.decodeIfPresent([String: Double].self, forKey: .counts)) ?? [:]
        counts = raw.mapValues { Int($0) }
    }
}

/// ISO 8601 timestamps with or without fractional seconds.
enum ISO8601Text {
    static func date(from text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
