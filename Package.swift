// swift-tools-version: 6.1
// Recall: a retrieval-augmented chat API whose cache stays coherent across processes.
// One package: a library product per module under Modules/, an executable per program under Apps/.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "Recall",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "recall-server", targets: ["RecallServer"]),
        .executable(name: "recall-worker", targets: ["RecallWorker"]),
        .executable(name: "recall", targets: ["RecallCLI"]),
        .executable(name: "recall-top", targets: ["RecallTop"]),
        .executable(name: "recall-bench", targets: ["RecallBench"]),
        .library(name: "ConfigKit", targets: ["ConfigKit"]),
        .library(name: "RedisKit", targets: ["RedisKit"]),
        .library(name: "IngestKit", targets: ["IngestKit"]),
        .library(name: "MetricsKit", targets: ["MetricsKit"]),
        .library(name: "CacheKit", targets: ["CacheKit"]),
        .library(name: "CurlKit", targets: ["CurlKit"]),
        .library(name: "EmbeddingsKit", targets: ["EmbeddingsKit"]),
        .library(name: "VectorStoreKit", targets: ["VectorStoreKit"]),
        // The fake Gemini API for benchmarks (`fake-gemini --port 8089 --latency-ms 40`).
        .executable(name: "fake-gemini", targets: ["FakeGeminiMain"]),
        .library(name: "JobsKit", targets: ["JobsKit"]),
        .library(name: "RecallRuntime", targets: ["RecallRuntime"]),
        .library(name: "ChatKit", targets: ["ChatKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
    ],
    targets: [
        // C libraries from Debian, wrapped by module maps with shim headers (Modules/C*/shim.h).
        .systemLibrary(name: "CHiredis", path: "Modules/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Modules/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", path: "Modules/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Modules/CNcurses", providers: [.apt(["libncurses-dev"])]),

        .target(
            name: "ConfigKit",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "Modules/ConfigKit",
            swiftSettings: swiftSettings
        ),
        // Redis client over hiredis: a pool of connections, each driven by its own OS thread.
        .target(
            name: "RedisKit",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/RedisKit",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AppSupport",
            dependencies: [
                "ConfigKit", "CurlKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Apps/AppSupport",
            swiftSettings: swiftSettings
        ),

        // The composition root the programs share: the vector store, embedder and ingest pipeline
        // built from Settings, and the ingest job handlers.
        .target(
            name: "RecallRuntime",
            dependencies: [
                "ConfigKit", "CacheKit", "ChatKit", "CurlKit", "EmbeddingsKit", "IngestKit", "JobsKit", "VectorStoreKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Apps/RecallRuntime",
            swiftSettings: swiftSettings
        ),

        // The HTTP API as a library, so tests build the same application the program runs.
        .target(
            name: "RecallServerCore",
            dependencies: [
                "ConfigKit", "CacheKit", "MetricsKit", "RedisKit", "JobsKit", "CurlKit", "EmbeddingsKit",
                "VectorStoreKit", "IngestKit", "ChatKit", "RecallRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Apps/RecallServerCore",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecallRuntimeTests",
            dependencies: [
                "RecallRuntime", "ConfigKit", "IngestKit", "JobsKit", "VectorStoreKit", "EmbeddingsKit", "FakeGemini",
                "MetricsKit", "RedisKit", "TestSupport", "CacheKit", "ChatKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RecallRuntimeTests",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "RecallServer",
            dependencies: [
                "ConfigKit", "AppSupport", "RecallServerCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Apps/RecallServer",
            swiftSettings: swiftSettings
        ),
        // Every route and error status through Hummingbird's test clients, the OpenAPI agreement,
        // and recall-server processes sharing a real Redis.
        .testTarget(
            name: "RecallServerTests",
            dependencies: [
                "RecallServerCore", "AppSupport", "ConfigKit", "CacheKit", "MetricsKit", "JobsKit", "RedisKit", "ChatKit",
                "FakeGemini", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/RecallServerTests",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RecallWorker",
            dependencies: [
                "ConfigKit", "AppSupport", "JobsKit", "MetricsKit", "RedisKit", "RecallRuntime", "CacheKit", "ChatKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Apps/RecallWorker",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RecallCLI",
            dependencies: [
                "ConfigKit", "AppSupport", "EmbeddingsKit", "CacheKit", "RedisKit", "MetricsKit",
                "RecallRuntime", "IngestKit", "JobsKit", "VectorStoreKit", "ChatKit", "CurlKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Apps/RecallCLI",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RecallTop",
            dependencies: [
                "ConfigKit", "AppSupport", "CNcurses", "CurlKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Apps/RecallTop",
            swiftSettings: swiftSettings
        ),
        // recall-top's parsers, state model and screen layout, without a terminal.
        .testTarget(
            name: "RecallTopTests",
            dependencies: ["RecallTop"],
            path: "Tests/RecallTopTests",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "ConfigKitTests",
            dependencies: ["ConfigKit"],
            path: "Tests/ConfigKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RedisKitTests",
            dependencies: ["RedisKit", "TestSupport"],
            path: "Tests/RedisKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SystemLibrariesTests",
            dependencies: ["CHiredis", "CLibPQ", "CCurl", "TestSupport"],
            path: "Tests/SystemLibrariesTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppsTests",
            dependencies: [
                "ConfigKit", "JobsKit", "RedisKit", "TestSupport", "VectorStoreKit", "EmbeddingsKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AppsTests",
            // Read from the source tree by GoldenJSONTests, not bundled.
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        // Metric names and labels, the Prometheus registry and its exposition.
        .target(
            name: "MetricsKit",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Modules/MetricsKit",
            swiftSettings: swiftSettings
        ),
        // The response cache: Redis and in-process backends, fallback, chat keys, single-flight.
        .target(
            name: "CacheKit",
            dependencies: [
                "MetricsKit", "RedisKit", "ConfigKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Modules/CacheKit",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetricsKitTests",
            dependencies: ["MetricsKit"],
            path: "Tests/MetricsKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CacheKitTests",
            dependencies: ["CacheKit", "MetricsKit", "RedisKit", "ConfigKit", "TestSupport"],
            path: "Tests/CacheKitTests",
            swiftSettings: swiftSettings
        ),
        // Text extraction, chunking and the embed-and-store pipeline.
        .target(
            name: "IngestKit",
            dependencies: [
                "EmbeddingsKit", "VectorStoreKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Modules/IngestKit",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngestKitTests",
            dependencies: ["IngestKit", "EmbeddingsKit", "VectorStoreKit", "FakeGemini", "TestSupport"],
            path: "Tests/IngestKitTests",
            swiftSettings: swiftSettings
        ),
        // Documents and chunks with embeddings in PostgreSQL/pgvector over libpq (pool, migrations,
        // dimension checks, re-embedding), and the in-memory store for the embedded default.
        .target(
            name: "VectorStoreKit",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/VectorStoreKit",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VectorStoreKitTests",
            dependencies: ["VectorStoreKit", "TestSupport"],
            path: "Tests/VectorStoreKitTests",
            swiftSettings: swiftSettings
        ),
        // The durable job queue (Redis Streams, or in-process), the worker runtime and the beat.
        .target(
            name: "JobsKit",
            dependencies: [
                "RedisKit", "MetricsKit", "ConfigKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Modules/JobsKit",
            swiftSettings: swiftSettings
        ),
        // Unit tests, the queue conformance suite (Redis and in-process) and recall-worker processes.
        .testTarget(
            name: "JobsKitTests",
            dependencies: [
                "JobsKit", "MetricsKit", "RedisKit", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/JobsKitTests",
            swiftSettings: swiftSettings
        ),
        // The measurements behind `make bench` (Infrastructure/scripts/bench.sh).
        .executableTarget(
            name: "RecallBench",
            dependencies: [
                "CacheKit", "RedisKit", "JobsKit", "IngestKit", "EmbeddingsKit", "VectorStoreKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/RecallBench",
            swiftSettings: swiftSettings
        ),
        // The one HTTP client for everything leaving the process: libcurl on worker threads,
        // limits, and the SSRF guard for user-supplied URLs.
        .target(
            name: "CurlKit",
            dependencies: ["CCurl"],
            path: "Modules/CurlKit",
            swiftSettings: swiftSettings
        ),
        // Embedding providers: Gemini (gemini-embedding-001 over CurlKit), the offline local
        // hashing fallback, the embedding cache, and the factory from Settings.
        .target(
            name: "EmbeddingsKit",
            dependencies: [
                "CurlKit", "ConfigKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/EmbeddingsKit",
            swiftSettings: swiftSettings
        ),
        // A fake of the Gemini API (embeddings, generateContent, models.get), written from its
        // documented contract, for tests and benchmarks; binds 127.0.0.1 only.
        .target(
            name: "FakeGemini",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/FakeGemini",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FakeGeminiMain",
            dependencies: ["FakeGemini"],
            path: "Tests/FakeGeminiMain",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CurlKitTests",
            dependencies: [
                "CurlKit", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/CurlKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmbeddingsKitTests",
            dependencies: [
                "EmbeddingsKit", "CurlKit", "ConfigKit", "FakeGemini",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EmbeddingsKitTests",
            swiftSettings: swiftSettings
        ),
        // The chat engine: validate, retrieve, prompt, generate (Gemini or extractive), cite, behind
        // the response cache.
        .target(
            name: "ChatKit",
            dependencies: [
                "CacheKit", "EmbeddingsKit", "VectorStoreKit", "CurlKit", "ConfigKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/ChatKit",
            swiftSettings: swiftSettings
        ),
        // The engine against real Redis (through CacheKit), the in-memory store, local embeddings
        // and the fake Gemini for generation.
        .testTarget(
            name: "ChatKitTests",
            dependencies: [
                "ChatKit", "CacheKit", "EmbeddingsKit", "VectorStoreKit", "CurlKit", "ConfigKit", "MetricsKit",
                "RedisKit", "FakeGemini", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ChatKitTests",
            swiftSettings: swiftSettings
        ),
        // Finds the real services that `make test` started (RECALL_TEST_*), and the built programs.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
    ]
)
