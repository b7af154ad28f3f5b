// swift-tools-version: 6.1
// Recall: a retrieval-augmented chat API whose cache stays coherent across processes.
// One package: a library product per module under Modules/, an executable per program under Apps/.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
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
        .library(name: "MetricsKit", targets: ["MetricsKit"]),
        .library(name: "CacheKit", targets: ["CacheKit"]),
        .library(name: "JobsKit", targets: ["JobsKit"]),
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
                "ConfigKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Apps/AppSupport",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "RecallServer",
            dependencies: [
                "ConfigKit", "AppSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Apps/RecallServer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RecallWorker",
            dependencies: [
                "ConfigKit", "AppSupport", "JobsKit", "MetricsKit", "RedisKit",
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
                "ConfigKit", "AppSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Apps/RecallCLI",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RecallTop",
            dependencies: [
                "ConfigKit", "AppSupport", "CNcurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Apps/RecallTop",
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
            dependencies: ["ConfigKit", "TestSupport"],
            path: "Tests/AppsTests",
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
        // The response cache: backend protocol, in-process TTL+LRU cache, chat keys, single-flight.
        .target(
            name: "CacheKit",
            dependencies: [
                "MetricsKit",
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
            dependencies: ["CacheKit", "MetricsKit"],
            path: "Tests/CacheKitTests",
            swiftSettings: swiftSettings
        ),
        // The durable job queue (Redis Streams, or in-process), the worker runtime and the beat.
        .target(
            name: "JobsKit",
            dependencies: [
                "RedisKit", "MetricsKit",
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
                "CacheKit", "RedisKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/RecallBench",
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
