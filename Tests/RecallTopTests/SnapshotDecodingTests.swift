import Foundation
@testable import RecallTop
import Testing

@Suite("stats and jobs JSON")
struct SnapshotDecodingTests {
    @Test("the seed's Redis stats, plus optional fields, numbers in any spelling")
    func redisStats() throws {
        let json = """
            {"backend": "redis", "timestamp": 1640995200.0, "redis_used_memory": 2048576,
             "redis_connected_clients": 10, "redis_keyspace_hits": 15000, "redis_keyspace_misses": 3000,
             "hit_rate": 0.833, "redis_maxmemory": "268435456", "hits": 7, "unknown_new_field": [1, 2]}
            """
        let stats = try JSONDecoder().decode(CacheStatsSnapshot.self, from: Data(json.utf8))
        #expect(stats.backend == "redis")
        #expect(stats.redisUsedMemory == 2_048_576)
        #expect(stats.redisMaxMemory == 268_435_456)
        #expect(stats.hitRate == 0.833)
        #expect(stats.processHits == 7)
        #expect(stats.processMisses == nil)
    }

    @Test("the seed's memory stats")
    func memoryStats() throws {
        let json = """
            {"backend": "memory", "timestamp": 1640995200.0, "memory_cache_size": 150,
             "memory_cache_max_size": 1000, "memory_cache_default_ttl": 3600}
            """
        let stats = try JSONDecoder().decode(CacheStatsSnapshot.self, from: Data(json.utf8))
        #expect(stats.backend == "memory")
        #expect(stats.memoryCacheSize == 150)
        #expect(stats.memoryCacheMaxSize == 1000)
        #expect(stats.hitRate == nil)
    }

    @Test("jobs with snake_case fields, ISO 8601 dates with and without fractions, and counts")
    func jobs() throws {
        let json = """
            {"jobs": [
              {"id": "job-1", "type": "process_document", "status": "running", "attempts": 1, "deliveries": 1,
               "progress": 0.45, "progress_message": "chunking", "result": null, "error": null,
               "created_at": "2026-11-29T04:00:00Z", "updated_at": "2026-11-29T04:00:01.250Z",
               "started_at": "2026-11-29T04:00:00Z", "finished_at": null},
              {"id": 42, "type": "scrape_url", "status": "dead", "attempts": 5, "progress": 100, "error": "HTTP 404"}
            ],
             "counts": {"queued": 3, "running": 1, "retrying": 0, "dead": 2, "succeeded": 10}}
            """
        let listing = try JSONDecoder().decode(JobsListing.self, from: Data(json.utf8))
        #expect(listing.jobs.map(\.id) == ["job-1", "42"])
        #expect(listing.jobs[0].percent == 45)
        #expect(listing.jobs[0].progressMessage == "chunking")
        #expect(listing.jobs[0].updatedAt == Date(timeIntervalSince1970: 1_795_924_801.25))
        #expect(listing.jobs[1].percent == 100)
        #expect(listing.jobs[1].error == "HTTP 404")
        #expect(listing.counts == ["queued": 3, "running": 1, "retrying": 0, "dead": 2, "succeeded": 10])
    }
}
