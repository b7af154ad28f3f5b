import Foundation
import Hummingbird
import JobsKit

/// `GET /api/v1/jobs/{id}` and `GET /api/v1/jobs?status=&limit=`.
///
/// With `API_KEYS`, a caller sees only its tenant's jobs; another tenant's job is "not found",
/// so ids cannot be probed.
struct JobRoutes {
    let queue: any JobQueue
    let tenantsEnabled: Bool

    func register(on group: RouterGroup<RecallRequestContext>, routes: RouteRegistry) {
        routes.add(.get, "/api/v1/jobs/{id}")
        group.get("/jobs/{id}") { request, context in try await job(request, context) }
        routes.add(.get, "/api/v1/jobs")
        group.get("/jobs") { request, context in try await list(request, context) }
    }

    func job(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let record = try await reading(context) { try await queue.record(id: id) }
        guard let record, visible(record, context) else {
            throw APIError.notFound("there is no job \(id.prefix(100)); job records expire after JOB_RETENTION_SECONDS")
        }
        return try JSONBody.response(record)
    }

    func list(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var statuses = JobStatus.allCases
        if let text = query["status"].map(String.init), !text.isEmpty {
            guard let status = JobStatus(rawValue: text.lowercased()) else {
                let valid = JobStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("`status` must be one of \(valid) (got \(text.prefix(40)))")
            }
            statuses = [status]
        }
        var limit = 50
        if let text = query["limit"].map(String.init), !text.isEmpty {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError.badRequest("`limit` must be a whole number from 1 to 1000 (got \(text.prefix(40)))")
            }
            limit = value
        }
        let (records, counts) = try await reading(context) {
            (try await queue.list(statuses: statuses, limit: limit), try await queue.counts())
        }
        let visibleRecords = records.filter { visible($0, context) }
        var countObject: [String: Int] = [:]
        for status in JobStatus.allCases { countObject[status.rawValue] = counts[status] ?? 0 }
        return try JSONBody.response(JobJSON.Listing(jobs: Array(visibleRecords), counts: countObject))
    }

    private func visible(_ record: JobRecord, _ context: RecallRequestContext) -> Bool {
        !tenantsEnabled || JobJSON.tenant(of: record) == context.tenant
    }

    private func reading<T>(_ context: RecallRequestContext, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as APIError {
            throw error
        } catch {
            context.logger.error("job queue read failed", metadata: ["error": "\(error)"])
            throw APIError.unavailable("the job queue does not answer; retry later")
        }
    }
}
